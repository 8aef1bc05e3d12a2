/**
 * Characters that show nothing but change how text reads. They are the line and paragraph
 * separators and Unicode's default-ignorable code points: zero-width spaces and joiners,
 * bidirectional marks such as U+061C and U+200F, embeddings, overrides and isolates, the byte
 * order mark, soft hyphens and tag characters. Variation selectors are left out, because emoji
 * need them to show as intended.
 */
export const INVISIBLE_CHARS = /(?![\ufe00-\ufe0f\u{e0100}-\u{e01ef}])[\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** C0 controls, DEL, C1 controls and the invisible characters, one code point per match. */
const CONTROL_OR_INVISIBLE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${INVISIBLE_CHARS.source}`, 'gu');

/** The characters that JSON.stringify leaves raw: DEL, C1 controls and the invisible characters. */
const RAW_IN_JSON = new RegExp(`[\\u007f-\\u009f]|${INVISIBLE_CHARS.source}`, 'gu');

/** Returns the escape of one invisible code point, such as `\u202e`, or `\u{e0041}` beyond U+FFFF. */
export function invisibleEscape(codePoint: number): string {
  const hex = codePoint.toString(16);
  return codePoint > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * Escapes control characters (C0, DEL, C1) so received text shown on a terminal or a page
 * cannot move the cursor, change colours or ring the bell: ESC becomes `\x1b`, a newline `\n`.
 * Invisible characters that change how text reads, such as a byte order mark, zero-width
 * spaces and bidirectional overrides, become `\ufeff` and the like, so a sender cannot hide or
 * reverse part of what is shown.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_OR_INVISIBLE, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint <= 0x9f) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
    return invisibleEscape(codePoint);
  });
}

/**
 * Escapes, in JSON text, the characters that JSON.stringify leaves raw and a terminal may act
 * on: DEL, C1 controls and the invisible characters. They can only occur inside strings, so the
 * text parses to the same value. One beyond U+FFFF becomes its two `\uXXXX` surrogates.
 */
export function escapeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (char) => {
    let escaped = '';
    for (let index = 0; index < char.length; index++) escaped += `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/**
 * An escape as escapeControl writes it, such as `\r`, `\x07`, `\u200b` or `\u{e0041}`, or a
 * `\uXXXX` escape of a control such as `\u0007`. The hex digits and the `x` or `u` may be upper case.
 */
const SEARCH_ESCAPE = /\\([rt])|\\[xX]([0-9a-fA-F]{2})|\\[uU]\{([0-9a-fA-F]{1,6})\}|\\[uU]([0-9a-fA-F]{4})/gu;
const ESCAPED_CHAR = new RegExp(`^(?:${CONTROL_OR_INVISIBLE.source})$`, 'u');

/** An escape in search text: its offset, its text and the character it encodes. */
export interface SearchEscape {
  index: number;
  text: string;
  char: string;
}

/**
 * Finds the escapes in search text that encode a character escapeControl escapes, so that a
 * search typed as the escape shown, such as `\x07` or `\u200b`, can find the character itself.
 * Escapes of line feed are left out, because the body views show a line feed as a line break and
 * mark matches line by line. Escapes of other characters, such as `\u00e9`, stay text.
 */
export function searchEscapes(needle: string): SearchEscape[] {
  const escapes: SearchEscape[] = [];
  for (const match of needle.matchAll(SEARCH_ESCAPE)) {
    const char = escapedChar(match);
    if (char !== null) escapes.push({ index: match.index, text: match[0], char });
  }
  return escapes;
}

function escapedChar(match: RegExpMatchArray): string | null {
  if (match[1] === 'r') return '\r';
  if (match[1] === 't') return '\t';
  const codePoint = Number.parseInt(match[2] ?? match[3] ?? match[4] ?? '', 16);
  if (codePoint > 0x10ffff || codePoint === 0x0a) return null;
  const char = String.fromCodePoint(codePoint);
  return ESCAPED_CHAR.test(char) ? char : null;
}

/** Returns `needle` with each escape that searchEscapes finds replaced by its character. */
export function unescapeSearch(needle: string): string {
  let text = '';
  let at = 0;
  for (const escape of searchEscapes(needle)) {
    text += needle.slice(at, escape.index) + escape.char;
    at = escape.index + escape.text.length;
  }
  return text + needle.slice(at);
}
