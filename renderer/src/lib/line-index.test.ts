import { describe, expect, it } from 'vitest';
import { countBelow, indexLines, lineAt, lineCountOf } from './line-index';

function linesOf(text: string): string[] {
  const starts = indexLines(text);
  return Array.from({ length: lineCountOf(starts) }, (_, index) => lineAt(text, starts, index));
}

describe('indexLines', () => {
  it.each(['', 'one line', 'a\n', 'a\nb', 'a\r\nb\r\n', '\r\n', '\n\n', 'cr\rinside\n', 'last line keeps its cr\r', 'İ😀\r\nß'])('cuts %j as split does', (text) => {
    expect(linesOf(text)).toEqual(text.split(/\r?\n/));
  });

  it('ends with the text length plus one', () => {
    expect(Array.from(indexLines('ab\ncd'))).toEqual([0, 3, 6]);
  });

  it('reports progress on a long text', () => {
    const text = 'line\n'.repeat(2_000_000);
    const reported: number[] = [];
    indexLines(text, (fraction) => reported.push(fraction));
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((fraction) => fraction > 0 && fraction < 1)).toBe(true);
  });
});

describe('countBelow', () => {
  it('counts values under a limit', () => {
    const sorted = Uint32Array.from([2, 5, 5, 9]);
    expect(countBelow(sorted, 0)).toBe(0);
    expect(countBelow(sorted, 5)).toBe(1);
    expect(countBelow(sorted, 6)).toBe(3);
    expect(countBelow(sorted, 100)).toBe(4);
    expect(countBelow(new Uint32Array(0), 3)).toBe(0);
  });
});
