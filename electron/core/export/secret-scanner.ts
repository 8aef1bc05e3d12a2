import { contentCodings, isKnownCoding, undoContentCoding } from '../content-encoding';
import { keySpellings } from '../signatures/key-spellings';

/** Result of checking a body: a key found, none found, or the body too large to decompress and check. */
export type BodyScan = 'found' | 'clean' | 'too-large';

/**
 * Rounds of unescaping tried on each text, so a key escaped twice (a percent-encoded
 * JSON escape inside a string literal, for example) is still found.
 */
const MAX_UNESCAPE_ROUNDS = 4;

/** Characters scanned at once; a longer text is scanned in windows that overlap. */
const WINDOW_CHARS = 1024 * 1024;

/**
 * Characters of escaped text that one character of a key may take up, such as `%255C` or
 * `\u002d`. Windows overlap by this much per key character, so an escaped key that spans two
 * windows is still found whole in one of them.
 */
const MAX_ESCAPED_CHAR_LENGTH = 24;

/**
 * One escape per alternative, tried left to right: a shell's `'\''` and `'"'"'` (a quote inside
 * single quotes), percent-encoding, `\u{…}`, `\uXXXX`, `\UXXXXXXXX`, `\xXX` and a backslash before
 * any other character.
 */
const ESCAPE = /'\\''|'"'"'|%([0-9A-Fa-f]{2})|\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\x([0-9A-Fa-f]{2})|\\([^])/g;

