import type { ReactNode } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import type { HooktrayApi, NewProfileKey, SettingsFieldError, SettingsView } from '../../../electron/core/contract';
import type { FieldErrorText, ProfileDraft, SettingsDraft } from '../lib/settings-draft';
import { failureReport, fromDraft, keyCountOf, toDraft } from '../lib/settings-draft';
import type { FieldPath } from '../lib/settings-fields';
import { FIELD_LABELS, PROFILE_FIELD_LABELS, profileFieldName } from '../lib/settings-fields';
import { ModalDialog } from './ModalDialog';
import { ProfileKeys } from './ProfileKeys';

const PROTECTION_NOTES: Record<SettingsView['keyProtection'], string> = {
  os: 'Keys are stored encrypted by the operating system’s keychain.',
  weak: 'No OS keyring is available: keys are stored with obfuscation only, which anyone who can read your files can undo.',
  memory: 'Keys are kept in memory only and are lost when Hooktray stops. To keep a key, reference it in the --config file as {"env": NAME} or {"file": PATH}.',
};

/** The retention fields as typed. */
interface RetentionText {
  maxCount: string;
  maxAgeDays: string;
}

/**
 * A message of the dialog. `retentionToConfirm` is set on the warning that the retention as
 * typed deletes stored deliveries, and Delete and save confirms it while this message is shown.
 */
interface SettingsMessage {
  error: boolean;
  /** Text shown above the form, or null when the texts at the invalid fields are all there is to show. */
  text: string | null;
  /** The invalid fields, each marked and described by its own text. */
  fields?: readonly FieldErrorText[];
  retentionToConfirm?: RetentionText;
}

/**
 * Returns true while the retention warning is shown and the retention fields are as they were
 * warned about. Only the Delete and save button confirms, never a second Save or Enter, so a
 * double click or a save after another message cannot delete deliveries unseen.
 */
function retentionConfirmable(message: SettingsMessage | null, draft: SettingsDraft): boolean {
  const warned = message?.retentionToConfirm;
  return warned !== undefined && warned.maxCount === draft.maxCount && warned.maxAgeDays === draft.maxAgeDays;
}

interface SettingsDialogProps {
  api: HooktrayApi;
  onClose: () => void;
}

/** Attributes that name an input for failures, and mark it invalid while the message names it. */
interface FieldProps {
  name: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** Settings: profiles and their keys, the receiver's response, retention, tunnel and notifications. */
export function SettingsDialog({ api, onClose }: SettingsDialogProps) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [message, setMessage] = useState<SettingsMessage | null>(null);
  /** The form, as JSON, when Close warned that it has unsaved changes. Closing again with the same form discards them. */
  const [closeWarnedFor, setCloseWarnedFor] = useState<string | null>(null);
  /** True while a save is under way. It is a ref, so a second click before the next render reads the new value. */
  const saving = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const saveButtonRef = useRef<HTMLButtonElement>(null);
  const errorIdPrefix = useId();
  const errorId = (name: string): string => `${errorIdPrefix}-${name}`;

