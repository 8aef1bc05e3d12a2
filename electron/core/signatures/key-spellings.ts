import { decodeBase64Strict, decodeHexStrict } from './digest';
import { WHSEC_PREFIX } from './key-variants';

/** Returns a key's texts: as stored, trimmed, and without a whsec_ prefix, leaving out empty ones. */
export function keyTexts(key: string): string[] {
  const trimmed = key.trim();
  const texts = new Set([key, trimmed]);
  if (trimmed.startsWith(WHSEC_PREFIX)) texts.add(trimmed.slice(WHSEC_PREFIX.length));
  texts.delete('');
  return [...texts];
}

/**
 * Returns the texts a key can appear as in a delivery or an export. These are its keyTexts, and
 * the lowercase hex, unpadded base64 and base64url of each one's UTF-8 bytes and of the bytes it
 * decodes to as hex or base64.
 */
export function keySpellings(key: string): string[] {
  const spellings = new Set<string>();
  for (const text of keyTexts(key)) {
    spellings.add(text);
    for (const bytes of [Buffer.from(text, 'utf8'), decodeHexStrict(text), decodeBase64Strict(text)]) {
      if (bytes === null || bytes.length === 0) continue;
      spellings.add(bytes.toString('hex'));
      spellings.add(bytes.toString('base64').replace(/=+$/, ''));
      spellings.add(bytes.toString('base64url'));
    }
  }
  return [...spellings];
}

/** Characters in a row of a key's spelling that a message must not quote. */
export const KEY_RUN_CHARS = 6;

/**
 * Returns true when `text` contains KEY_RUN_CHARS characters in a row of a spelling of one of
 * `keys`, ignoring case, or a whole spelling shorter than that. Such text is never quoted.
 */
export function containsKeyPart(text: string, keys: Iterable<string>): boolean {
  const lower = text.toLowerCase();
  for (const key of keys) {
    for (const spelling of keySpellings(key)) {
      const needle = spelling.toLowerCase();
      if (needle.length < KEY_RUN_CHARS) {
        if (lower.includes(needle)) return true;
        continue;
      }
      for (let start = 0; start + KEY_RUN_CHARS <= needle.length; start++) {
        if (lower.includes(needle.slice(start, start + KEY_RUN_CHARS))) return true;
      }
    }
  }
  return false;
}
