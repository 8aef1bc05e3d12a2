import { describe, expect, it } from 'vitest';
import { findMatchOffsets, findPattern, matchRanges } from './find-text';

function find(text: string, needle: string): string[] {
  const pattern = findPattern(needle);
  if (pattern === null) return [];
  return matchRanges(text, pattern).map(([start, end]) => text.slice(start, end));
}

describe('findPattern', () => {
  it('keeps offsets after a dotted capital I', () => {
    const text = 'İİİİİİİİ abc target xyz';
    const pattern = findPattern('target');
    expect(pattern).not.toBeNull();
    if (pattern === null) return;
    expect(matchRanges(text, pattern)).toEqual([[13, 19]]);
    expect(find(text, 'TARGET')).toEqual(['target']);
    expect(find(text, 'İ')).toHaveLength(8);
  });

  it('matches sharp s one character at a time', () => {
    expect(find('Straße STRASSE Straẞe', 'straße')).toEqual(['Straße', 'Straẞe']);
    expect(find('Straße', 'strasse')).toEqual([]);
    expect(find('ß then target', 'target')).toEqual(['target']);
  });

  it('finds emoji and keeps offsets after them', () => {
    const text = '😀 Target 😀😀 target 👍🏽';
    expect(find(text, 'target')).toEqual(['Target', 'target']);
    expect(find(text, '😀')).toEqual(['😀', '😀', '😀']);
    expect(find(text, '👍🏽')).toEqual(['👍🏽']);
    const pattern = findPattern('target');
    if (pattern === null) throw new Error('expected a pattern');
    expect(matchRanges(text, pattern)).toEqual([
      [3, 9],
      [15, 21],
    ]);
  });

  it('treats regular expression syntax as text', () => {
    expect(find('a.b axb (a.b)* [x]', 'a.b')).toEqual(['a.b', 'a.b']);
    expect(find('(a.b)* end', '(a.b)*')).toEqual(['(a.b)*']);
    expect(find('x [x] \\d /p/ a-b {1}|$^', '[x]')).toEqual(['[x]']);
    expect(find('x \\d /p/ a-b {1}|$^', '\\d')).toEqual(['\\d']);
    expect(find('x /p/ a-b {1}|$^', '/p/')).toEqual(['/p/']);
    expect(find('a-b {1}|$^', '{1}|$^')).toEqual(['{1}|$^']);
    expect(find('a-b', 'a-b')).toEqual(['a-b']);
  });

  it('finds non-overlapping match offsets', () => {
    const pattern = findPattern('aa');
    if (pattern === null) throw new Error('expected a pattern');
    expect(Array.from(findMatchOffsets('aaaaa', pattern))).toEqual([0, 2]);
    expect(Array.from(findMatchOffsets('İAaİaA', pattern))).toEqual([1, 4]);
    expect(Array.from(findMatchOffsets('', pattern))).toEqual([]);
  });

  it('finds invisible characters by their escape', () => {
    expect(find('a\u200bb', 'a\\u200bb')).toEqual(['a\u200bb']);
    expect(find('x\u202Ey', '\\u202E')).toEqual(['\u202e']);
    expect(find('tag \u{e0041} end', '\\u{E0041}')).toEqual(['\u{e0041}']);
    // Raw JSON keeps the escape as text, which still matches as text.
    expect(find('{"name":"a\\u200bb"}', '\\u200b')).toEqual(['\\u200b']);
  });

  it('finds control characters by their escape', () => {
    const text = 'ring\u0007bell del\u007f next\u0085 esc\u001b[1m';
    expect(find(text, '\\x07')).toEqual(['\u0007']);
    expect(find(text, '\\u0007')).toEqual(['\u0007']);
    expect(find(text, 'ring\\X07BELL')).toEqual(['ring\u0007bell']);
    expect(find(text, '\\x7f')).toEqual(['\u007f']);
    expect(find(text, '\\x85')).toEqual(['\u0085']);
    expect(find(text, '\\x1b[1m')).toEqual(['\u001b[1m']);
    // The escape's own text still matches, as in raw JSON.
    expect(find('{"bell":"\\u0007"}', '\\u0007')).toEqual(['\\u0007']);
  });

  it('finds tabs and lone carriage returns', () => {
    expect(find('a\tb', '\\t')).toEqual(['\t']);
    expect(find('a\tb', '\\x09')).toEqual(['\t']);
    // A carriage return before a line feed is part of the line break, which the views hide.
    expect(find('one\r\ntwo\rthree', '\\r')).toEqual(['\r']);
    const pattern = findPattern('\\r');
    if (pattern === null) throw new Error('expected a pattern');
    expect(matchRanges('one\r\ntwo\rthree', pattern)).toEqual([[8, 9]]);
  });

  it('keeps line feed escapes as text', () => {
    expect(find('a\nb a\\nb', 'a\\nb')).toEqual(['a\\nb']);
    expect(find('a\nb', 'a\\x0ab')).toEqual([]);
    expect(find('a\nb', 'a\\u000ab')).toEqual([]);
  });

  it('keeps other escapes as text', () => {
    expect(find('é and \\u00e9', '\\u00e9')).toEqual(['\\u00e9']);
    expect(find('\\u{110000}', '\\u{110000}')).toEqual(['\\u{110000}']);
    expect(find('\\u20', '\\u20')).toEqual(['\\u20']);
  });

  it('returns no pattern for an empty needle', () => {
    expect(findPattern('')).toBeNull();
  });
});
