import type { HeaderPair, TargetResponse } from '../../../electron/core/contract';
import { decodeBody, HEX_BYTES_PER_LINE, hexLine } from '../lib/bytes';
import { formatCount, formatSize, revealInvisible } from '../lib/format';

/** Characters of a text body shown in a recorded response; the rest is cut with a note. */
export const MAX_SHOWN_TEXT_CHARS = 64 * 1024;
/** Bytes of a binary body shown as a hex dump. */
export const MAX_SHOWN_HEX_BYTES = 256;

/** A target's response body as the Re-send dialog shows it. */
export type ResponseBodyView =
  | { kind: 'empty' }
  /** Text with control and invisible characters escaped, line breaks kept. */
  | { kind: 'text'; text: string; cut: boolean }
  /** The first MAX_SHOWN_HEX_BYTES bytes as hex dump lines. */
  | { kind: 'binary'; lines: string[]; cut: boolean };

/**
 * Builds the view of a recorded response body: UTF-8 text escaped for display, or a hex dump
 * of its start when the bytes are not text. Long bodies are cut, and `cut` is then true.
 */
export function responseBodyView(body: Uint8Array): ResponseBodyView {
  if (body.byteLength === 0) return { kind: 'empty' };

  const decoded = decodeBody(body);
  if (decoded.binary) {
    const shownBytes = body.subarray(0, MAX_SHOWN_HEX_BYTES);
    const lines = Array.from({ length: Math.ceil(shownBytes.byteLength / HEX_BYTES_PER_LINE) }, (_, line) => hexLine(shownBytes, line));
    return { kind: 'binary', lines, cut: body.byteLength > shownBytes.byteLength };
  }

  const cut = decoded.text.length > MAX_SHOWN_TEXT_CHARS;
  const shown = cut ? decoded.text.slice(0, MAX_SHOWN_TEXT_CHARS) : decoded.text;
  // Line breaks are kept so the body reads as sent; every other control character is escaped.
  return { kind: 'text', text: shown.split('\n').map(revealInvisible).join('\n'), cut };
}

/** Returns the notes that explain how the body shown differs from what the target sent. */
export function responseBodyNotes(response: Pick<TargetResponse, 'status' | 'headers' | 'body' | 'bodySize' | 'error'>, view: ResponseBodyView): string[] {
  const notes: string[] = [];
  const stored = response.body.byteLength;

  if (response.error !== null && response.status !== null) {
    notes.push(`The body did not finish: only ${formatSize(response.bodySize)} arrived before the error, so it is incomplete.`);
  } else if (response.bodySize > stored) {
    notes.push(`The target sent ${formatSize(response.bodySize)}; Hooktray stored the first ${formatSize(stored)}.`);
  }

  const encoding = contentEncodingOf(response.headers);
  if (encoding !== null && view.kind !== 'empty') notes.push(`The body is shown as received, encoded as ${revealInvisible(encoding)} (Content-Encoding).`);

  if (view.kind === 'binary') {
    const shown = view.cut ? `its first ${MAX_SHOWN_HEX_BYTES} bytes` : 'all of it';
    notes.push(`The body is binary (${formatSize(stored)} stored), so ${shown} is shown in hex.`);
  }
  if (view.kind === 'text' && view.cut) {
    notes.push(`Only the first ${formatCount(MAX_SHOWN_TEXT_CHARS)} characters are shown here; the stored body is ${formatSize(stored)}.`);
  }
  return notes;
}

function contentEncodingOf(headers: readonly HeaderPair[]): string | null {
  const value = headerValue(headers, 'content-encoding')?.trim();
  return value === undefined || value === '' || value.toLowerCase() === 'identity' ? null : value;
}

/** Returns the value of the first header named `name`, in any case. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([headerName]) => headerName.toLowerCase() === lower)?.[1];
}

/**
 * Returns the URL of a redirect's Location header resolved against `base`, the URL the request
 * went to. Control and invisible characters come back escaped for display. Returns null without a Location.
 */
export function redirectLocation(location: string | null | undefined, base: string): string | null {
  if (location === null || location === undefined) return null;
  let resolved = location;
  try {
    resolved = new URL(location, base).href;
  } catch {
    // A Location that is no URL reference is shown as sent.
  }
  return revealInvisible(resolved);
}
