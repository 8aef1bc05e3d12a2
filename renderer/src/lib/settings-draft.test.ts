import { describe, expect, it } from 'vitest';
import { keyCountOf } from './settings-draft';

describe('keyCountOf', () => {
  it('reads a __proto__ profile from its own property', () => {
    const keyCounts = Object.fromEntries([
      ['__proto__', 2],
      ['spike', 1],
    ]);
    expect(keyCountOf(keyCounts, '__proto__')).toBe(2);
    expect(keyCountOf(keyCounts, 'spike')).toBe(1);
  });

  it('returns 0 for names found only on Object.prototype', () => {
    const keyCounts = { spike: 1 };
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(keyCountOf(keyCounts, name)).toBe(0);
    }
  });
});
