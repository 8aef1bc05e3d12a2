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
 * Returns the texts a key can appear as in a delivery or an export. These are its keyTexts and
 * the lowercase hex, base64 and base64url of each one's UTF-8 bytes. A key text that decodes as
 * hex or base64 adds those bytes and their hex and base64, because the decoded bytes are the
 * secret of an `hmac` profile with a `keyEncoding` and of a `whsec_` key.
 *
 * Base64 appears unpadded, and also as it reads inside longer base64 text, such as the
 * `user:key` of a Basic Authorization header. There the key's bytes may start 1 or 2 bytes into
 * a 3-byte group, and only the characters made of the key's bits alone are fixed.
 */
export function keySpellings(key: string): string[] {
  const spellings = new Set<string>();
  for (const text of keyTexts(key)) {
    spellings.add(text);
    for (const bytes of [decodeHexStrict(text), decodeBase64Strict(text)]) {
      if (bytes === null || bytes.length < MIN_SPELLING_CHARS) continue;
      // Node reads header values and paths one byte per character, so binary bytes appear that way.
      spellings.add(bytes.toString('latin1'));
      const utf8 = bytes.toString('utf8');
      if (!utf8.includes('\ufffd')) spellings.add(utf8);
    }
    for (const bytes of [Buffer.from(text, 'utf8'), decodeHexStrict(text), decodeBase64Strict(text)]) {
      if (bytes === null || bytes.length === 0) continue;
      for (const spelling of [bytes.toString('hex'), ...base64Spellings(bytes)]) {
        if (spelling.length >= MIN_SPELLING_CHARS) spellings.add(spelling);
      }
    }
  }
  return [...spellings];
}

/**
 * Characters that a spelling made from a key's bytes must have to be searched for. The three
 * characters of base64 that a short key such as `1234` gives occur in many images, so such a
 * spelling would mark innocent deliveries as carrying the key. Its texts are searched at any length.
 */
const MIN_SPELLING_CHARS = 8;

/**
 * Returns the base64 and base64url of `bytes`, unpadded, and the characters that stay the same
 * wherever the bytes sit in longer base64 text: at offset 0, 1 or 2 of a 3-byte group, with any
 * bytes after them.
 */
function base64Spellings(bytes: Buffer): string[] {
  const spellings: string[] = [];
  for (const encoding of ['base64', 'base64url'] as const) {
    spellings.push(bytes.toString(encoding).replace(/=+$/, ''));
    for (const offset of [0, 1, 2]) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding).replace(/=+$/, '');
      // Leading characters carry bits of the bytes before the key, and a last one of a partial group carries bits of the bytes after it.
      const first = Math.ceil((offset * 8) / 6);
      const end = (offset + bytes.length) % 3 === 0 ? shifted.length : shifted.length - 1;
      const fixed = shifted.slice(first, end);
      spellings.push(fixed);
    }
  }
  return spellings;
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
