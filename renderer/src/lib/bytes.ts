/** Views of a body's bytes that never change them: strict UTF-8 text and a hex dump. */

export interface DecodedText {
  text: string;
  /** False when the bytes are not valid UTF-8; `text` then shows U+FFFD for each bad sequence. */
  validUtf8: boolean;
  /** True when the bytes are better shown as hex: invalid UTF-8, or NUL and other C0 controls. */
  binary: boolean;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Share of control characters (other than tab, LF, CR, FF) above which text counts as binary. */
const MAX_CONTROL_SHARE = 0.01;

export function decodeBody(bytes: Uint8Array): DecodedText {
  let text: string;
  let validUtf8 = true;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    text = lenientDecoder.decode(bytes);
    validUtf8 = false;
  }
  return { text, validUtf8, binary: !validUtf8 || controlShare(text) > MAX_CONTROL_SHARE };
}

function controlShare(text: string): number {
  if (text.length === 0) return 0;
  const sample = Math.min(text.length, 64 * 1024);
  let controls = 0;
  for (let i = 0; i < sample; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c)) controls += 1;
  }
  return controls / sample;
}

export const HEX_BYTES_PER_LINE = 16;

export function hexLineCount(bytes: Uint8Array): number {
  return Math.ceil(bytes.length / HEX_BYTES_PER_LINE);
}

/** Formats one line of a hex dump: offset, 16 bytes in hex, and the printable ASCII characters. */
export function hexLine(bytes: Uint8Array, line: number): string {
  const start = line * HEX_BYTES_PER_LINE;
  const chunk = bytes.subarray(start, start + HEX_BYTES_PER_LINE);
  const hex: string[] = [];
  let ascii = '';
  for (let i = 0; i < HEX_BYTES_PER_LINE; i++) {
    const byte = chunk[i];
    hex.push(byte === undefined ? '  ' : byte.toString(16).padStart(2, '0'));
    if (byte !== undefined) ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  const offset = start.toString(16).padStart(8, '0');
  return `${offset}  ${hex.slice(0, 8).join(' ')}  ${hex.slice(8).join(' ')}  |${ascii}|`;
}

/** Lines between two progress reports of a hex dump. */
const HEX_PROGRESS_STEP_LINES = 1 << 16;

/** Formats the whole hex dump, one hexLine per 16 bytes, as Copy copies it. */
export function hexDump(bytes: Uint8Array, onProgress?: (fraction: number) => void): string {
  const count = hexLineCount(bytes);
  const lines: string[] = [];
  for (let line = 0; line < count; line++) {
    lines.push(hexLine(bytes, line));
    if (onProgress !== undefined && line % HEX_PROGRESS_STEP_LINES === HEX_PROGRESS_STEP_LINES - 1) onProgress(line / count);
  }
  return lines.join('\n');
}
