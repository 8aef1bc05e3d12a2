import { useEffect, useState } from 'react';
import type { HooktrayApi, SettingsView } from '../../../electron/core/contract';
import type { ProfileDraft, SettingsDraft } from '../lib/settings-draft';
import { fromDraft, keyCountOf, toDraft } from '../lib/settings-draft';
import { ModalDialog } from './ModalDialog';
import { ProfileKeys } from './ProfileKeys';

const PROTECTION_NOTES: Record<SettingsView['keyProtection'], string> = {
  os: 'Keys are stored encrypted by the operating system’s keychain.',
  weak: 'No OS keyring is available: keys are stored with obfuscation only, which anyone who can read your files can undo.',
  memory: 'Keys are kept in memory only and are lost when Hooktray stops. To keep a key, reference it in the --config file as {"env": NAME} or {"file": PATH}.',
};

interface SettingsDialogProps {
  api: HooktrayApi;
  onClose: () => void;
}

/** Settings: profiles and their keys, the receiver's response, retention, tunnel and notifications. */
export function SettingsDialog({ api, onClose }: SettingsDialogProps) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  useEffect(() => {
    api.invoke('settings.get', undefined).then(
      (loaded) => {
        setView(loaded);
        setDraft(toDraft(loaded));
      },
      (error: unknown) => setMessage({ error: true, text: `Loading the settings failed: ${(error as Error).message}` }),
    );
  }, [api]);

  const refresh = async (text: string): Promise<void> => {
    const loaded = await api.invoke('settings.get', undefined);
    setView(loaded);
    setMessage({ error: false, text });
  };

  const save = async (): Promise<void> => {
    if (draft === null) return;
    const parsed = fromDraft(draft);
    if (!parsed.ok) {
      setMessage({ error: true, text: `${parsed.field}: ${parsed.message}` });
      return;
    }
    try {
      const result = await api.invoke('settings.update', { ...parsed.settings, profileRenames: parsed.profileRenames });
      if (!result.ok) {
        setMessage({ error: true, text: `${result.field}: ${result.message}` });
        return;
      }
      setView(result.settings);
      setDraft(toDraft(result.settings));
      setMessage({ error: false, text: 'Settings saved.' });
    } catch (error) {
      setMessage({ error: true, text: `Saving the settings failed: ${(error as Error).message}` });
    }
  };

  const reverifyAll = async (): Promise<void> => {
    try {
      const result = await api.invoke('settings.update', { reverify: true });
      if (!result.ok) {
        setMessage({ error: true, text: result.message });
        return;
      }
      setMessage({ error: false, text: 'Stored deliveries are being re-verified with the saved profiles and keys. The status bar shows the progress.' });
    } catch (error) {
      setMessage({ error: true, text: `Re-verifying the stored deliveries failed: ${(error as Error).message}` });
    }
  };

  const update = (patch: Partial<SettingsDraft>): void => setDraft((previous) => (previous === null ? previous : { ...previous, ...patch }));
  const updateProfile = (index: number, patch: Partial<ProfileDraft>): void =>
    update({ profiles: (draft?.profiles ?? []).map((profile, at) => (at === index ? { ...profile, ...patch } : profile)) });

  return (
    <ModalDialog label="Settings" onClose={onClose}>
        <div className="dialog-head">
          <h2>Settings</h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {message !== null && (
          <p className={message.error ? 'error' : 'note'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        {view === null || draft === null ? (
          <p className="hint">Loading…</p>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <fieldset>
              <legend>Profiles and keys</legend>
              <p className="note">{PROTECTION_NOTES[view.keyProtection]}</p>
              {draft.profiles.map((profile, index) => {
                // Keys belong to the saved name until a rename is saved, and then move with it.
                const savedName = profile.savedName;
                return (
                  <div key={index} className="profile" role="group" aria-label={`Profile ${profile.name || index + 1}`}>
                    <label>
                      Name
                      <input value={profile.name} onChange={(event) => updateProfile(index, { name: event.target.value })} />
                    </label>
                    <label>
                      Scheme
                      <select value={profile.scheme} onChange={(event) => updateProfile(index, { scheme: event.target.value })}>
                        {view.schemes.map((scheme) => (
                          <option key={scheme} value={scheme}>
                            {scheme}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      Path prefix
                      <input value={profile.pathPrefix} onChange={(event) => updateProfile(index, { pathPrefix: event.target.value })} />
                    </label>
                    <label>
                      Options (JSON)
                      <input value={profile.optionsText} spellCheck={false} onChange={(event) => updateProfile(index, { optionsText: event.target.value })} />
                    </label>
                    <button type="button" onClick={() => update({ profiles: draft.profiles.filter((_, at) => at !== index) })}>
                      Remove profile
                    </button>
                    {savedName !== null ? (
                      <ProfileKeys api={api} profile={savedName} keyCount={keyCountOf(view.keyCounts, savedName)} onSaved={(text) => void refresh(text)} />
                    ) : (
                      <p className="hint">Save the settings to add keys to this profile.</p>
                    )}
                  </div>
                );
              })}
              <button
                type="button"
                onClick={() => update({ profiles: [...draft.profiles, { savedName: null, name: `profile-${draft.profiles.length + 1}`, scheme: view.schemes[0] ?? 'spike', pathPrefix: '/', optionsText: '{}' }] })}
              >
                Add profile
              </button>
              <button type="button" onClick={() => void reverifyAll()}>
                Re-verify all deliveries
              </button>
            </fieldset>
            <GeneralFields draft={draft} update={update} />
            <div className="dialog-actions">
              <button type="submit">Save settings</button>
            </div>
          </form>
        )}
    </ModalDialog>
  );
}

function GeneralFields({ draft, update }: { draft: SettingsDraft; update: (patch: Partial<SettingsDraft>) => void }) {
  return (
    <>
      <fieldset>
        <legend>Response to every delivery</legend>
        <label>
          Status
          <input inputMode="numeric" value={draft.status} onChange={(event) => update({ status: event.target.value })} />
        </label>
        <label>
          Delay (ms)
          <input inputMode="numeric" value={draft.delayMs} onChange={(event) => update({ delayMs: event.target.value })} />
        </label>
        <label>
          Headers (one “Name: value” per line)
          <textarea rows={3} value={draft.headersText} spellCheck={false} onChange={(event) => update({ headersText: event.target.value })} />
        </label>
        <label>
          Body
          <textarea rows={3} value={draft.body} spellCheck={false} onChange={(event) => update({ body: event.target.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Retention (0 keeps everything)</legend>
        <label>
          Maximum deliveries
          <input inputMode="numeric" value={draft.maxCount} onChange={(event) => update({ maxCount: event.target.value })} />
        </label>
        <label>
          Maximum age (days)
          <input inputMode="decimal" value={draft.maxAgeDays} onChange={(event) => update({ maxAgeDays: event.target.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Tunnel</legend>
        <label>
          Subdomain (empty lets the server choose)
          <input value={draft.subdomain} onChange={(event) => update({ subdomain: event.target.value })} />
        </label>
        <label>
          Tunnel host (empty for the default localtunnel server)
          <input type="url" value={draft.tunnelHost} onChange={(event) => update({ tunnelHost: event.target.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Protection of the public URL</legend>
        <label>
          Path token (empty: off; deliveries must post to /TOKEN/…, others get 404)
          <input value={draft.pathToken} onChange={(event) => update({ pathToken: event.target.value })} className="code" />
        </label>
        <label>
          Rate limit per client (requests per second; 0: off, others get 429)
          <input inputMode="numeric" value={draft.rateLimitPerSecond} onChange={(event) => update({ rateLimitPerSecond: event.target.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Desktop notifications (tray app)</legend>
        {(
          [
            ['deliveries', 'New deliveries'],
            ['invalidSignatures', 'Invalid signatures'],
            ['tunnel', 'Tunnel down or subdomain changed'],
          ] as const
        ).map(([field, label]) => (
          <label key={field} className="checkbox">
            <input
              type="checkbox"
              checked={draft.notifications[field]}
              onChange={(event) => update({ notifications: { ...draft.notifications, [field]: event.target.checked } })}
            />
            {label}
          </label>
        ))}
      </fieldset>
    </>
  );
}