  // A new failure moves the focus to the first invalid field in the form, even when the same field fails again.
  useEffect(() => {
    if (message?.fields === undefined || message.fields.length === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [message]);

  useEffect(() => {
    api.invoke('settings.get', undefined).then(
      (loaded) => {
        setView(loaded);
        setDraft(toDraft(loaded));
      },
      (error: unknown) => setMessage({ error: true, text: `Loading the settings failed: ${(error as Error).message}` }),
    );
  }, [api]);

  /**
   * Shows the failures of the form or the core, each at its field after the field's label, and
   * marks those fields. The effect above focuses the first of them.
   */
  const showFailures = (errors: readonly SettingsFieldError[], failedDraft: SettingsDraft, retentionToConfirm?: RetentionText): void => {
    const report = failureReport(errors, failedDraft);
    setMessage({ error: true, text: report.summary, fields: report.fields, ...(retentionToConfirm === undefined ? {} : { retentionToConfirm }) });
  };

  const errorOf = (name: string): FieldErrorText | undefined => message?.fields?.find((field) => field.name === name);

  const fieldProps = (name: string): FieldProps => {
    const invalid = errorOf(name) !== undefined;
    return { name, 'aria-invalid': invalid ? true : undefined, 'aria-describedby': invalid ? errorId(name) : undefined };
  };

  // The input's aria-describedby reads this text, and aria-hidden keeps it out of the label's accessible name.
  const fieldError = (name: string): ReactNode => {
    const error = errorOf(name);
    return error === undefined ? null : (
      <span id={errorId(name)} className="error" aria-hidden="true">
        {error.text}
      </span>
    );
  };

  /**
   * Saves the form. A key typed for the profile at index `replaceKeysOf` replaces its keys, and
   * other typed keys are added. After Add key or Replace keys (`keyOf`, the profile's index),
   * that profile's key field takes the focus, because its emptied buttons can no longer hold it.
   * With `confirmRetention`, the save may delete the stored deliveries beyond the new retention.
   */
  const save = async (replaceKeysOf: number | null = null, keyOf: number | null = null, confirmRetention = false): Promise<void> => {
    // A save already under way ignores the click: disabling the clicked button would drop its focus.
    if (draft === null || saving.current) return;
    // NOTE: the core checks the values only when every field parses, so a field the form cannot
    // parse, such as Status "abc", hides a problem only the core finds, such as an invalid
    // Tunnel host, until the next save.
    const parsed = fromDraft(draft, replaceKeysOf);
    if (!parsed.ok) {
      showFailures(parsed.errors, draft);
      return;
    }
    saving.current = true;
    try {
      const newKeys = parsed.newKeys.length === 0 ? {} : { newKeys: parsed.newKeys };
      const result = await api.invoke('settings.update', { ...parsed.settings, profileRenames: parsed.profileRenames, ...newKeys, ...(confirmRetention ? { confirmRetention: true } : {}) });
      if (!result.ok) {
        const retentionToConfirm = result.code === 'confirm-retention' ? { maxCount: draft.maxCount, maxAgeDays: draft.maxAgeDays } : undefined;
        showFailures(result.errors ?? [{ field: result.field, message: result.message }], draft, retentionToConfirm);
        return;
      }
      setView(result.settings);
      setDraft(toDraft(result.settings));
      setMessage({ error: false, text: savedText(parsed.newKeys) });
      if (keyOf !== null) formRef.current?.querySelector<HTMLElement>(`[name="${CSS.escape(profileFieldName(keyOf, 'newKey'))}"]`)?.focus();
    } catch (error) {
      setMessage({ error: true, text: `Saving the settings failed: ${(error as Error).message}` });
    } finally {
      saving.current = false;
      // Delete and save goes away with the warning it confirms, so Save settings takes the focus.
      // A field that failed takes it from there once the message about it renders.
      if (confirmRetention) saveButtonRef.current?.focus();
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

  /** Closes the dialog. A form with unsaved changes shows a warning first, and the next Close discards them. */
  const requestClose = (): void => {
    const form = draft === null ? null : JSON.stringify(draft);
    const unsaved = view !== null && form !== null && form !== JSON.stringify(toDraft(view));
    if (!unsaved || closeWarnedFor === form) {
      onClose();
      return;
    }
    setCloseWarnedFor(form);
    setMessage({ error: true, text: 'The settings have changes that are not saved. Choose Save settings to keep them, or Close again to discard them.' });
  };

  const update = (patch: Partial<SettingsDraft>): void => setDraft((previous) => (previous === null ? previous : { ...previous, ...patch }));
  const updateProfile = (index: number, patch: Partial<ProfileDraft>): void =>
    update({ profiles: (draft?.profiles ?? []).map((profile, at) => (at === index ? { ...profile, ...patch } : profile)) });

  return (
    <ModalDialog label="Settings" onClose={requestClose}>
        <div className="dialog-head">
          <h2>Settings</h2>
          <button type="button" onClick={requestClose}>
            Close
          </button>
        </div>
        {message !== null && message.text !== null && (
          <p className={message.error ? 'error' : 'note'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        {view === null || draft === null ? (
          <p className="hint">Loading…</p>
        ) : (
          <form
            ref={formRef}
            // The dialog checks the fields itself, so one save reports every invalid field. The
            // browser's own check would stop the save at the first invalid URL with a bubble.
            noValidate
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
                      {PROFILE_FIELD_LABELS.name}
                      <input {...fieldProps(profileFieldName(index, 'name'))} value={profile.name} onChange={(event) => updateProfile(index, { name: event.target.value })} />
                      {fieldError(profileFieldName(index, 'name'))}
                    </label>
                    <label>
                      {PROFILE_FIELD_LABELS.scheme}
                      <select {...fieldProps(profileFieldName(index, 'scheme'))} value={profile.scheme} onChange={(event) => updateProfile(index, { scheme: event.target.value })}>
                        {view.schemes.map((scheme) => (
                          <option key={scheme} value={scheme}>
                            {scheme}
                          </option>
                        ))}
                      </select>
                      {fieldError(profileFieldName(index, 'scheme'))}
                    </label>
                    <label>
                      {PROFILE_FIELD_LABELS.pathPrefix}
                      <input {...fieldProps(profileFieldName(index, 'pathPrefix'))} value={profile.pathPrefix} onChange={(event) => updateProfile(index, { pathPrefix: event.target.value })} />
                      {fieldError(profileFieldName(index, 'pathPrefix'))}
                    </label>
                    <label>
                      {PROFILE_FIELD_LABELS.options} (JSON)
                      <input
                        {...fieldProps(profileFieldName(index, 'options'))}
                        value={profile.optionsText}
                        spellCheck={false}
                        onChange={(event) => updateProfile(index, { optionsText: event.target.value })}
                      />
                      {fieldError(profileFieldName(index, 'options'))}
                    </label>
                    <button type="button" onClick={() => update({ profiles: draft.profiles.filter((_, at) => at !== index) })}>
                      Remove profile
                    </button>
                    {savedName !== null ? (
                      <ProfileKeys
                        profile={savedName}
                        keyCount={keyCountOf(view.keyCounts, savedName)}
                        keyText={profile.newKey}
                        onKeyTextChange={(newKey) => updateProfile(index, { newKey })}
                        inputProps={fieldProps(profileFieldName(index, 'newKey'))}
                        fieldError={fieldError(profileFieldName(index, 'newKey'))}
                        onAdd={() => void save(null, index)}
                        onReplace={() => void save(index, index)}
                      />
                    ) : (
                      <p className="hint">Save the settings to add keys to this profile.</p>
                    )}
                  </div>
                );
              })}
              <button
                type="button"
                onClick={() => {
                  // A prefix of its own, because a second profile on "/" would never verify anything.
                  const name = `profile-${draft.profiles.length + 1}`;
                  update({ profiles: [...draft.profiles, { savedName: null, name, scheme: view.schemes[0] ?? 'spike', pathPrefix: `/${name}`, optionsText: '{}', newKey: '' }] });
                }}
              >
                Add profile
              </button>
              <button type="button" onClick={() => void reverifyAll()}>
                Re-verify all deliveries
              </button>
            </fieldset>
            <GeneralFields
              draft={draft}
              update={update}
              fieldProps={fieldProps}
              fieldError={fieldError}
              confirmDeletion={retentionConfirmable(message, draft) ? () => void save(null, null, true) : null}
            />
            <div className="dialog-actions">
              <button ref={saveButtonRef} type="submit">
                Save settings
              </button>
            </div>
          </form>
        )}
    </ModalDialog>
  );
}

/** Returns the message after a save, which names the profiles whose keys a typed key replaced or was added to. */
function savedText(newKeys: readonly NewProfileKey[]): string {
  const names = (entries: readonly NewProfileKey[]): string => entries.map((entry) => `"${entry.profile}"`).join(', ');
  const replaced = newKeys.filter((entry) => entry.mode === 'replace');
  const added = newKeys.filter((entry) => entry.mode !== 'replace');
  const parts: string[] = [];
  if (replaced.length > 0) parts.push(`the typed key replaced the keys of profile ${names(replaced)}`);
  if (added.length === 1) parts.push(`the typed key was added to profile ${names(added)}`);
  if (added.length > 1) parts.push(`the typed keys were added to profiles ${names(added)}`);
  return parts.length === 0 ? 'Settings saved.' : `Settings saved, and ${parts.join(', and ')}.`;
}

interface GeneralFieldsProps {
  draft: SettingsDraft;
  update: (patch: Partial<SettingsDraft>) => void;
  fieldProps: (name: FieldPath) => FieldProps;
  fieldError: (name: FieldPath) => ReactNode;
  /** Saves the form and lets the new retention delete deliveries; null unless the retention warning is shown. */
  confirmDeletion: (() => void) | null;
}

function GeneralFields({ draft, update, fieldProps, fieldError, confirmDeletion }: GeneralFieldsProps) {
  return (
    <>
      <fieldset>
        <legend>Response to every delivery</legend>
        <label>
          {FIELD_LABELS['response.status']}
          <input {...fieldProps('response.status')} inputMode="numeric" value={draft.status} onChange={(event) => update({ status: event.target.value })} />
          {fieldError('response.status')}
        </label>
        <label>
          {FIELD_LABELS['response.delayMs']}
          <input {...fieldProps('response.delayMs')} inputMode="numeric" value={draft.delayMs} onChange={(event) => update({ delayMs: event.target.value })} />
          {fieldError('response.delayMs')}
        </label>
        <label>
          {FIELD_LABELS['response.headers']} (one “Name: value” per line)
          <textarea {...fieldProps('response.headers')} rows={3} value={draft.headersText} spellCheck={false} onChange={(event) => update({ headersText: event.target.value })} />
          {fieldError('response.headers')}
        </label>
        <label>
          {FIELD_LABELS['response.body']}
          <textarea {...fieldProps('response.body')} rows={3} value={draft.body} spellCheck={false} onChange={(event) => update({ body: event.target.value })} />
          {fieldError('response.body')}
        </label>
      </fieldset>
      <fieldset>
        <legend>Retention (0 keeps everything)</legend>
        <label>
          {FIELD_LABELS['retention.maxCount']}
          <input {...fieldProps('retention.maxCount')} inputMode="numeric" value={draft.maxCount} onChange={(event) => update({ maxCount: event.target.value })} />
          {fieldError('retention.maxCount')}
        </label>
        <label>
          {FIELD_LABELS['retention.maxAgeDays']}
          <input {...fieldProps('retention.maxAgeDays')} inputMode="decimal" value={draft.maxAgeDays} onChange={(event) => update({ maxAgeDays: event.target.value })} />
          {fieldError('retention.maxAgeDays')}
        </label>
        {confirmDeletion !== null && (
          <button type="button" onClick={confirmDeletion}>
            Delete and save
          </button>
        )}
      </fieldset>
      <fieldset>
        <legend>Tunnel</legend>
        <label>
          {FIELD_LABELS.subdomain} (empty lets the server choose)
          <input {...fieldProps('subdomain')} value={draft.subdomain} onChange={(event) => update({ subdomain: event.target.value })} />
          {fieldError('subdomain')}
        </label>
        <label>
          {FIELD_LABELS.tunnelHost} (empty for the default localtunnel server)
          <input {...fieldProps('tunnelHost')} type="url" value={draft.tunnelHost} onChange={(event) => update({ tunnelHost: event.target.value })} />
          {fieldError('tunnelHost')}
        </label>
      </fieldset>
      <fieldset>
        <legend>Protection of the public URL</legend>
        <label>
          {FIELD_LABELS['protection.pathToken']} (empty: off; deliveries must post to /TOKEN/…, others get 404)
          <input {...fieldProps('protection.pathToken')} value={draft.pathToken} onChange={(event) => update({ pathToken: event.target.value })} className="code" />
          {fieldError('protection.pathToken')}
        </label>
        <label>
          {FIELD_LABELS['protection.rateLimitPerSecond']} (requests per second; 0: off, others get 429)
          <input
            {...fieldProps('protection.rateLimitPerSecond')}
            inputMode="numeric"
            value={draft.rateLimitPerSecond}
            onChange={(event) => update({ rateLimitPerSecond: event.target.value })}
          />
          {fieldError('protection.rateLimitPerSecond')}
        </label>
      </fieldset>
      <fieldset>
        <legend>Desktop notifications (tray app)</legend>
        {(['deliveries', 'invalidSignatures', 'tunnel'] as const).map((field) => (
          <label key={field} className="checkbox">
            <input
              {...fieldProps(`notifications.${field}`)}
              type="checkbox"
              checked={draft.notifications[field]}
              onChange={(event) => update({ notifications: { ...draft.notifications, [field]: event.target.checked } })}
            />
            {FIELD_LABELS[`notifications.${field}`]}
            {fieldError(`notifications.${field}`)}
          </label>
        ))}
      </fieldset>
    </>
  );
}
