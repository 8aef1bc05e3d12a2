import type { ReactNode } from 'react';
import { escapeControl, INVISIBLE_CHARS } from '../../../electron/core/escape-control';

/** C0 controls, DEL, C1 controls and the invisible characters, one code point per match. */
const CONTROL_OR_INVISIBLE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${INVISIBLE_CHARS.source}`, 'gu');
/** The same characters without tab. */
const CONTROL_OR_INVISIBLE_EXCEPT_TAB = new RegExp(`[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f]|${INVISIBLE_CHARS.source}`, 'gu');

/**
 * Shows received text with each control and invisible character as its escape in a marked span,
 * the way `hooktray diff` prints it: CR as `\r`, ESC as `\x1b`, tab as `\t`, U+202E as `\u202e`.
 * So two lines that differ only in such characters look different.
 */
export function EscapedText({ text }: { text: string }): ReactNode {
  return escapeMatches(text, CONTROL_OR_INVISIBLE);
}

/**
 * Shows a line of a body view as EscapedText does, but keeps each tab, which lays out indented
 * and tab-separated text. The lines of a body view hold no line feed, and a carriage return in
 * one is not part of a CRLF line break, so it shows as `\r`.
 */
export function escapeBodyText(text: string): ReactNode {
  return escapeMatches(text, CONTROL_OR_INVISIBLE_EXCEPT_TAB);
}

function escapeMatches(text: string, pattern: RegExp): ReactNode {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    const codePoint = match[0].codePointAt(0) ?? 0;
    const kind = codePoint <= 0x9f ? 'a control character' : 'an invisible character';
    parts.push(
      <span key={match.index} className="invisible-char" title={`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}, ${kind} as received`}>
        {escapeControl(match[0])}
      </span>,
    );
    at = match.index + match[0].length;
  }
  if (at === 0) return text;
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
