import { contentCodings, isKnownCoding, undoContentCoding } from '../content-encoding';
import { keySpellings, keyTexts } from '../signatures/key-spellings';

/** Result of checking a body: a key found, none found, or the body too large to decompress and check. */
export type BodyScan = 'found' | 'clean' | 'too-large';

/**
 * Rounds of unescaping tried on each text, so a key escaped twice (a percent-encoded
 * JSON escape inside a string literal, for example) is still found.
 */
const MAX_UNESCAPE_ROUNDS = 6;

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
 * single quotes), percent-encoding, `\u{…}`, `\uXXXX`, `\UXXXXXXXX`, `\xXX`, a backslash before
 * any other character, and HTML's numeric character references (the semicolon is optional, as
 * browsers read them) and the named ones of ASCII punctuation.
 */
const ESCAPE = /'\\''|'"'"'|%([0-9A-Fa-f]{2})|\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\x([0-9A-Fa-f]{2})|\\([^])|&#([0-9]{1,7});?|&#[xX]([0-9A-Fa-f]{1,6});?|&([A-Za-z]{2,8});/g;

const MAYBE_ESCAPED = /[%\\'&]/;

/** A quoted-printable escape (`=3D`) or soft line break (`=` at the end of a line), as in email bodies. */
const QUOTED_PRINTABLE = /=(?:([0-9A-F]{2})|\r?\n)/g;
const MAYBE_QUOTED_PRINTABLE = /=(?:[0-9A-F]{2}|\r?\n)/;

/** HTML named character references of ASCII punctuation, as HTML5's table names them (PHP's htmlentities writes them with ENT_HTML5). */
const HTML_NAMED: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", plus: '+', sol: '/', bsol: '\\', equals: '=', colon: ':', semi: ';', comma: ',', period: '.',
  excl: '!', quest: '?', num: '#', dollar: '$', percnt: '%', ast: '*', lowbar: '_', commat: '@', lpar: '(', rpar: ')', lsqb: '[', rsqb: ']',
  lcub: '{', rcub: '}', verbar: '|', grave: '`', Hat: '^', tilde: '~',
};

