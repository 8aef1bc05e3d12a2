import type { ReactNode } from 'react';

interface ProfileKeysProps {
  profile: string;
  keyCount: number;
  /** The typed key, which the settings form keeps so that saving the settings adds it too. */
  keyText: string;
  onKeyTextChange: (key: string) => void;
  /** Attributes that name the key input for failures of the settings form. */
  inputProps: { name: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };
  /** The settings form's failure message about the key input, if any. */
  fieldError: ReactNode;
  /** Saves the settings form with the typed key added to the profile's keys. */
  onAdd: () => void;
  /** Saves the settings form with the typed key in place of the profile's keys. */
  onReplace: () => void;
}

/**
 * Renders the key field of one saved profile. Add key and Replace keys save the whole settings
 * form, so a key in a new format is saved together with the scheme or options that read it.
 * The typed key stays in the form's state only until it is sent, and keys are never read back.
 */
export function ProfileKeys({ profile, keyCount, keyText: key, onKeyTextChange: setKey, inputProps, fieldError, onAdd, onReplace }: ProfileKeysProps) {
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
      <button type="button" disabled={key.trim() === ''} onClick={onAdd} title="Save the settings and add this key to the profile's keys">
        Add key
      </button>
      <button type="button" disabled={key.trim() === ''} onClick={onReplace} title="Save the settings and replace every key of this profile with this one">
        Replace keys
      </button>
    </div>
  );
}
