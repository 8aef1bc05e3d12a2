import { SecretScanner } from '../export/secret-scanner';
import { decodeBase64Strict, decodeDigest, decodeHexStrict, digestsEqual } from './digest';
import { keyTexts } from './key-spellings';
import { WHSEC_PREFIX } from './key-variants';
import type { ParsedSignature } from './scheme';
import type { OtherProfileKeys, VerifyContext } from './types';

/** A key that a delivery carries in its headers, where it should carry a digest or a timestamp. */
export interface SentKey {
  /**
   * The header field that carries the key. When the signature could not be parsed, it is the
   * header's name instead, and whether the key is only part of the header's value.
   */
  field: 'signature' | 'timestamp' | { header: string; partOfValue: boolean };
  keyIndex: number;
  /** The other profile the key belongs to; absent for the verifying profile's own keys. */
  profile?: string;
}

/** Spellings of a key as text: as stored, trimmed, and without a whsec_ prefix. */
function textForms(key: string): Buffer[] {
  return keyTexts(key).map((form) => Buffer.from(form, 'utf8'));
}

/** Byte readings of a key whose hex or base64 text a sender may have sent: its text, the scheme's reading, and the hex or base64 it decodes from. */
function byteForms(key: string, schemeBytes: Uint8Array | null): Uint8Array[] {
  const trimmed = key.trim();
  const afterPrefix = trimmed.startsWith(WHSEC_PREFIX) ? trimmed.slice(WHSEC_PREFIX.length) : trimmed;
  const forms = [...textForms(key), schemeBytes, decodeHexStrict(trimmed), decodeBase64Strict(trimmed), decodeBase64Strict(afterPrefix)];
  return forms.filter((form): form is Uint8Array => form !== null && form.length > 0);
}

/**
 * Returns true when `received` is the key itself: its text, trimmed or not, or the hex or
 * base64 of one of its byte readings. Every comparison is constant-time for equal lengths.
 */
function spellsKey(received: string, key: string, schemeBytes: Uint8Array | null): boolean {
  const text = Buffer.from(received.trim(), 'utf8');
  if (textForms(key).some((form) => digestsEqual(form, text))) return true;

  const decoded = [decodeDigest(received.trim(), 'hex'), decodeDigest(received.trim(), 'base64')].filter((bytes) => bytes !== null);
  return byteForms(key, schemeBytes).some((form) => decoded.some((bytes) => digestsEqual(form, bytes)));
}

/**
 * Finds a key, of this profile or another, that the delivery sends in place of its digest or
 * timestamp, so no message prints that text. `readKey` is the scheme's reading of a key.
 */
export function findSentKey(
  parsed: ParsedSignature,
  keys: readonly string[],
  keyBytes: readonly (Uint8Array | null)[],
  readKey: (key: string) => Uint8Array | null,
  context: VerifyContext,
): SentKey | null {
  const fields: { field: SentKey['field']; received: string }[] = parsed.digests.map((received) => ({ field: 'signature', received }));
  if (parsed.unexpectedPrefix !== undefined) fields.push({ field: 'signature', received: parsed.unexpectedPrefix.prefix });
  for (const content of parsed.contents) {
    if (content.timestamp !== undefined) fields.push({ field: 'timestamp', received: content.timestamp });
  }

  for (const { field, received } of fields) {
    const own = keys.findIndex((key, index) => spellsKey(received, key, keyBytes[index] ?? null));
    if (own !== -1) return { field, keyIndex: own };
  }

  // Other profiles' keys are read only when this profile's keys do not explain the text.
  const others: readonly OtherProfileKeys[] = context.otherProfileKeys?.() ?? [];
  for (const { field, received } of fields) {
    for (const other of others) {
      const keyIndex = other.keys.findIndex((key) => spellsKey(received, key, readKey(key)));
      if (keyIndex !== -1) return { field, keyIndex, profile: other.profile };
    }
  }
  return null;
}

/**
 * Finds a key, of this profile or another, that a header carries as its whole value, or else
 * inside its value in any spelling that exports are checked for, such as `Bearer KEY` or
 * `sha256=KEY`. It is used when no signature could be parsed, so that no message quotes the key
 * and the verdict reports the key as exposed.
 */
export function findKeyInHeaders(
  headers: readonly (readonly [string, string])[],
  keys: readonly string[],
  readKey: (key: string) => Uint8Array | null,
  context: VerifyContext,
): SentKey | null {
  const candidates: { keys: readonly string[]; profile?: string }[] = [{ keys }, ...(context.otherProfileKeys?.() ?? [])];
  const found = (header: string, keyIndex: number, profile: string | undefined, partOfValue: boolean): SentKey => ({
    field: { header, partOfValue },
    keyIndex,
    ...(profile === undefined ? {} : { profile }),
  });
  for (const candidate of candidates) {
    for (const [name, value] of headers) {
      if (value.trim() === '') continue;
      const keyIndex = candidate.keys.findIndex((key) => spellsKey(value, key, readKey(key)));
      if (keyIndex !== -1) return found(name, keyIndex, candidate.profile, false);
    }
  }
  for (const candidate of candidates) {
    for (const [keyIndex, key] of candidate.keys.entries()) {
      const scanner = scannerFor(key);
      const header = headers.find(([, value]) => scanner.containsText(value));
      if (header !== undefined) return found(header[0], keyIndex, candidate.profile, true);
    }
  }
  return null;
}

/** Scanners by key, because building one derives every spelling of the key. The vault keeps the keys in memory anyway. */
const scanners = new Map<string, SecretScanner>();
const MAX_CACHED_SCANNERS = 64;

function scannerFor(key: string): SecretScanner {
  let scanner = scanners.get(key);
  if (scanner === undefined) {
    // Keys change rarely, so starting over when the cache is full keeps it simple and bounded.
    if (scanners.size >= MAX_CACHED_SCANNERS) scanners.clear();
    scanner = new SecretScanner([key]);
    scanners.set(key, scanner);
  }
  return scanner;
}
