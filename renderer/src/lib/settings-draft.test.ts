import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/core/contract';
import { fromDraft, keyCountOf, toDraft } from './settings-draft';

const SETTINGS: Settings = {
  profiles: [],
  response: { status: 200, headers: {}, body: '', delayMs: 0 },
  retention: { maxCount: 0, maxAgeDays: 0 },
  subdomain: null,
  tunnelHost: null,
  notifications: { deliveries: true, invalidSignatures: true, tunnel: true },
  protection: { pathToken: null, rateLimitPerSecond: 0 },
};

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

describe('response headers draft', () => {
  it('keeps headers named like Object members', () => {
    const headers: [string, string][] = [
      ['__proto__', 'proto-value'],
      ['constructor', 'constructor-value'],
      ['toString', 'to-string-value'],
      ['Content-Type', 'application/json'],
    ];
    const draft = toDraft({ ...SETTINGS, response: { ...SETTINGS.response, headers: Object.fromEntries(headers) } });
    expect(draft.headersText).toBe('__proto__: proto-value\nconstructor: constructor-value\ntoString: to-string-value\nContent-Type: application/json');

    const result = fromDraft(draft);
    if (!result.ok) throw new Error(result.message);
    expect(Object.entries(result.settings.response.headers)).toEqual(headers);
    expect(Object.getPrototypeOf(result.settings.response.headers)).toBe(Object.prototype);
  });

  it('keeps the last value of a repeated name', () => {
    const result = fromDraft({ ...toDraft(SETTINGS), headersText: '__proto__: first\nX-Test: 1\n__proto__: second' });
    if (!result.ok) throw new Error(result.message);
    expect(Object.entries(result.settings.response.headers)).toEqual([
      ['__proto__', 'second'],
      ['X-Test', '1'],
    ]);
  });
});

