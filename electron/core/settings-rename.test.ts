import { describe, expect, it } from 'vitest';
import type { ProfileSettings } from './contract';
import { MemoryKeyStore, MutableVault } from './key-store';
import { silentLogger } from './logger';
import { DEFAULT_SETTINGS, SettingsService } from './settings';

function profile(name: string, pathPrefix = `/${name}`): ProfileSettings {
  return { name, scheme: 'spike', pathPrefix, options: {} };
}

/** Builds a service without a settings file whose profiles and keys are given, with its key store. */
function serviceWith(profiles: ProfileSettings[], keys: Record<string, string[]>): { service: SettingsService; vault: MutableVault; keyStore: MemoryKeyStore } {
  const keyStore = new MemoryKeyStore();
  const vault = new MutableVault(keys);
  const service = new SettingsService({ file: null, keyStore, vault, initial: { ...DEFAULT_SETTINGS, profiles }, logger: silentLogger });
  return { service, vault, keyStore };
}

describe('renaming profiles in settings.update', () => {
  it('moves the keys to the new name', async () => {
    const { service, vault, keyStore } = serviceWith([profile('spike'), profile('gh')], { spike: ['made-up-key-1', 'made-up-key-2'], gh: ['made-up-key-3'] });

    const result = await service.update({ profiles: [profile('spike-prod', '/spike'), profile('gh')], profileRenames: [{ from: 'spike', to: 'spike-prod' }] });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('spike-prod')).toEqual(['made-up-key-1', 'made-up-key-2']);
    expect(vault.keysFor('spike')).toEqual([]);
    expect(vault.keysFor('gh')).toEqual(['made-up-key-3']);
    expect(await keyStore.load()).toEqual({ 'spike-prod': ['made-up-key-1', 'made-up-key-2'], gh: ['made-up-key-3'] });
    expect(service.view().keyCounts).toEqual({ 'spike-prod': 2, gh: 1 });
  });

  it('keeps the keys when renamed back', async () => {
    const { service, vault } = serviceWith([profile('spike')], { spike: ['made-up-key-1'] });

    await service.update({ profiles: [profile('spike-prod', '/spike')], profileRenames: [{ from: 'spike', to: 'spike-prod' }] });
    const result = await service.update({ profiles: [profile('spike')], profileRenames: [{ from: 'spike-prod', to: 'spike' }] });

    expect(result.ok).toBe(true);
    expect(vault.toRecord()).toEqual({ spike: ['made-up-key-1'] });
  });

  it('swaps the keys of two profiles that swap names', async () => {
    const { service, vault } = serviceWith([profile('a', '/x'), profile('b', '/y')], { a: ['made-up-key-a'], b: ['made-up-key-b'] });

    const result = await service.update({
      profiles: [profile('b', '/x'), profile('a', '/y')],
      profileRenames: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('b')).toEqual(['made-up-key-a']);
    expect(vault.keysFor('a')).toEqual(['made-up-key-b']);
  });

  it('gives no keys to a new profile with the old name', async () => {
    const { service, vault } = serviceWith([profile('spike')], { spike: ['made-up-key-1'] });

    const result = await service.update({ profiles: [profile('spike-prod', '/spike'), profile('spike', '/new')], profileRenames: [{ from: 'spike', to: 'spike-prod' }] });

    expect(result.ok).toBe(true);
    expect(vault.toRecord()).toEqual({ 'spike-prod': ['made-up-key-1'] });
  });

  it('keeps keys of a __proto__ profile through a rename', async () => {
    const { service, vault, keyStore } = serviceWith([profile('spike')], { spike: ['made-up-key-1'] });

    const result = await service.update({ profiles: [profile('__proto__', '/spike')], profileRenames: [{ from: 'spike', to: '__proto__' }] });

    expect(result.ok).toBe(true);
    expect(vault.keysFor('__proto__')).toEqual(['made-up-key-1']);
    expect(Object.getOwnPropertyDescriptor(await keyStore.load(), '__proto__')?.value).toEqual(['made-up-key-1']);
  });

  it('drops keys of a name changed without a rename', async () => {
    const { service, vault } = serviceWith([profile('spike')], { spike: ['made-up-key-1'] });

    const result = await service.update({ profiles: [profile('spike-prod', '/spike')] });

    expect(result.ok).toBe(true);
    expect(vault.toRecord()).toEqual({});
  });

  it('rejects renames that do not match the profiles', async () => {
    const cases: [string, Parameters<SettingsService['update']>[0], string][] = [
      ['renames without profiles', { profileRenames: [{ from: 'spike', to: 'spike-prod' }] }, 'profileRenames'],
      ['an unknown old name', { profiles: [profile('spike-prod')], profileRenames: [{ from: 'nope', to: 'spike-prod' }] }, 'profileRenames.0.from'],
      ['a new name not in the profiles', { profiles: [profile('spike')], profileRenames: [{ from: 'spike', to: 'spike-prod' }] }, 'profileRenames.0.to'],
      [
        'one profile renamed twice',
        {
          profiles: [profile('x'), profile('y')],
          profileRenames: [
            { from: 'spike', to: 'x' },
            { from: 'spike', to: 'y' },
          ],
        },
        'profileRenames.1.from',
      ],
      [
        'two profiles renamed to one name',
        {
          profiles: [profile('x'), profile('gh')],
          profileRenames: [
            { from: 'spike', to: 'x' },
            { from: 'gh', to: 'x' },
          ],
        },
        'profileRenames.1.to',
      ],
    ];
    for (const [label, update, field] of cases) {
      const { service, vault } = serviceWith([profile('spike'), profile('gh')], { spike: ['made-up-key-1'] });

      const result = await service.update(update);

      expect(result, label).toMatchObject({ ok: false, code: 'invalid-settings', field });
      expect(vault.toRecord(), label).toEqual({ spike: ['made-up-key-1'] });
      expect(service.current.profiles.map((saved) => saved.name), label).toEqual(['spike', 'gh']);
    }
  });
});
