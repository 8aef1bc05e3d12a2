/**
 * Case-insensitive find over body text. It matches with a RegExp over the original text
 * (flags `giu`), so every offset it returns indexes that text. Lowercasing the text first would
 * change its length: `'İ'.toLowerCase()` is two code units, which shifts every later offset.
 * The `u` flag folds case one code point at a time (Unicode simple case folding), so `ẞ` finds
 * `ß` but `ss` does not, and an emoji matches as one character.
 */

import { searchEscapes } from '../../../electron/core/escape-control';
import { Uint32Builder } from './uint32-builder';

/** A match as [start, end) offsets in UTF-16 code units of the searched text. */
export type MatchRange = readonly [start: number, end: number];

const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/**
 * Returns a global, case-insensitive pattern for `needle`, or null for an empty needle. The body
 * views show a control or invisible character as its escape, such as `\x07` or `\u200b`, so that
 * escape in the needle finds the character as well as the escape's own text. `\u0007` finds
 * U+0007 too, and `\t` finds a tab, which the views show as whitespace.
 */
export function findPattern(needle: string): RegExp | null {
  if (needle === '') return null;
  let source = '';
  let at = 0;
  for (const escape of searchEscapes(needle)) {
    source += `${literal(needle.slice(at, escape.index))}(?:${literal(escape.text)}|${charPattern(escape.char)})`;
    at = escape.index + escape.text.length;
  }
  return new RegExp(source + literal(needle.slice(at)), 'giu');
}

/**
 * Returns the pattern of one escaped character. A carriage return before a line feed is part of
 * the line break, which the views do not show, so only a carriage return shown as `\r` matches.
 */
function charPattern(char: string): string {
  if (char === '\r') return '\\r(?!\\n)';
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}

function literal(text: string): string {
  return text.replace(REGEXP_SYNTAX, '\\$&');
}

/** Returns the non-overlapping matches of `pattern` in `text`, in order. */
export function matchRanges(text: string, pattern: RegExp): MatchRange[] {
  const ranges: MatchRange[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

/** Matches between two progress reports. */
const PROGRESS_STEP_MATCHES = 1 << 16;

/**
 * Returns where each match of `pattern` in `text` starts, ascending. `onProgress` receives the
 * share of the text searched so far, from 0 to 1, when matches are many.
 */
export function findMatchOffsets(text: string, pattern: RegExp, onProgress?: (fraction: number) => void): Uint32Array {
  const offsets = new Uint32Builder();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    offsets.push(match.index);
    if (onProgress !== undefined && offsets.length % PROGRESS_STEP_MATCHES === 0) onProgress(match.index / text.length);
  }
  return offsets.toArray();
}
