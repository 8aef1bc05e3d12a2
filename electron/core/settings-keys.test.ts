import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileSettings } from './contract';
import { MemoryKeyStore, MutableVault } from './key-store';
import { silentLogger } from './logger';
import { parseInvokeRequest } from './contract-schemas';
import { DEFAULT_SETTINGS, SettingsService } from './settings';

/** Made-up keys: the first is not hex and not base64, the others are both. */
const KEYS = ['Zq9-madeup-KEY-7731x', '00112233', 'aabbccdd'];
const SPIKE: ProfileSettings = { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} };

describe('settings.update with kept keys', () => {
  let dir: string;
  let file: string;
  let vault: MutableVault;
  let keyStore: MemoryKeyStore;
  let service: SettingsService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-settings-keys-'));
    file = join(dir, 'settings.json');
    writeFileSync(file, '');
    vault = new MutableVault({ spike: KEYS });
    keyStore = new MemoryKeyStore();
    await keyStore.save({ spike: KEYS });
    service = new SettingsService({ file, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles: [SPIKE] }, logger: silentLogger });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Expects that nothing changed: settings, file, vault and key store. */
  async function expectUnchanged(): Promise<void> {
    expect(service.current.profiles).toEqual([SPIKE]);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(vault.keysFor('spike')).toEqual(KEYS);
    expect(await keyStore.load()).toEqual({ spike: KEYS });
  }

  it('rejects a keyEncoding the keys fail', async () => {
    const hmac = { ...SPIKE, scheme: 'hmac', options: { header: 'X-S', keyEncoding: 'hex' } };
    const result = await service.update({ profiles: [hmac] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-settings', field: 'profiles.0.options.keyEncoding' });
    if (result.ok) return;
    expect(result.message).toContain('Key 1 of profile "spike" is not valid hex');
    expect(result.message).toContain('change option "keyEncoding" back');
    expect(result.message).toContain('Replace keys');
    for (const key of KEYS) expect(result.message).not.toContain(key);
    await expectUnchanged();
  });

  it('rejects a scheme the keys fail', async () => {
    const standard = { ...SPIKE, scheme: 'standard-webhooks' };
    const result = await service.update({ profiles: [standard] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-settings', field: 'profiles.0.scheme' });
    if (result.ok) return;
    expect(result.message).toContain('Key 1 of profile "spike" is not a Standard Webhooks secret');
    expect(result.message).toContain('change the scheme back');
    for (const key of KEYS) expect(result.message).not.toContain(key);
    await expectUnchanged();
  });

  it('checks keys moved by a rename', async () => {
    const renamed = { ...SPIKE, name: 'spike-prod', scheme: 'hmac', options: { header: 'X-S', keyEncoding: 'base64' } };
    const result = await service.update({ profiles: [{ ...SPIKE, name: 'other', pathPrefix: '/other' }, renamed], profileRenames: [{ from: 'spike', to: 'spike-prod' }] });

    expect(result).toMatchObject({ ok: false, field: 'profiles.1.options.keyEncoding' });
    if (result.ok) return;
    expect(result.message).toContain('profile "spike-prod"');
    await expectUnchanged();
  });

  it('saves options the keys pass', async () => {
    const hmac = { ...SPIKE, scheme: 'hmac', options: { header: 'X-S', keyEncoding: 'hex' } };
    await service.setKeys({ profile: 'spike', keys: ['0a0b', '0c0d'], mode: 'replace' });

    const result = await service.update({ profiles: [{ ...hmac, name: 'hex' }], profileRenames: [{ from: 'spike', to: 'hex' }] });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('hex')).toEqual(['0a0b', '0c0d']);
    expect(JSON.parse(readFileSync(file, 'utf8')).settings.profiles).toEqual([{ ...hmac, name: 'hex' }]);
  });

  it('checks only profiles with keys', async () => {
    const result = await service.update({ profiles: [{ name: 'spike', scheme: 'hmac', pathPrefix: '/', options: { header: 'X-S', keyEncoding: 'hex' } }], profileRenames: [] });
    expect(result.ok).toBe(false);

    const fresh = await service.update({ profiles: [{ name: 'fresh', scheme: 'hmac', pathPrefix: '/', options: { header: 'X-S', keyEncoding: 'hex' } }] });
    expect(fresh.ok).toBe(true);
  });
});

describe('settings.update with new keys', () => {
  const HEX: ProfileSettings = { name: 'h', scheme: 'hmac', pathPrefix: '/h', options: { header: 'X-S', keyEncoding: 'hex' } };

  function serviceWith(keys: Record<string, string[]>): { service: SettingsService; vault: MutableVault; keyStore: MemoryKeyStore } {
    const vault = new MutableVault(keys);
    const keyStore = new MemoryKeyStore();
    const service = new SettingsService({ file: null, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles: [HEX] }, logger: silentLogger });
    return { service, vault, keyStore };
  }

  it('adds a key to a renamed profile', async () => {
    const { service, vault, keyStore } = serviceWith({ h: ['0011'] });

    const result = await service.update({ profiles: [{ ...HEX, name: 'h2' }], profileRenames: [{ from: 'h', to: 'h2' }], newKeys: [{ profile: 'h2', key: ' aabb\n' }] });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('h2')).toEqual(['0011', 'aabb']);
    expect(await keyStore.load()).toEqual({ h2: ['0011', 'aabb'] });
    expect(service.view().keyCounts).toEqual({ h2: 2 });
  });

  it('adds a key without other changes', async () => {
    const { service, vault } = serviceWith({});

    expect((await service.update({ newKeys: [{ profile: 'h', key: 'ccdd' }] })).ok).toBe(true);
    expect(vault.keysFor('h')).toEqual(['ccdd']);
  });

  it('checks a new key with the new options', async () => {
    const { service, vault, keyStore } = serviceWith({});
    const utf8 = { ...HEX, options: { header: 'X-S' } };

    expect((await service.update({ profiles: [utf8], newKeys: [{ profile: 'h', key: 'made-up-text-key' }] })).ok).toBe(true);
    const result = await service.update({ profiles: [HEX], newKeys: [{ profile: 'h', key: 'made-up-key-2' }] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-settings', field: 'profiles.0.options.keyEncoding' });
    expect(vault.keysFor('h')).toEqual(['made-up-text-key']);
    expect(service.current.profiles).toEqual([utf8]);
    expect(await keyStore.load()).toEqual({ h: ['made-up-text-key'] });
  });

  it('rejects an unreadable new key', async () => {
    const { service, vault, keyStore } = serviceWith({ h: ['0011'] });

    const result = await service.update({ profiles: [HEX], newKeys: [{ profile: 'h', key: 'zzNOTHEXzz' }] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-key', field: 'profiles.0.newKey' });
    if (result.ok) return;
    expect(result.message).toMatch(/^The new key for profile "h" is not valid hex/);
    expect(result.message).not.toContain('zzNOTHEXzz');
    expect(vault.keysFor('h')).toEqual(['0011']);
    expect(await keyStore.load()).toEqual({});
  });

  it('rejects a blank new key', async () => {
    const { service } = serviceWith({});
    const result = await service.update({ newKeys: [{ profile: 'h', key: ' \n' }] });
    expect(result).toMatchObject({ ok: false, code: 'invalid-key', field: 'profiles.0.newKey', message: 'The new key for profile "h" is blank: paste the key itself.' });
  });

  it('rejects a new key for no profile', async () => {
    const { service, vault } = serviceWith({});
    const result = await service.update({ newKeys: [{ profile: 'gone', key: '0011' }] });
    expect(result).toMatchObject({ ok: false, code: 'unknown-profile', field: 'newKeys.0.profile' });
    expect(vault.keyCounts()).toEqual({});
  });

  it('replaces keys the new options cannot read', async () => {
    const utf8 = { ...HEX, options: { header: 'X-S' } };
    const vault = new MutableVault({ h: ['made-up-text-key'] });
    const keyStore = new MemoryKeyStore();
    const service = new SettingsService({ file: null, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles: [utf8] }, logger: silentLogger });

    const result = await service.update({ profiles: [HEX], newKeys: [{ profile: 'h', key: 'aabb\n', mode: 'replace' }] });

    expect(result.ok).toBe(true);
    expect(service.current.profiles).toEqual([HEX]);
    expect(vault.keysFor('h')).toEqual(['aabb']);
    expect(await keyStore.load()).toEqual({ h: ['aabb'] });
  });

  it('rejects an unreadable replacing key', async () => {
    const { service, vault } = serviceWith({ h: ['0011'] });

    const result = await service.update({ profiles: [HEX], newKeys: [{ profile: 'h', key: 'zzNOTHEXzz', mode: 'replace' }] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-key', field: 'profiles.0.newKey' });
    expect(vault.keysFor('h')).toEqual(['0011']);
  });

  it('accepts new keys at the boundary', () => {
    expect(parseInvokeRequest('settings.update', { newKeys: [{ profile: 'h', key: '0011' }] }).ok).toBe(true);
    expect(parseInvokeRequest('settings.update', { newKeys: [{ profile: 'h', key: '0011', mode: 'replace' }] }).ok).toBe(true);
    expect(parseInvokeRequest('settings.update', { newKeys: [{ profile: 'h', key: '0011', mode: 'swap' }] }).ok).toBe(false);
    expect(parseInvokeRequest('settings.update', { newKeys: [{ profile: 'h', key: '' }] }).ok).toBe(false);
  });
});
