import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../electron/core/contract';
import { editableText, hadSignature, staleSignatureNote } from './ResendDialog';

const verdict = (fields: Partial<Verdict>): Verdict => ({ status: 'valid', scheme: 'github', profile: 'gh', reason: '', ...fields });

describe('hadSignature', () => {
  it('counts verdicts that read a signature header', () => {
    for (const status of ['valid', 'invalid', 'no-key', 'malformed-header', 'timestamp-out-of-tolerance'] as const) {
      expect(hadSignature(verdict({ status })), status).toBe(true);
    }
  });

  it('skips a missing signature', () => {
    expect(hadSignature(verdict({ status: 'missing-signature' }))).toBe(false);
  });

  it('counts an unverified delivery by its detected scheme', () => {
    expect(hadSignature(verdict({ status: 'unverified', scheme: null, profile: null, detectedScheme: 'github' }))).toBe(true);
    expect(hadSignature(verdict({ status: 'unverified', scheme: null, profile: null }))).toBe(false);
  });
});

describe('staleSignatureNote', () => {
  const stale = 'The body is edited, so the original signature header will not match it.';

  it('points to Sign again when the profile has a key', () => {
    expect(staleSignatureNote(verdict({ status: 'invalid' }), '/gh')).toBe(`${stale} Tick "Sign again" to sign the edited body with profile "gh"'s newest key.`);
  });

  it('asks for a key first', () => {
    expect(staleSignatureNote(verdict({ status: 'no-key' }), '/gh')).toBe(`${stale} To sign it again, add a key to profile "gh" in Settings, then tick "Sign again".`);
  });

  it('asks for a profile without one', () => {
    const unverified = verdict({ status: 'unverified', scheme: null, profile: null, detectedScheme: 'github' });
    expect(staleSignatureNote(unverified, '/hooks/a')).toBe(`${stale} To sign it again, add a profile with a key for /hooks/a in Settings, then tick "Sign again".`);
  });
});

describe('editableText', () => {
  it('keeps a byte order mark', () => {
    const body = Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0x0d, 0x0a]);
    const text = editableText(body);
    expect(text).toBe('\ufeffa\r\n');
    expect(Buffer.from(new TextEncoder().encode(text ?? '')).equals(Buffer.from(body))).toBe(true);
  });

  it('returns null for bytes that are not UTF-8', () => {
    expect(editableText(Uint8Array.from([0xff, 0xfe, 0x00]))).toBeNull();
  });
});
