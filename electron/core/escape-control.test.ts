import { describe, expect, it } from 'vitest';
import { escapeControl, searchEscapes, unescapeSearch } from './escape-control';

describe('searchEscapes', () => {
  it('finds each escape escapeControl writes', () => {
    for (const char of ['\u0007', '\u001b', '\u007f', '\u0085', '\u200b', '\u202e', '\ufeff', '\u{e0041}', '\t', '\r']) {
      const escape = escapeControl(char);
      expect(searchEscapes(`a${escape}b`), escape).toEqual([{ index: 1, text: escape, char }]);
    }
  });

  it('accepts other spellings of an escape', () => {
    expect(searchEscapes('\\u0007')).toEqual([{ index: 0, text: '\\u0007', char: '\u0007' }]);
    expect(searchEscapes('\\X1B')).toEqual([{ index: 0, text: '\\X1B', char: '\u001b' }]);
    expect(searchEscapes('\\U200B')).toEqual([{ index: 0, text: '\\U200B', char: '\u200b' }]);
    expect(searchEscapes('\\u{7}')).toEqual([{ index: 0, text: '\\u{7}', char: '\u0007' }]);
    expect(searchEscapes('\\xad')).toEqual([{ index: 0, text: '\\xad', char: '\u00ad' }]);
  });

  it('leaves other escapes as text', () => {
    expect(searchEscapes('\\n \\x0a \\u000a')).toEqual([]);
    expect(searchEscapes('\\u00e9 \\x41 \\u{110000} \\u20 \\x7 \\R \\T')).toEqual([]);
    expect(searchEscapes('no escapes')).toEqual([]);
  });
});

describe('unescapeSearch', () => {
  it('replaces escapes with characters', () => {
    expect(unescapeSearch('a\\u200bb\\x07c')).toBe('a\u200bb\u0007c');
    expect(unescapeSearch('\\u{e0041}\\r\\t')).toBe('\u{e0041}\r\t');
  });

  it('keeps other text unchanged', () => {
    expect(unescapeSearch('a\\nb \\u00e9 "x"')).toBe('a\\nb \\u00e9 "x"');
    expect(unescapeSearch('')).toBe('');
  });
});
