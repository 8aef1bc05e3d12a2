/**
 * The contract test suite: the same checks against every transport that implements
 * HooktrayApi. Each transport's test file calls `describeContract` with a factory that wraps
 * a started core (real receiver, real SQLite) in that transport, such as the browser bridge
 * with its WebSocket client, or the Electron IPC adapter with the fake `electron` module.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliverySummary, HooktrayApi, PushChannel, PushChannels } from '../../electron/core/contract';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { silentLogger } from '../../electron/core/logger';
import { post, tempDir } from './listen-process';
import { spikeBody, spikeSignature } from './spike';

export interface ContractHarness {
  api: HooktrayApi;
  close: () => Promise<void>;
}

export type ContractHarnessFactory = (core: HooktrayCore) => Promise<ContractHarness>;

const KEY = 'contract-suite-shared-key';
const PUSH_TIMEOUT_MS = 10_000;

/** Resolves with the first push on `channel` that satisfies `predicate`, or rejects after a timeout. */
export function nextPush<C extends PushChannel>(api: HooktrayApi, channel: C, predicate: (payload: PushChannels[C]) => boolean = () => true): Promise<PushChannels[C]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No matching "${channel}" push within ${PUSH_TIMEOUT_MS} ms`));
    }, PUSH_TIMEOUT_MS);
    const unsubscribe = api.subscribe(channel, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(payload);
    });
  });
}

export function describeContract(transport: string, createHarness: ContractHarnessFactory): void {
  describe(`contract over ${transport}`, () => {
    let dataDir: string;
    let core: HooktrayCore;
    let harness: ContractHarness;
    let api: HooktrayApi;

    const postSpike = async (user: string, signed = true): Promise<void> => {
      const body = spikeBody(user);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (signed) headers['X-Body-Signature'] = spikeSignature(KEY, body);
      const response = await post(`${core.receiver.localUrl}/spike/webhook`, body, headers);
      expect(response.status).toBe(200);
    };

    const addedIds = (count: number): Promise<string[]> =>
      new Promise((resolve, reject) => {
        const ids: string[] = [];
        const timer = setTimeout(() => reject(new Error(`Only ${ids.length} of ${count} deliveries were pushed`)), PUSH_TIMEOUT_MS);
        const unsubscribe = api.subscribe('deliveries.added', (batch: DeliverySummary[]) => {
          ids.push(...batch.map((item) => item.id));
          if (ids.length < count) return;
          clearTimeout(timer);
          unsubscribe();
          resolve(ids);
        });
      });

    beforeEach(async () => {
      dataDir = tempDir('hooktray-contract-');
      core = await HooktrayCore.start({
        version: '0.0.0-contract',
        dataDir,
        port: 0,
        profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }],
        vault: { keysFor: () => [] },
        logger: silentLogger,
        store: { synchronous: 'NORMAL' },
      });
      harness = await createHarness(core);
      api = harness.api;
    });

    afterEach(async () => {
      await harness.close();
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('status.get reports the receiver', async () => {
      const status = await api.invoke('status.get', undefined);
      expect(status.version).toBe('0.0.0-contract');
      expect(status.receiverPort).toBe(core.receiver.port);
      expect(status.deliveryCount).toBe(0);
      expect(status.tunnel.state).toBe('disabled');
    });

    it('pushes new deliveries and serves them exactly', async () => {
      const pushed = addedIds(1);
      const body = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
      await post(`${core.receiver.localUrl}/binary?x=1`, body, { 'X-First': 'one', 'x-MIXED-case': 'two', 'X-First-Again': 'three' });
      const [id] = await pushed;

      const detail = await api.invoke('deliveries.get', { id: id as string });
      expect(detail).not.toBeNull();
      expect(detail?.path).toBe('/binary?x=1');
      expect(detail?.body).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(detail?.body ?? []).equals(body)).toBe(true);
      const names = detail?.headers.map(([name]) => name) ?? [];
      expect(names.indexOf('X-First')).toBeLessThan(names.indexOf('x-MIXED-case'));
      expect(names.indexOf('x-MIXED-case')).toBeLessThan(names.indexOf('X-First-Again'));
    });

    it('deliveries.list pages newest first and filters', async () => {
      const pushed = addedIds(3);
      await postSpike('user-a');
      await postSpike('user-b');
      await postSpike('user-c', false);
      await pushed;

      const first = await api.invoke('deliveries.list', { limit: 2 });
      expect(first.total).toBe(3);
      expect(first.items.map((item) => item.spike?.users[0])).toEqual(['user-c', 'user-b']);
      expect(first.nextBefore).not.toBeNull();
      const second = await api.invoke('deliveries.list', { limit: 2, before: first.nextBefore as string });
      expect(second.items.map((item) => item.spike?.users[0])).toEqual(['user-a']);
      expect(second.nextBefore).toBeNull();

      const missing = await api.invoke('deliveries.list', { verdicts: ['missing-signature'] });
      expect(missing.items.map((item) => item.spike?.users[0])).toEqual(['user-c']);
      const text = await api.invoke('deliveries.list', { text: 'user-b' });
      expect(text.items.map((item) => item.spike?.users[0])).toEqual(['user-b']);
    });

    it('deliveries.get returns null for an unknown id', async () => {
      expect(await api.invoke('deliveries.get', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).toBeNull();
    });

    it('rejects invalid requests naming the field', async () => {
      await expect(api.invoke('deliveries.list', { limit: 5000 })).rejects.toThrow(/limit/);
      await expect(api.invoke('deliveries.get', { id: '../../etc/passwd' })).rejects.toThrow(/id/);
      await expect(api.invoke('profiles.setKeys', { profile: 'spike', keys: [], mode: 'add' })).rejects.toThrow(/keys/);
    });

    it('settings.get shows key counts, never keys', async () => {
      const settings = await api.invoke('settings.get', undefined);
      expect(settings.profiles.map((profile) => profile.name)).toEqual(['spike']);
      expect(settings.keyCounts).toEqual({ spike: 0 });
      expect(settings.keyProtection).toBe('memory');
      expect(settings.schemes).toContain('spike');
    });

    it('adding a key re-verifies stored deliveries', async () => {
      const pushed = addedIds(1);
      await postSpike('user-k');
      const [id] = await pushed;
      const before = await api.invoke('deliveries.get', { id: id as string });
      expect(before?.verdict.status).toBe('no-key');

      const changed = nextPush(api, 'verdicts.changed', (changes) => changes.some((change) => change.id === id));
      const finished = nextPush(api, 'reverify.progress', (progress) => progress.finished);
      const result = await api.invoke('profiles.setKeys', { profile: 'spike', keys: [`${KEY}\n`], mode: 'add' });
      expect(result).toEqual({ ok: true, profile: 'spike', keyCount: 1 });
      expect(JSON.stringify(result)).not.toContain(KEY);

      const changes = await changed;
      expect(changes.find((change) => change.id === id)?.verdict.status).toBe('valid');
      expect((await finished).changed).toBe(1);
      const settings = await api.invoke('settings.get', undefined);
      expect(settings.keyCounts).toEqual({ spike: 1 });
      expect(JSON.stringify(settings)).not.toContain(KEY);
    });

    it('settings.get counts keys of a __proto__ profile', async () => {
      const profiles = [
        { name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} },
        { name: '__proto__', scheme: 'spike', pathPrefix: '/proto', options: {} },
      ];
      expect((await api.invoke('settings.update', { profiles })).ok).toBe(true);
      expect(await api.invoke('profiles.setKeys', { profile: '__proto__', keys: ['proto-key'], mode: 'add' })).toEqual({ ok: true, profile: '__proto__', keyCount: 1 });

      const settings = await api.invoke('settings.get', undefined);
      expect(Object.keys(settings.keyCounts)).toEqual(['spike', '__proto__']);
      expect(Object.getOwnPropertyDescriptor(settings.keyCounts, '__proto__')?.value).toBe(1);
      expect(Object.getPrototypeOf(settings.keyCounts)).toBe(Object.prototype);
    });

    it('settings.update moves keys with a renamed profile', async () => {
      expect(await api.invoke('profiles.setKeys', { profile: 'spike', keys: [KEY], mode: 'add' })).toMatchObject({ ok: true, keyCount: 1 });
      await core.settings.whenReverified();
      const pushed = addedIds(1);
      await postSpike('user-r');
      const [id] = await pushed;

      const changed = nextPush(api, 'verdicts.changed', (changes) => changes.some((change) => change.id === id));
      const renamed = [{ name: 'spike-prod', scheme: 'spike', pathPrefix: '/spike', options: {} }];
      const result = await api.invoke('settings.update', { profiles: renamed, profileRenames: [{ from: 'spike', to: 'spike-prod' }] });

      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.settings.keyCounts).toEqual({ 'spike-prod': 1 });
      const verdict = (await changed).find((change) => change.id === id)?.verdict;
      expect(verdict?.status).toBe('valid');
      expect(verdict?.profile).toBe('spike-prod');
    });

    it('settings.update re-verifies on request', async () => {
      await core.settings.whenReverified();
      const finished = nextPush(api, 'reverify.progress', (progress) => progress.finished);

      const result = await api.invoke('settings.update', { reverify: true });

      expect(result.ok).toBe(true);
      expect((await finished).changed).toBe(0);
    });

    it('profiles.setKeys rejects an unknown profile', async () => {
      const result = await api.invoke('profiles.setKeys', { profile: 'nope', keys: ['k'], mode: 'add' });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('unknown-profile');
      expect(result.message).toContain('nope');
    });

    it('settings.update rejects an unknown scheme', async () => {
      const result = await api.invoke('settings.update', { profiles: [{ name: 'x', scheme: 'no-such-scheme', pathPrefix: '/', options: {} }] });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('invalid-settings');
      expect(result.field).toBe('profiles.0.scheme');
    });

    it('settings.update names the field of an invalid value', async () => {
      const result = await api.invoke('settings.update', { response: { status: 42, headers: {}, body: '', delayMs: 0 } });

      const error = { field: 'response.status', message: 'Enter an HTTP status code from 100 to 599.' };
      expect(result).toEqual({ ok: false, code: 'invalid-settings', ...error, errors: [error] });
    });

    it('settings.update changes the response', async () => {
      const result = await api.invoke('settings.update', { response: { status: 202, headers: { 'X-Test': 'yes' }, body: 'accepted', delayMs: 0 } });
      expect(result.ok).toBe(true);
      const response = await post(`${core.receiver.localUrl}/any`, 'x');
      expect(response.status).toBe(202);
      expect(response.text).toBe('accepted');
      expect(response.headers.get('x-test')).toBe('yes');
    });

    it('unsubscribing stops pushes', async () => {
      const received: string[] = [];
      const unsubscribe = api.subscribe('deliveries.added', (batch) => received.push(...batch.map((item) => item.id)));
      const first = addedIds(1);
      await post(`${core.receiver.localUrl}/one`, 'one');
      await first;
      unsubscribe();
      const second = addedIds(1);
      await post(`${core.receiver.localUrl}/two`, 'two');
      await second;
      expect(received).toHaveLength(1);
    });
  });
}
