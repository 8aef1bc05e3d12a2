import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MemoryKeyStore, MutableVault } from '../../electron/core/key-store';
import { silentLogger } from '../../electron/core/logger';
import { DEFAULT_SETTINGS, SettingsService } from '../../electron/core/settings';
import { tempDir } from '../support/listen-process';

describe('protection from the settings', () => {
  let core: HooktrayCore;

  beforeAll(async () => {
    const vault = new MutableVault();
    const settings = new SettingsService({ file: null, keyStore: new MemoryKeyStore(), vault, initial: structuredClone(DEFAULT_SETTINGS), logger: silentLogger });
    core = await HooktrayCore.start({ version: 'test', dataDir: tempDir(), port: 0, profiles: [], vault, logger: silentLogger, settings });
  });

  afterAll(async () => {
    await core.stop();
  });

  it('accepts every path while off', async () => {
    const response = await fetch(`${core.receiver.localUrl}/open`, { method: 'POST', body: 'a' });
    expect(response.status).toBe(200);
    expect(core.status().pathPrefix).toBe('');
  });

  it('requires the path token once set', async () => {
    const result = await core.handlers['settings.update']({ protection: { pathToken: 'secret-token-1', rateLimitPerSecond: 0 } });
    expect(result.ok).toBe(true);
    expect(core.status().pathPrefix).toBe('/secret-token-1');

    const without = await fetch(`${core.receiver.localUrl}/webhooks/x`, { method: 'POST', body: 'b' });
    expect(without.status).toBe(404);

    const withToken = await fetch(`${core.receiver.localUrl}/secret-token-1/webhooks/x`, { method: 'POST', body: 'c' });
    expect(withToken.status).toBe(200);
    const stored = core.store.get(withToken.headers.get('x-hooktray-delivery') as string);
    expect(stored?.path).toBe('/webhooks/x');
  });

  it('rate limits once set', async () => {
    await core.handlers['settings.update']({ protection: { pathToken: null, rateLimitPerSecond: 2 } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      statuses.push((await fetch(`${core.receiver.localUrl}/burst`, { method: 'POST', body: String(attempt) })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses[0]).toBe(200);
  });

  it('rejects an unusable token', async () => {
    const result = await core.handlers['settings.update']({ protection: { pathToken: 'a b', rateLimitPerSecond: 0 } });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain('character 2, " ", is not allowed');
  });
});
