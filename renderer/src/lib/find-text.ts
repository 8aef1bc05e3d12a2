/**
 * Case-insensitive find over body text. It matches with a RegExp over the original text
 * (flags `giu`), so every offset it returns indexes that text. Lowercasing the text first would
 * change its length: `'İ'.toLowerCase()` is two code units, which shifts every later offset.
 * The `u` flag folds case one code point at a time (Unicode simple case folding), so `ẞ` finds
 * `ß` but `ss` does not, and an emoji matches as one character.
 */

import { INVISIBLE_CHARS } from '../../../electron/core/escape-control';
import { Uint32Builder } from './uint32-builder';

/** A match as [start, end) offsets in UTF-16 code units of the searched text. */
export type MatchRange = readonly [start: number, end: number];

const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** A `\u200b` or `\u{e0041}` escape, as the body views show invisible characters. */
const UNICODE_ESCAPE = /\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})/giu;
const INVISIBLE_CHAR = new RegExp(`^${INVISIBLE_CHARS.source}$`, 'u');

/**
 * Returns a global, case-insensitive pattern for `needle`, or null for an empty needle. The body
 * views show an invisible character as its escape, such as `\u200b`, so that escape in the
 * needle also finds the character itself.
 */
export function findPattern(needle: string): RegExp | null {
  if (needle === '') return null;
  let source = '';
  let at = 0;
  for (const match of needle.matchAll(UNICODE_ESCAPE)) {
    const codePoint = Number.parseInt(match[1] ?? match[2] ?? '', 16);
    if (codePoint > 0x10ffff || !INVISIBLE_CHAR.test(String.fromCodePoint(codePoint))) continue;
    source += `${literal(needle.slice(at, match.index))}(?:${literal(match[0])}|\\u{${codePoint.toString(16)}})`;
    at = match.index + match[0].length;
  }
  return new RegExp(source + literal(needle.slice(at)), 'giu');
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
