import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/core/contract';
import { failureReport, fromDraft, keyCountOf, toDraft } from './settings-draft';

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

describe('draft with several invalid fields', () => {
  const saved: Settings = {
    ...SETTINGS,
    profiles: [
      { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} },
      { name: 'gh', scheme: 'github', pathPrefix: '/gh', options: {} },
    ],
  };

  it('reports every field it cannot parse', () => {
    const draft = toDraft(saved);
    const result = fromDraft({
      ...draft,
      profiles: draft.profiles.map((profile) => ({ ...profile, optionsText: profile.name === 'spike' ? '[]' : '{"header":' })),
      status: 'abc',
      headersText: 'X-Good: 1\nno colon\nX-Other: 2\n: no name',
      maxAgeDays: '1e3',
      rateLimitPerSecond: '',
    });

    if (result.ok) throw new Error('A draft with seven problems parsed');
    expect(result.errors.map((error) => error.field)).toEqual([
      'profiles.0.options',
      'profiles.1.options',
      'response.status',
      'response.headers',
      'response.headers',
      'retention.maxAgeDays',
      'protection.rateLimitPerSecond',
    ]);
    expect(result.errors[2]?.message).toBe('"abc" is not a whole number. Enter digits only, such as 200.');
    expect(result.errors[3]?.message).toBe('Line 2 "no colon" is not in the form "Name: value". Write one header per line.');
    expect(result.errors[4]?.message).toBe('Line 4 ": no name" is not in the form "Name: value". Write one header per line.');
    expect(result.errors[6]?.message).toBe('Enter a whole number, such as 10.');
  });

  it('repeats the first problem as field and message', () => {
    const result = fromDraft({ ...toDraft(SETTINGS), delayMs: 'soon', maxCount: '-1' });

    if (result.ok) throw new Error('A draft with two problems parsed');
    expect(result.field).toBe('response.delayMs');
    expect(result.message).toBe('"soon" is not a whole number. Enter digits only, such as 0.');
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toEqual({ field: result.field, message: result.message });
  });
});

describe('failureReport', () => {
  const draft = toDraft({ ...SETTINGS, profiles: [{ name: 'gh', scheme: 'github', pathPrefix: '/gh', options: {} }] });

  it('marks each field once and counts them', () => {
    const report = failureReport(
      [
        { field: 'response.status', message: 'Enter an HTTP status code from 100 to 599.' },
        { field: 'response.headers.Bad Name', message: 'Use a valid header name.' },
        { field: 'tunnelHost', message: 'Enter an http or https URL.' },
        { field: 'response.headers.X-Test', message: 'Remove the line break.' },
      ],
      draft,
    );

    expect(report.fields).toEqual([
      { name: 'response.status', label: 'Status', text: 'Status: Enter an HTTP status code from 100 to 599.' },
      { name: 'response.headers', label: 'Headers (header "Bad Name")', text: 'Headers (header "Bad Name"): Use a valid header name. Headers (header "X-Test"): Remove the line break.' },
      { name: 'tunnelHost', label: 'Tunnel host', text: 'Tunnel host: Enter an http or https URL.' },
    ]);
    expect(report.summary).toBe('3 fields need fixing: Status, Headers (header "Bad Name"), Tunnel host. Nothing was saved.');
  });

  it('leaves a single field without a summary', () => {
    const report = failureReport([{ field: 'profiles.0.name', message: 'Enter a name.' }], draft);

    expect(report.fields).toEqual([{ name: 'profiles.0.name', label: 'Name of profile gh', text: 'Name of profile gh: Enter a name.' }]);
    expect(report.summary).toBeNull();
  });

  it('puts a failure without a form field in the summary', () => {
    const report = failureReport(
      [
        { field: 'profiles', message: 'Use at most 100 profiles.' },
        { field: 'response.status', message: 'Enter an HTTP status code from 100 to 599.' },
      ],
      draft,
    );

    expect(report.fields.map((field) => field.name)).toEqual(['response.status']);
    expect(report.summary).toBe('Use at most 100 profiles.');
  });
});
