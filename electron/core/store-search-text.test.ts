import { describe, expect, it } from 'vitest';
import { bodySearchText, SEARCH_BODY_BYTES, TrigramBudget } from './store-search-text';

describe('bodySearchText', () => {
  it('returns UTF-8 text as it is', () => {
    expect(bodySearchText(Buffer.from('{"name": "Zoë"}\r\n\tend\f'))).toBe('{"name": "Zoë"}\r\n\tend\f');
  });

  it('returns empty text for an empty body', () => {
    expect(bodySearchText(null)).toBe('');
    expect(bodySearchText(new Uint8Array(0))).toBe('');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(bodySearchText(Buffer.from([0x7b, 0xff, 0x7d]))).toBeNull();
    // A short body that ends inside a character is not text, because it was not cut.
    expect(bodySearchText(Buffer.from('caf\xc3', 'latin1'))).toBeNull();
  });

  it('rejects UTF-8 that is mostly control characters', () => {
    expect(bodySearchText(Buffer.from('text in UTF-16', 'utf16le'))).toBeNull();
    expect(bodySearchText(Buffer.from(`${'\x1b'.repeat(2)}${'a'.repeat(18)}`))).toBe(`${'\x1b'.repeat(2)}${'a'.repeat(18)}`);
    expect(bodySearchText(Buffer.from(`${'\x1b'.repeat(3)}${'a'.repeat(17)}`))).toBeNull();
    expect(bodySearchText(Buffer.from(`${'\x7f'.repeat(3)}${'a'.repeat(17)}`))).toBeNull();
  });

  it('leaves out a character cut at the prefix end', () => {
    const prefix = Buffer.concat([Buffer.from('a'.repeat(SEARCH_BODY_BYTES - 1)), Buffer.from('é').subarray(0, 1)]);
    expect(bodySearchText(prefix)).toBe('a'.repeat(SEARCH_BODY_BYTES - 1));
    const fourBytes = Buffer.concat([Buffer.from('a'.repeat(SEARCH_BODY_BYTES - 3)), Buffer.from('😀').subarray(0, 3)]);
    expect(bodySearchText(fourBytes)).toBe('a'.repeat(SEARCH_BODY_BYTES - 3));
    const whole = Buffer.concat([Buffer.from('a'.repeat(SEARCH_BODY_BYTES - 2)), Buffer.from('é')]);
    expect(bodySearchText(whole)).toBe(`${'a'.repeat(SEARCH_BODY_BYTES - 2)}é`);
  });
});

describe('TrigramBudget', () => {
  it('counts each distinct trigram once', () => {
    const budget = new TrigramBudget(10);
    expect(budget.take('abcabcabc')).toBe('abcabcabc');
    // abc, bca, cab
    expect(budget.count).toBe(3);
    expect(budget.take('ABCA')).toBe('ABCA');
    expect(budget.count).toBe(3);
  });

  it('cuts text before the first trigram over the maximum', () => {
    const budget = new TrigramBudget(3);
    // abc, bcd, cde fit; def would be the fourth.
    expect(budget.take('abcdefg')).toBe('abcde');
    expect(budget.count).toBe(3);
    expect(budget.take('xyz')).toBe('xy');
    expect(budget.take('ABCDE')).toBe('ABCDE');
  });

  it('shares the maximum between texts', () => {
    const budget = new TrigramBudget(4);
    expect(budget.take('/path')).toBe('/path');
    expect(budget.take('other')).toBe('oth');
    expect(budget.count).toBe(4);
  });

  it('never splits a surrogate pair', () => {
    const budget = new TrigramBudget(1);
    expect(budget.take('ab😀')).toBe('ab');
  });
});
