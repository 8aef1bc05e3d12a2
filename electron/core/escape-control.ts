/**
 * Escapes control characters (C0, DEL, C1) so received text shown on a terminal or a page
 * cannot move the cursor, change colours or ring the bell: ESC becomes `\x1b`, a newline `\n`.
 * Invisible characters that change how text reads, such as a byte order mark, zero-width
 * spaces and bidirectional overrides, become `\ufeff` and the like, so a sender cannot hide or
 * reverse part of what is shown.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const code = char.charCodeAt(0);
    if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