const MAYBE_ESCAPED = /[%\\']/;

const SINGLE_CHAR_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * Finds configured keys in what an export is about to write. A key counts as found when it
 * appears as is or once escapes are undone: percent-encoding (URLs and query strings),
 * backslash escapes (JSON and the string literals of code snippets), shell quoting, and
 * mixes of these up to MAX_UNESCAPE_ROUNDS deep. Bodies are also checked after undoing their
 * `Content-Encoding`, and after gunzip when they start like gzip data.
 *
 * Each key is searched as its text and as its UTF-8 bytes read one byte per character, which
 * is how Node reads header values and paths and how bytes are scanned here. A `whsec_` key is
 * also searched without its prefix, because that part alone is the secret.
 *
 * A key that is valid hex or padded base64 may be stored in that encoding (an `hmac` profile's
 * `keyEncoding`, a `whsec_` key), so its bytes are also searched as lowercase hex, unpadded
 * base64 and unpadded base64url, and so is its text, as signatures find it (`keySpellings`). Every needle made only of hex digits is matched without regard
 * to case, because `A1B2` and `a1b2` are the same bytes; other needles match case-sensitively.
 */
export class SecretScanner {
  private readonly needles: string[];
  /** Case-insensitive alternation of the needles made only of hex digits, or null when there are none. */
  private readonly hexNeedles: RegExp | null;
  private readonly overlap: number;
  private readonly plusIsSpace: boolean;

  constructor(keys: Iterable<string>) {
    const needles = new Set<string>();
    const hexNeedles = new Set<string>();
    for (const key of keys) {
      for (const text of keySpellings(key)) {
        for (const needle of [text, Buffer.from(text, 'utf8').toString('latin1')]) {
          if (HEX_TEXT.test(needle)) hexNeedles.add(needle.toLowerCase());
          else needles.add(needle);
        }
      }
    }
    this.needles = [...needles];
    this.hexNeedles = hexNeedles.size === 0 ? null : new RegExp([...hexNeedles].join('|'), 'i');
    const longest = Math.max(0, ...this.needles.map((needle) => needle.length), ...[...hexNeedles].map((needle) => needle.length));
    this.overlap = longest * MAX_ESCAPED_CHAR_LENGTH;
    // A query string may write a space as `+`, which matters only for keys with a space.
    this.plusIsSpace = this.needles.some((needle) => needle.includes(' '));
  }

  get keyCount(): number {
    return this.needles.length + (this.hexNeedles === null ? 0 : 1);
  }

  private get empty(): boolean {
    return this.needles.length === 0 && this.hexNeedles === null;
  }

  /** Returns true when the text contains a key, as is or escaped. */
  containsText(text: string): boolean {
    if (this.empty) return false;
    const windows = new WindowScanner(this);
    for (let start = 0; start < text.length; start += WINDOW_CHARS) {
      if (windows.push(text.slice(start, start + WINDOW_CHARS))) return true;
    }
    return false;
  }

  /** Returns true when the bytes contain a key, as is or escaped; bytes are read one byte per character. */
  contains(bytes: Uint8Array): boolean {
    if (this.empty) return false;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const windows = new WindowScanner(this);
    for (let start = 0; start < buffer.length; start += WINDOW_CHARS) {
      if (windows.push(buffer.toString('latin1', start, start + WINDOW_CHARS))) return true;
    }
    return false;
  }

  /**
   * Checks a body as stored and after undoing its content codings. A body that decodes to more
   * than MAX_DECODED_BYTES returns `too-large`, because the rest of it cannot be checked.
   */
  scanBody(body: Uint8Array, contentEncoding: string | null): BodyScan {
    if (this.empty) return 'clean';
    if (this.contains(body)) return 'found';

    const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const codings = contentEncoding === null ? [] : contentCodings(contentEncoding);
    if (codings.length > 0) {
      const result = this.scanDecoded(buffer, codings);
      if (result !== 'clean') return result;
    }
    // A gzip body sent without a Content-Encoding header, or under another coding, is read as gzip too.
    if (isGzip(buffer) && codings.join(',') !== 'gzip') return this.scanDecoded(buffer, ['gzip']);
    return 'clean';
  }

  /** Returns true when one of the texts contains a key. */
  matchesAny(texts: readonly string[]): boolean {
    const hexNeedles = this.hexNeedles;
    return texts.some((text) => this.needles.some((needle) => text.includes(needle)) || (hexNeedles !== null && hexNeedles.test(text)));
  }

  /** Returns the text and each unescaped form of it, most escaped first. */
  forms(text: string): string[] {
    const forms = [text];
    let current = text;
    for (let round = 0; round < MAX_UNESCAPE_ROUNDS && MAYBE_ESCAPED.test(current); round++) {
      const next = unescapeOnce(current);
      if (next === current) break;
      forms.push(next);
      current = next;
    }
    if (this.plusIsSpace) return [...forms, ...forms.filter((form) => form.includes('+')).map((form) => form.replace(/\+/g, ' '))];
    return forms;
  }

  get windowOverlap(): number {
    return this.overlap;
  }

  private scanDecoded(body: Buffer, codings: readonly string[]): BodyScan {
    let bytes = body;
    for (const coding of codings.toReversed()) {
      try {
        // A coding Hooktray does not decode leaves only the bytes as stored, which were checked.
        if (!isKnownCoding(coding)) return 'clean';
        bytes = undoContentCoding(bytes, coding, { partial: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too-large';
        // Corrupt data: no reader gets text out of it, and its bytes as stored were checked.
        return 'clean';
      }
    }
    return this.contains(bytes) ? 'found' : 'clean';
  }
}

/** Scans consecutive pieces of one text, keeping the end of the previous piece so no match is cut. */
class WindowScanner {
  private tail = '';

  constructor(private readonly scanner: SecretScanner) {}

  push(piece: string): boolean {
    const text = this.tail + piece;
    this.tail = text.slice(-this.scanner.windowOverlap);
    return this.scanner.matchesAny(this.scanner.forms(text));
  }
}

const HEX_TEXT = /^[0-9A-Fa-f]+$/;

/** Undoes one level of escapes; an escape it does not know keeps the escaped character. */
export function unescapeOnce(text: string): string {
  return text.replace(ESCAPE, (match, percent?: string, braced?: string, utf16?: string, long?: string, hex?: string, other?: string) => {
    if (percent !== undefined) return String.fromCharCode(parseInt(percent, 16));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    if (utf16 !== undefined) return String.fromCharCode(parseInt(utf16, 16));
    const codePoint = braced ?? long;
    if (codePoint !== undefined) {
      const value = parseInt(codePoint, 16);
      return value <= 0x10ffff ? String.fromCodePoint(value) : match;
    }
    if (other !== undefined) return SINGLE_CHAR_ESCAPES[other] ?? other;
    return "'";
  });
}

function isGzip(body: Buffer): boolean {
  return body.length >= 3 && body[0] === 0x1f && body[1] === 0x8b && body[2] === 0x08;
}

