import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileSettings } from './contract';
import { MemoryKeyStore, MutableVault } from './key-store';
import { silentLogger } from './logger';
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
