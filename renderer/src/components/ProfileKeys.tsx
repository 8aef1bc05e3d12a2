import { useState } from 'react';
import type { HooktrayApi } from '../../../electron/core/contract';

interface ProfileKeysProps {
  api: HooktrayApi;
  profile: string;
  keyCount: number;
  onSaved: (message: string) => void;
}

/**
 * Renders the key field of one saved profile. The typed key stays in this component's state
 * only until it is sent. The field is cleared after saving, and keys are never read back.
 */
export function ProfileKeys({ api, profile, keyCount, onSaved }: ProfileKeysProps) {
  const [key, setKey] = useState('');
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
        type="password"
        aria-label={`New key for ${profile}`}
        placeholder="Paste a key"
        autoComplete="off"
        spellCheck={false}
        value={key}
        onChange={(event) => setKey(event.target.value)}
      />
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
