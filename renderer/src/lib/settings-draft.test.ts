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


describe('profile renames draft', () => {
  const saved: Settings = {
    ...SETTINGS,
    profiles: [
      { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} },
      { name: 'gh', scheme: 'github', pathPrefix: '/gh', options: {} },
    ],
  };

  it('lists a saved profile whose name changed', () => {
    const draft = toDraft(saved);
    const result = fromDraft({ ...draft, profiles: draft.profiles.map((profile) => (profile.name === 'spike' ? { ...profile, name: ' spike-prod ' } : profile)) });
    if (!result.ok) throw new Error(result.message);
    expect(result.profileRenames).toEqual([{ from: 'spike', to: 'spike-prod' }]);
    expect(result.settings.profiles.map((profile) => profile.name)).toEqual(['spike-prod', 'gh']);
  });

  it('lists no rename for unchanged or added profiles', () => {
    const draft = toDraft(saved);
    const added = { savedName: null, name: 'spike-2', scheme: 'spike', pathPrefix: '/', optionsText: '{}', newKey: '' };
    const result = fromDraft({ ...draft, profiles: [...draft.profiles, added] });
    if (!result.ok) throw new Error(result.message);
    expect(result.profileRenames).toEqual([]);
  });
});

describe('new keys draft', () => {
  const saved: Settings = { ...SETTINGS, profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }] };

  it('lists a typed key under the new name', () => {
    const draft = toDraft(saved);
    const result = fromDraft({ ...draft, profiles: draft.profiles.map((profile) => ({ ...profile, name: 'spike-prod', newKey: 'made-up-key\n' })) });
    if (!result.ok) throw new Error(result.message);
    expect(result.newKeys).toEqual([{ profile: 'spike-prod', key: 'made-up-key\n' }]);
  });

  it('marks the replacing key of one profile', () => {
    const draft = toDraft({ ...saved, profiles: [...saved.profiles, { name: 'gh', scheme: 'github', pathPrefix: '/gh', options: {} }] });
    const result = fromDraft({ ...draft, profiles: draft.profiles.map((profile) => ({ ...profile, newKey: `${profile.name}-made-up-key` })) }, 1);
    if (!result.ok) throw new Error(result.message);
    expect(result.newKeys).toEqual([
      { profile: 'spike', key: 'spike-made-up-key' },
      { profile: 'gh', key: 'gh-made-up-key', mode: 'replace' },
    ]);
  });

  it('lists no blank or unsaved keys', () => {
    const draft = toDraft(saved);
    const added = { savedName: null, name: 'other', scheme: 'spike', pathPrefix: '/', optionsText: '{}', newKey: 'made-up-key' };
    const result = fromDraft({ ...draft, profiles: [...draft.profiles.map((profile) => ({ ...profile, newKey: ' \n' })), added] });
    if (!result.ok) throw new Error(result.message);
    expect(result.newKeys).toEqual([]);
  });
});

describe('number fields draft', () => {
  it('rejects numbers that are not decimal digits', () => {
    for (const text of ['0x1F4', '1e3', '-1', '2.5', '+200', '200 OK', '']) {
      const result = fromDraft({ ...toDraft(SETTINGS), status: text });
      expect(result.ok, text).toBe(false);
      expect(result.ok ? '' : result.field, text).toBe('response.status');
    }
  });

  it('explains a rejected number', () => {
    const invalid = fromDraft({ ...toDraft(SETTINGS), status: '0x1F4' });
    expect(invalid.ok ? '' : invalid.message).toBe('"0x1F4" is not a whole number. Enter digits only, such as 200.');
    const empty = fromDraft({ ...toDraft(SETTINGS), delayMs: ' ' });
    expect(empty.ok ? '' : empty.message).toBe('Enter a whole number, such as 0.');
  });

  it('accepts digits around spaces and leaves ranges to the core', () => {
    const result = fromDraft({ ...toDraft(SETTINGS), status: ' 042 ', rateLimitPerSecond: '99999999999' });
    if (!result.ok) throw new Error(result.message);
    expect(result.settings.response.status).toBe(42);
    expect(result.settings.protection.rateLimitPerSecond).toBe(99_999_999_999);
  });

  it('accepts a fraction of days only', () => {
    const days = fromDraft({ ...toDraft(SETTINGS), maxAgeDays: '0.5' });
    if (!days.ok) throw new Error(days.message);
    expect(days.settings.retention.maxAgeDays).toBe(0.5);
    const count = fromDraft({ ...toDraft(SETTINGS), maxCount: '0.5' });
    expect(count.ok ? '' : count.field).toBe('retention.maxCount');
    const exponent = fromDraft({ ...toDraft(SETTINGS), maxAgeDays: '1e3' });
    expect(exponent.ok ? '' : exponent.field).toBe('retention.maxAgeDays');
  });
});