const SINGLE_CHAR_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * Finds configured keys in what an export is about to write. A key counts as found when it
 * appears as is or once escapes are undone: percent-encoding (URLs and query strings),
 * backslash escapes (JSON and the string literals of code snippets), shell quoting, HTML
 * character references, and mixes of these up to MAX_UNESCAPE_ROUNDS deep. Bodies are also
 * checked after undoing their `Content-Encoding`, and after up to MAX_UNANNOUNCED_ROUNDS layers
 * of gzip or zlib data that no header announces.
 *
 * Each key is searched in every spelling of `keySpellings`: its texts, the hex and base64 of
 * their bytes, also inside longer base64 such as Basic credentials, and the bytes that a hex or
 * base64 key stands for. Each spelling is also searched as its UTF-8 bytes read one byte per
 * character, which is how Node reads header values and paths and how bytes are scanned here,
 * and each key text as UTF-16 in both byte orders. Every needle made only of hex digits is
 * matched without regard to case, because `A1B2` and `a1b2` are the same bytes; other needles
 * match case-sensitively.
 *
 * NOTE: Other encodings are not searched, such as base32, base64 of compressed data inside a
 * body, raw deflate without a header, or JSON escapes inside UTF-16, nor is a key split across two headers.
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
      // A body in UTF-16 has each key text as two bytes per code unit, in either byte order.
      for (const text of keyTexts(key)) {
        const littleEndian = Buffer.from(text, 'utf16le');
        needles.add(littleEndian.toString('latin1'));
        needles.add(Buffer.from(littleEndian).swap16().toString('latin1'));
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

    let current = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const codings = contentEncoding === null ? [] : contentCodings(contentEncoding);
    if (codings.length > 0) {
      const decoded = decodeForScan(current, codings);
      if (decoded === 'too-large') return decoded;
      if (decoded !== null) {
        if (this.contains(decoded)) return 'found';
        current = decoded;
      }
    }
    // Compressed data that no header announces, such as gzip inside gzip or a zlib stream sent without Content-Encoding, is read too.
    for (let round = 0; round < MAX_UNANNOUNCED_ROUNDS; round++) {
      const coding = sniffCoding(current);
      if (coding === null) break;
      const decoded = decodeForScan(current, [coding]);
      if (decoded === 'too-large') return decoded;
      if (decoded === null) break;
      if (this.contains(decoded)) return 'found';
      current = decoded;
    }
    return 'clean';
  }

  /** Returns true when one of the texts contains a key. */
  matchesAny(texts: readonly string[]): boolean {
    const hexNeedles = this.hexNeedles;
    return texts.some((text) => this.needles.some((needle) => text.includes(needle)) || (hexNeedles !== null && hexNeedles.test(text)));
  }

  /** Returns the text and each unescaped form of it, most escaped first. */
  forms(text: string): string[] {
    // Base64 and quoted-printable wrap long lines, which can split a key, so the text is also read without its line breaks and QP escapes.
    const forms = [text];
    if (text.includes('\n')) forms.push(text.replace(/\r?\n[ \t]*/g, ''));
    if (MAYBE_QUOTED_PRINTABLE.test(text)) forms.push(text.replace(QUOTED_PRINTABLE, (_, hex?: string) => (hex === undefined ? '' : String.fromCharCode(parseInt(hex, 16)))));
    for (const start of forms.slice()) {
      let current = start;
      for (let round = 0; round < MAX_UNESCAPE_ROUNDS && MAYBE_ESCAPED.test(current); round++) {
        const next = unescapeOnce(current);
        if (next === current) break;
        forms.push(next);
        current = next;
      }
    }
    if (this.plusIsSpace) return [...forms, ...forms.filter((form) => form.includes('+')).map((form) => form.replace(/\+/g, ' '))];
    return forms;
  }

  get windowOverlap(): number {
    return this.overlap;
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
  return text.replace(ESCAPE, (match, percent?: string, braced?: string, utf16?: string, long?: string, hex?: string, other?: string, decimalRef?: string, hexRef?: string, named?: string) => {
    if (percent !== undefined) return String.fromCharCode(parseInt(percent, 16));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    if (utf16 !== undefined) return String.fromCharCode(parseInt(utf16, 16));
    if (other !== undefined) return SINGLE_CHAR_ESCAPES[other] ?? other;
    if (named !== undefined) return Object.hasOwn(HTML_NAMED, named) ? (HTML_NAMED[named] as string) : match;
    const hexDigits = braced ?? long ?? hexRef;
    const codePoint = hexDigits !== undefined ? parseInt(hexDigits, 16) : decimalRef !== undefined ? parseInt(decimalRef, 10) : null;
    if (codePoint === null) return "'";
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : match;
  });
}

/** Layers of compression without a Content-Encoding that scanBody undoes. */
const MAX_UNANNOUNCED_ROUNDS = 5;

/**
 * Undoes `codings`, given in the order applied, and returns the bytes. Returns null when a
 * coding is unknown or the data is corrupt, because no reader gets text out of it, and
 * `too-large` past MAX_DECODED_BYTES.
 */
function decodeForScan(body: Buffer, codings: readonly string[]): Buffer | 'too-large' | null {
  let bytes = body;
  for (const coding of codings.toReversed()) {
    if (!isKnownCoding(coding)) return null;
    try {
      bytes = undoContentCoding(bytes, coding, { partial: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too-large';
      return null;
    }
  }
  return bytes;
}

/** Returns the coding that `bytes` start like: gzip's magic bytes, or the zlib header (RFC 1950) of deflate. */
function sniffCoding(bytes: Buffer): 'gzip' | 'deflate' | null {
  if (bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) return 'gzip';
  const [first = 0, second = 0] = bytes;
  if (bytes.length >= 2 && (first & 0x0f) === 8 && first >> 4 <= 7 && (first * 256 + second) % 31 === 0) return 'deflate';
  return null;
}

