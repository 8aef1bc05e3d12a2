import type { ReactNode } from 'react';
import { useState } from 'react';
import type { HooktrayApi } from '../../../electron/core/contract';

interface ProfileKeysProps {
  api: HooktrayApi;
  profile: string;
  keyCount: number;
  /** The typed key, which the settings form keeps so that saving the settings adds it too. */
  keyText: string;
  onKeyTextChange: (key: string) => void;
  /** Attributes that name the key input for failures of the settings form. */
  inputProps: { name: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };
  /** The settings form's failure message about the key input, if any. */
  fieldError: ReactNode;
  onSaved: (message: string) => void;
}

/**
 * Renders the key field of one saved profile. The typed key stays in the form's state only
 * until it is sent. The field is cleared after saving, and keys are never read back.
 */
export function ProfileKeys({ api, profile, keyCount, keyText: key, onKeyTextChange: setKey, inputProps, fieldError, onSaved }: ProfileKeysProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (mode: 'add' | 'replace'): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.invoke('profiles.setKeys', { profile, keys: [key], mode });
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setKey('');
      onSaved(`Profile "${profile}" now has ${result.keyCount} key${result.keyCount === 1 ? '' : 's'}; stored deliveries are being re-verified.`);
    } catch (failure) {
      setError(`Saving the key for "${profile}" failed: ${(failure as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="profile-keys">
      <span>
        {keyCount} key{keyCount === 1 ? '' : 's'}
      </span>
      <input
        {...inputProps}
        type="password"
        aria-label={`New key for ${profile}`}
        placeholder="Paste a key"
        autoComplete="off"
        spellCheck={false}
        value={key}
        onChange={(event) => setKey(event.target.value)}
      />
      {fieldError}
      <button type="button" disabled={busy || key.trim() === ''} onClick={() => void save('add')}>
        Add key
      </button>
      <button type="button" disabled={busy || key.trim() === ''} onClick={() => void save('replace')} title="Replace every key of this profile with this one">
        Replace keys
      </button>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
