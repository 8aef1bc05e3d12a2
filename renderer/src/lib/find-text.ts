/**
 * Case-insensitive find over body text. It matches with a RegExp over the original text
 * (flags `giu`), so every offset it returns indexes that text. Lowercasing the text first would
 * change its length: `'İ'.toLowerCase()` is two code units, which shifts every later offset.
 * The `u` flag folds case one code point at a time (Unicode simple case folding), so `ẞ` finds
 * `ß` but `ss` does not, and an emoji matches as one character.
 */

/** A match as [start, end) offsets in UTF-16 code units of the searched text. */
export type MatchRange = readonly [start: number, end: number];

const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** Returns a global, case-insensitive pattern for `needle`, or null for an empty needle. */
export function findPattern(needle: string): RegExp | null {
  if (needle === '') return null;
  return new RegExp(needle.replace(REGEXP_SYNTAX, '\\$&'), 'giu');
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

/** Counts the non-overlapping matches of `pattern` in `text`. */
export function countMatches(text: string, pattern: RegExp): number {
  let count = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) count += 1;
  return count;
}
