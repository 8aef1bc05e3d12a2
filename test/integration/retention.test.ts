import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveriesPruned } from '../../electron/core/contract';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { DeliveryStore } from '../../electron/core/store';
import { testDelivery } from '../support/deliveries';
import { post, tempDir } from '../support/listen-process';
import { recordingLogger } from '../support/tunnel-harness';

const BACKLOG = 1203;

/** Stores BACKLOG deliveries, `/backlog/0` oldest, in a new data folder and closes the store. */
async function seededDataDir(): Promise<string> {
  const dataDir = tempDir('hooktray-retention-');
  const store = new DeliveryStore({ dataDir, writer: 'inline' });
  await Promise.all(Array.from({ length: BACKLOG }, (_, index) => store.add(testDelivery(Buffer.from(`{"index":${index}}`), { path: `/backlog/${index}` }))));
  await store.close();
  return dataDir;
}

describe('retention at start', () => {
  let dataDir = '';
  let core: HooktrayCore | null = null;

  afterEach(async () => {
    await core?.stop();
    core = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prunes a backlog in batches and reports it once', async () => {
    dataDir = await seededDataDir();
    const logger = recordingLogger();
    core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger, retention: { maxCount: 100, maxAgeDays: 0 } });
    const pushes: DeliveriesPruned[] = [];
    core.pushes.subscribe('deliveries.pruned', (push) => pushes.push(push));

    // The first batch ran inside start, and the rest follow between requests.
    const response = await post(`${core.receiver.localUrl}/during-retention`, '{}');
    expect(response.status).toBe(200);
    await expect.poll(() => pushes.length).toBe(1);

    // The new delivery counts against the 100 when it was stored before the last batch.
    const deleted = pushes[0]?.deleted ?? 0;
    expect([BACKLOG - 100, BACKLOG - 99]).toContain(deleted);
    expect(core.store.count()).toBe(BACKLOG + 1 - deleted);
    const paths = core.store.list({ limit: 100 }).items.map((item) => item.path);
    expect(paths[0]).toBe('/during-retention');
    expect(paths).not.toContain(`/backlog/${BACKLOG - 101}`);
    const logged = logger.entries.filter((entry) => entry.message === 'store: retention pruned deliveries');
    expect(logged.map((entry) => entry.context?.deleted)).toEqual([deleted]);
  });

  it('stops a pass when the core stops', async () => {
    dataDir = await seededDataDir();
    const started = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger: recordingLogger(), retention: { maxCount: 100, maxAgeDays: 0 } });
    await started.stop();

    const store = new DeliveryStore({ dataDir, writer: 'inline' });
    const left = store.count();
    await store.close();
    // The batch that ran inside start deleted the 500 oldest, and stop ended the pass before the next.
    expect(left).toBe(BACKLOG - 500);
  });
});
