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
