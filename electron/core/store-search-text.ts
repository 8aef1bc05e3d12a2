/**
 * The text of a delivery that goes into the search index. This module has no Node imports,
 * because the renderer imports its limits to describe the filter.
 */

/** Bytes at the start of a body that are searched, so huge bodies do not bloat the index. */
export const SEARCH_BODY_BYTES = 64 * 1024;

/**
 * Distinct trigrams (three-character sequences) of one delivery that go into the search index,
 * counted over its path, header lines and body in that order. FTS5 writes an index entry per
 * delivery and distinct trigram, so text with few repeats costs far more than its length
 * suggests. Counted with TrigramBudget, 64 KiB of Spike JSON has about 1,700 distinct trigrams,
 * 64 KiB of base64 about 36,000 and 64 KiB of random printable ASCII about 58,000. Indexing one
 * delivery of the last in full took about 250 ms on a busy 2-core machine. At this cap, base64
 * or random text is searched for about its first 8 KiB.
 */
export const MAX_DELIVERY_TRIGRAMS = 8_192;

/** Share of a body's bytes that may be control characters (other than tab, LF, FF, CR) in text. */
const MAX_CONTROL_SHARE = 0.1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Returns the searchable text of a body's first SEARCH_BODY_BYTES, or null for a body that is not
 * text: not valid UTF-8, or more than one byte in ten a control character other than tab, line
 * feed, form feed and carriage return. A `prefix` of SEARCH_BODY_BYTES may end inside a
 * character, which is then left out. SQLite returns null for an empty body's prefix.
 */
export function bodySearchText(prefix: Uint8Array | null): string | null {
  if (prefix === null || prefix.length === 0) return '';
  const bytes = prefix.length >= SEARCH_BODY_BYTES ? withoutCutCharacter(prefix) : prefix;
  // Random bytes fail decoding within a few bytes, so the check for control bytes runs on text only.
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  return controlByteCount(bytes) > bytes.length * MAX_CONTROL_SHARE ? null : text;
}

/** Returns `bytes` without an incomplete UTF-8 sequence at their end. */
function withoutCutCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    // Continuation bytes are 10xxxxxx, and the lead byte before them gives the sequence's length.
    if ((byte & 0xc0) === 0x80) continue;
    return sequenceLength(byte) > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

/** Returns the length of the UTF-8 sequence that `leadByte` starts. */
function sequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  if (leadByte >= 0xc0) return 2;
  return 1;
}

/** Counts C0 control bytes and DEL, except tab, line feed, form feed and carriage return. */
function controlByteCount(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f) count += 1;
  }
  return count;
}

/**
 * Counts the distinct trigrams of the texts it takes, and cuts a text where one more would pass
 * its maximum. The count estimates FTS5's index entries: it folds only ASCII letters and counts
 * UTF-16 code units, while FTS5 folds all letters and counts code points, so it can only be higher.
 */
export class TrigramBudget {
  private readonly seen = new Set<number>();

  constructor(private readonly max: number) {}

  /** Distinct trigrams taken so far. */
  get count(): number {
    return this.seen.size;
  }

  /** Returns the longest start of `text` that stays within the maximum, and counts its trigrams. */
  take(text: string): string {
    let previous = -1;
    let current = -1;
    for (let index = 0; index < text.length; index++) {
      const next = foldAscii(text.charCodeAt(index));
      if (index >= 2) {
        // Three 16-bit code units fit exactly in a safe integer (48 bits).
        const key = (previous * 0x10000 + current) * 0x10000 + next;
        if (!this.seen.has(key)) {
          if (this.seen.size >= this.max) return cutBefore(text, index);
          this.seen.add(key);
        }
      }
      previous = current;
      current = next;
    }
    return text;
  }
}

function foldAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** Returns `text` up to `index`, without a high surrogate whose pair would be cut off. */
function cutBefore(text: string, index: number): string {
  const last = text.charCodeAt(index - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? index - 1 : index);
}
