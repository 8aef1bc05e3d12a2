import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config';
import type { Settings } from './contract';
import { parseInvokeRequest } from './contract-schemas';
import { MemoryKeyStore, MutableVault } from './key-store';
import { silentLogger } from './logger';
import type { SettingsTarget } from './settings';
import { DEFAULT_SETTINGS, SettingsService, checkProfiles, loadSettingsFile, saveSettingsFile } from './settings';

/** Response headers whose names are also members of Object.prototype, in the order sent. */
const OBJECT_MEMBER_HEADERS: [string, string][] = [
  ['__proto__', 'proto-value'],
  ['constructor', 'constructor-value'],
  ['toString', 'to-string-value'],
  ['Content-Type', 'application/json'],
];

/** Builds a SettingsTarget that records each response it is given and ignores the rest. */
function responseRecorder(responses: Settings['response'][]): SettingsTarget {
  return {
    useProfiles: () => undefined,
    setProfiles: async () => 0,
    setResponse: (response) => responses.push(response),
    setRetention: () => undefined,
    countPrunable: () => 0,
    setProtection: () => undefined,
    pushes: { publish: () => undefined },
  };
}

describe('settings file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-settings-'));
    file = join(dir, 'settings.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns defaults when the file is missing', () => {
    expect(loadSettingsFile(file)).toEqual(DEFAULT_SETTINGS);
  });

  it('round-trips saved settings without temporary files', async () => {
    const settings = { ...DEFAULT_SETTINGS, subdomain: 'my-hooks', profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }] };
    await saveSettingsFile(file, settings);
    expect(loadSettingsFile(file)).toEqual(settings);
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('fills fields missing from an older file', () => {
    writeFileSync(file, JSON.stringify({ version: 1, settings: { subdomain: 'old' } }));
    const settings = loadSettingsFile(file);
    expect(settings.subdomain).toBe('old');
    expect(settings.notifications).toEqual(DEFAULT_SETTINGS.notifications);
  });

  it('names the file and field of an invalid value', () => {
    writeFileSync(file, JSON.stringify({ version: 1, settings: { response: { status: 99, headers: {}, body: '', delayMs: 0 } } }));
    expect(() => loadSettingsFile(file)).toThrow(ConfigError);
    expect(() => loadSettingsFile(file)).toThrow(/settings\.response\.status/);
    expect(() => loadSettingsFile(file)).toThrow(file);
  });

  it('rejects a file that is not JSON', () => {
    writeFileSync(file, '{oops');
    expect(() => loadSettingsFile(file)).toThrow(/not valid JSON/);
  });

  it('checks profile names and schemes', () => {
    const twice = checkProfiles([
      { name: 'a', scheme: 'spike', pathPrefix: '/', options: {} },
      { name: 'a', scheme: 'spike', pathPrefix: '/b', options: {} },
    ]);
    expect(twice?.field).toBe('profiles.1.name');
    const samePrefix = checkProfiles([
      { name: 'a', scheme: 'spike', pathPrefix: '/s', options: {} },
      { name: 'b', scheme: 'github', pathPrefix: '/s', options: {} },
    ]);
    expect(samePrefix?.field).toBe('profiles.1.pathPrefix');
    expect(samePrefix?.message).toBe('The path prefix "/s" is profile "a"\'s too, which verifies every delivery under it: give each profile its own path prefix.');
    expect(checkProfiles([{ name: 'a', scheme: 'nope', pathPrefix: '/', options: {} }])?.field).toBe('profiles.0.scheme');
    expect(checkProfiles([{ name: 'a', scheme: 'spike', pathPrefix: '/', options: {} }])).toBeNull();
  });

  it('saves updates and drops keys of removed profiles', async () => {
    const keyStore = new MemoryKeyStore();
    const vault = new MutableVault({ spike: ['k1'], gone: ['k2'] });
    const initial = {
      ...DEFAULT_SETTINGS,
      profiles: [
        { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} },
        { name: 'gone', scheme: 'spike', pathPrefix: '/gone', options: {} },
      ],
    };
    const service = new SettingsService({ file, keyStore, vault, initial, logger: silentLogger });

    const result = await service.update({ profiles: [initial.profiles[0] as (typeof initial.profiles)[number]] });
    expect(result.ok).toBe(true);
    expect(vault.keyCounts()).toEqual({ spike: 1 });
    expect(await keyStore.load()).toEqual({ spike: ['k1'] });
    expect(JSON.parse(readFileSync(file, 'utf8')).settings.profiles).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).not.toContain('k1');
  });

  it('rejects a blank key', async () => {
    const service = new SettingsService({
      file: null,
      keyStore: new MemoryKeyStore(),
      vault: new MutableVault(),
      initial: { ...DEFAULT_SETTINGS, profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', options: {} }] },
      logger: silentLogger,
    });
    const result = await service.setKeys({ profile: 'spike', keys: ['  \n'], mode: 'add' });
    expect(result).toMatchObject({ ok: false, code: 'invalid-key', field: 'keys.0' });
  });

  it('rejects keys invalid in keyEncoding', async () => {
    const keyStore = new MemoryKeyStore();
    const vault = new MutableVault();
    const profiles = [
      { name: 'hex', scheme: 'hmac', pathPrefix: '/hex', options: { header: 'X-Sig', keyEncoding: 'hex' } },
      { name: 'b64', scheme: 'hmac', pathPrefix: '/b64', options: { header: 'X-Sig', keyEncoding: 'base64' } },
    ];
    const service = new SettingsService({ file: null, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles }, logger: silentLogger });

    const hex = await service.setKeys({ profile: 'hex', keys: ['00112233', 'made-up-key'], mode: 'add' });
    expect(hex).toMatchObject({ ok: false, code: 'invalid-key', field: 'keys.1' });
    if (hex.ok) return;
    expect(hex.message).toContain('Key 2 of the new keys for profile "hex" is not valid hex');
    expect(hex.message).toContain('"keyEncoding"');
    expect(hex.message).not.toContain('made-up-key');

    const base64 = await service.setKeys({ profile: 'b64', keys: ['made-up-key'], mode: 'replace' });
    expect(base64).toMatchObject({ ok: false, code: 'invalid-key', field: 'keys.0' });
    expect(base64.ok ? '' : base64.message).toMatch(/^The new key for profile "b64" is not valid base64/);
    expect(vault.keyCounts()).toEqual({});
    expect(await keyStore.load()).toEqual({});

    expect(await service.setKeys({ profile: 'hex', keys: ['00112233'], mode: 'add' })).toMatchObject({ ok: true, keyCount: 1 });
  });

  it('names a rejected new key as new', async () => {
    const vault = new MutableVault({ h: ['00112233'] });
    const profiles = [{ name: 'h', scheme: 'hmac', pathPrefix: '/h', options: { header: 'X-Sig', keyEncoding: 'base64' } }];
    const service = new SettingsService({ file: null, keyStore: new MemoryKeyStore(), vault, initial: { ...DEFAULT_SETTINGS, profiles }, logger: silentLogger });

    const result = await service.setKeys({ profile: 'h', keys: ['zzNOTHEXzz'], mode: 'add' });

    expect(result).toMatchObject({ ok: false, code: 'invalid-key', field: 'keys.0' });
    if (result.ok) return;
    expect(result.message).toMatch(/^The new key for profile "h" is not valid base64/);
    expect(result.message).not.toContain('Key 1');
    expect(result.message).not.toContain('zzNOTHEXzz');
    expect(vault.keysFor('h')).toEqual(['00112233']);
  });

  it('rejects a key the profile has', async () => {
    const vault = new MutableVault({ spike: ['made-up-key-one'] });
    const profiles = [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }];
    const service = new SettingsService({ file: null, keyStore: new MemoryKeyStore(), vault, initial: { ...DEFAULT_SETTINGS, profiles }, logger: silentLogger });

    const again = await service.setKeys({ profile: 'spike', keys: ['made-up-key-one\n'], mode: 'add' });
    expect(again).toMatchObject({ ok: false, code: 'invalid-key', field: 'keys.0' });
    expect(again.ok ? '' : again.message).toBe('The new key for profile "spike" is already key 1 of the profile: nothing to add.');

    const twice = await service.setKeys({ profile: 'spike', keys: ['made-up-key-two', 'made-up-key-two'], mode: 'add' });
    expect(twice.ok ? '' : twice.message).toBe('Key 2 of the new keys for profile "spike" was entered twice: enter each key once.');

    const update = await service.update({ profiles, newKeys: [{ profile: 'spike', key: 'made-up-key-one' }] });
    expect(update).toMatchObject({ ok: false, code: 'invalid-key', field: 'profiles.0.newKey' });
    expect(vault.keysFor('spike')).toEqual(['made-up-key-one']);

    expect(await service.setKeys({ profile: 'spike', keys: ['made-up-key-one'], mode: 'replace' })).toMatchObject({ ok: true, keyCount: 1 });
  });

  it('adds a first key to a __proto__ profile', async () => {
    const vault = new MutableVault();
    const profiles = [{ name: '__proto__', scheme: 'spike', pathPrefix: '/p', options: {} }];
    const service = new SettingsService({ file: null, keyStore: new MemoryKeyStore(), vault, initial: { ...DEFAULT_SETTINGS, profiles }, logger: silentLogger });

    const result = await service.update({ profiles, newKeys: [{ profile: '__proto__', key: 'made-up-proto-key' }] });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('__proto__')).toEqual(['made-up-proto-key']);
  });

  it('counts keys of profiles named like Object properties', async () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const service = new SettingsService({
      file: null,
      keyStore: new MemoryKeyStore(),
      vault: new MutableVault(),
      initial: { ...DEFAULT_SETTINGS, profiles: names.map((name) => ({ name, scheme: 'spike', pathPrefix: `/${name}`, options: {} })) },
      logger: silentLogger,
    });
    expect(await service.setKeys({ profile: '__proto__', keys: ['k1', 'k2'], mode: 'add' })).toMatchObject({ ok: true, keyCount: 2 });

    const { keyCounts } = service.view();
    expect(Object.keys(keyCounts)).toEqual(names);
    expect(Object.getOwnPropertyDescriptor(keyCounts, '__proto__')?.value).toBe(2);
    expect(Object.getOwnPropertyDescriptor(keyCounts, 'constructor')?.value).toBe(0);
    expect(Object.getOwnPropertyDescriptor(keyCounts, 'toString')?.value).toBe(0);
    expect(JSON.parse(JSON.stringify(keyCounts))).toEqual({ ['__proto__']: 2, constructor: 0, toString: 0 });
  });

  it('keeps keys of a __proto__ profile when others change', async () => {
    const keyStore = new MemoryKeyStore();
    const vault = new MutableVault(Object.fromEntries([['__proto__', ['k1']]]));
    const proto = { name: '__proto__', scheme: 'spike', pathPrefix: '/proto', options: {} };
    const service = new SettingsService({ file: null, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles: [proto] }, logger: silentLogger });

    const result = await service.update({ profiles: [proto, { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }] });
    expect(result.ok).toBe(true);
    expect(vault.keysFor('__proto__')).toEqual(['k1']);
    expect(Object.getOwnPropertyDescriptor(await keyStore.load(), '__proto__')?.value).toEqual(['k1']);
  });

  it('loads response headers named like Object members', () => {
    const response = { ...DEFAULT_SETTINGS.response, headers: Object.fromEntries(OBJECT_MEMBER_HEADERS) };
    writeFileSync(file, JSON.stringify({ version: 1, settings: { response } }));

    const headers = loadSettingsFile(file).response.headers;
    expect(Object.entries(headers)).toEqual(OBJECT_MEMBER_HEADERS);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it('saves and applies response headers named like Object members', async () => {
    const response = { ...DEFAULT_SETTINGS.response, headers: Object.fromEntries(OBJECT_MEMBER_HEADERS) };
    // JSON.parse creates "__proto__" as an own key, as the browser bridge does with each request.
    const request = parseInvokeRequest('settings.update', JSON.parse(JSON.stringify({ response })));
    if (!request.ok) throw new Error(request.message);
    const applied: Settings['response'][] = [];
    const service = new SettingsService({ file, keyStore: new MemoryKeyStore(), vault: new MutableVault(), initial: DEFAULT_SETTINGS, logger: silentLogger });
    service.attach(responseRecorder(applied));

    const result = await service.update(request.request);
    expect(result.ok).toBe(true);
    expect(Object.entries(applied[0]?.headers ?? {})).toEqual(OBJECT_MEMBER_HEADERS);
    expect(Object.entries(service.current.response.headers)).toEqual(OBJECT_MEMBER_HEADERS);
    expect(Object.entries(loadSettingsFile(file).response.headers)).toEqual(OBJECT_MEMBER_HEADERS);
  });

  it('names the field of an invalid response header', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['a value with a line break', Object.fromEntries([['__proto__', 'a\r\nSet-Cookie: x=1']]), 'response.headers.__proto__'],
      ['a name with a space', { 'Bad Name': 'x' }, 'response.headers.Bad Name'],
    ];
    for (const [label, headers, field] of cases) {
      const request = parseInvokeRequest('settings.update', JSON.parse(JSON.stringify({ response: { ...DEFAULT_SETTINGS.response, headers } })));
      if (!request.ok) throw new Error(request.message);
      const applied: Settings['response'][] = [];
      const service = new SettingsService({ file, keyStore: new MemoryKeyStore(), vault: new MutableVault(), initial: DEFAULT_SETTINGS, logger: silentLogger });
      service.attach(responseRecorder(applied));

      const result = await service.update(request.request);

      expect(result, label).toMatchObject({ ok: false, code: 'invalid-settings', field });
      expect(applied, label).toEqual([]);
    }
  });

  it('explains out-of-range values in plain words', async () => {
    const cases: [string, Parameters<SettingsService['update']>[0], string, string][] = [
      ['a status below 100', { response: { ...DEFAULT_SETTINGS.response, status: 42 } }, 'response.status', 'Enter an HTTP status code from 100 to 599.'],
      ['a fractional delay', { response: { ...DEFAULT_SETTINGS.response, delayMs: 1.5 } }, 'response.delayMs', 'Enter a delay from 0 to 120000 ms.'],
      ['a count beyond 2^53', { retention: { maxCount: 1e20, maxAgeDays: 0 } }, 'retention.maxCount', 'Enter a whole number, 0 or more.'],
      // Retention deletes each minute, so an age of seconds would delete what the warning did not count.
      ['an age under an hour', { retention: { maxCount: 0, maxAgeDays: 0.0001 } }, 'retention.maxAgeDays', 'Enter 0 to keep deliveries of any age, or at least 0.042 days (one hour).'],
      ['a negative rate limit', { protection: { pathToken: null, rateLimitPerSecond: -1 } }, 'protection.rateLimitPerSecond', 'Enter a limit from 0 to 100000 requests per second.'],
      ['an empty profile name', { profiles: [{ name: '', scheme: 'spike', pathPrefix: '/', options: {} }] }, 'profiles.0.name', 'Enter a name.'],
      ['a prefix without a slash', { profiles: [{ name: 'a', scheme: 'spike', pathPrefix: 'spike', options: {} }] }, 'profiles.0.pathPrefix', 'Start the path prefix with "/".'],
    ];
    for (const [label, update, field, message] of cases) {
      // Each value passes the boundary's type check, so the service names the field.
      const request = parseInvokeRequest('settings.update', JSON.parse(JSON.stringify(update)));
      expect(request.ok, label).toBe(true);
      const service = new SettingsService({ file, keyStore: new MemoryKeyStore(), vault: new MutableVault(), initial: DEFAULT_SETTINGS, logger: silentLogger });

      const result = await service.update(update);

      expect(result, label).toEqual({ ok: false, code: 'invalid-settings', field, message, errors: [{ field, message }] });
      expect(service.current, label).toEqual(DEFAULT_SETTINGS);
    }
  });

  it('reports every invalid field at once', async () => {
    const update = {
      response: { ...DEFAULT_SETTINGS.response, status: 42 },
      subdomain: 'Not_A_Label',
      tunnelHost: 'ftp://127.0.0.1',
      protection: { pathToken: null, rateLimitPerSecond: -1 },
    };
    const request = parseInvokeRequest('settings.update', JSON.parse(JSON.stringify(update)));
    expect(request.ok).toBe(true);
    const applied: Settings['response'][] = [];
    const service = new SettingsService({ file, keyStore: new MemoryKeyStore(), vault: new MutableVault(), initial: DEFAULT_SETTINGS, logger: silentLogger });
    service.attach(responseRecorder(applied));

    const result = await service.update(update);

    if (result.ok) throw new Error('The update with four invalid fields was saved');
    expect(result.code).toBe('invalid-settings');
    expect(result.errors).toEqual([
      { field: 'response.status', message: 'Enter an HTTP status code from 100 to 599.' },
      { field: 'subdomain', message: 'Use lower-case letters, digits and inner hyphens, at most 63 characters.' },
      { field: 'tunnelHost', message: 'Enter an http or https URL.' },
      { field: 'protection.rateLimitPerSecond', message: 'Enter a limit from 0 to 100000 requests per second.' },
    ]);
    expect(result.field).toBe('response.status');
    expect(result.message).toBe('Enter an HTTP status code from 100 to 599.');
    expect(applied).toEqual([]);
    expect(service.current).toEqual(DEFAULT_SETTINGS);
  });

  it('requires confirming a deleting retention', async () => {
    const retained: Settings['retention'][] = [];
    const target: SettingsTarget = {
      ...responseRecorder([]),
      setRetention: (policy) => retained.push(policy),
      // Five stored deliveries, all received today.
      countPrunable: (policy) => (policy.maxCount === 0 ? 0 : Math.max(0, 5 - policy.maxCount)),
    };
    const service = new SettingsService({ file, keyStore: new MemoryKeyStore(), vault: new MutableVault(), initial: DEFAULT_SETTINGS, logger: silentLogger });
    service.attach(target);
    const retention = { maxCount: 2, maxAgeDays: 0 };

    const warning = await service.update({ retention });
    expect(warning).toEqual({
      ok: false,
      code: 'confirm-retention',
      field: 'retention.maxCount',
      message: 'The new retention limits delete 3 stored deliveries at once. Choose "Delete and save" to delete them, or raise the limit to keep them.',
    });
    expect(retained).toEqual([]);
    expect(service.current.retention).toEqual(DEFAULT_SETTINGS.retention);

    expect((await service.update({ retention, confirmRetention: true })).ok).toBe(true);
    expect(retained).toEqual([retention]);
    expect(loadSettingsFile(file).retention).toEqual(retention);

    // An unchanged retention saves without asking, although deliveries beyond it wait for the next pass.
    expect((await service.update({ retention, response: DEFAULT_SETTINGS.response })).ok).toBe(true);
    expect(parseInvokeRequest('settings.update', { retention, confirmRetention: true }).ok).toBe(true);
  });

  it('rejects a request of the wrong types at the boundary', () => {
    const request = parseInvokeRequest('settings.update', { response: { ...DEFAULT_SETTINGS.response, status: '200' } });
    expect(request.ok ? '' : request.message).toContain('field "response.status"');
  });
});
