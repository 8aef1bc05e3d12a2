import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeaderPair } from '../../electron/core/contract';
import { WorkerDiffRunner } from '../../electron/core/diff-runner';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import { silentLogger } from '../../electron/core/logger';
import { ReplayService } from '../../electron/core/replay-service';
import { postRaw } from '../support/echo-server';
import { tempDir } from '../support/listen-process';
import { spikeEvent } from '../support/spike';

const COMPILED_DIFF_WORKER = resolve(__dirname, '..', '..', 'out', 'node', 'core', 'diff-worker.js');

// Run from source, the replay service finds no compiled script beside its module, so it would
// compare inline. The mock points it at the script that the CLI build puts there.
vi.mock(import('../../electron/core/diff-runner'), async (importOriginal) => {
  const { resolve: resolvePath } = await import('node:path');
  return { ...(await importOriginal()), findDiffWorkerScript: () => resolvePath(__dirname, '..', '..', 'out', 'node', 'core', 'diff-worker.js') };
});

const HEADERS: HeaderPair[] = [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json']];
const EVENT_COUNT = 20_000;
/** Interval of the events whose provider differs between the two large bodies. */
const CHANGE_EVERY = 20;

/** Returns a Spike body of EVENT_COUNT events (about 5 MB). With `changed`, every CHANGE_EVERY-th event has another provider. */
function largeSpikeBody(changed: boolean): Buffer {
  const events = Array.from({ length: EVENT_COUNT }, (_, index) =>
    spikeEvent({ application_user_id: `user-${index}`, provider_slug: changed && index % CHANGE_EVERY === 0 ? 'oura' : 'garmin' }),
  );
  return Buffer.from(JSON.stringify(events));
}

let dataDir: string | null = null;
let core: HooktrayCore | null = null;

afterEach(async () => {
  await core?.stop();
  core = null;
  if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

async function startCore(): Promise<HooktrayCore> {
  dataDir = tempDir('hooktray-diff-thread-');
  core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: new MutableVault(), logger: silentLogger });
  return core;
}

async function postDelivery(started: HooktrayCore, path: string, body: Buffer): Promise<string> {
  const posted = await postRaw(`${started.receiver.localUrl}${path}`, HEADERS, body);
  expect(posted.status).toBe(200);
  expect(posted.deliveryId).not.toBeNull();
  return posted.deliveryId as string;
}

describe.skipIf(!existsSync(COMPILED_DIFF_WORKER))('deliveries.diff on a diff thread (needs npm run build:cli)', () => {
  it('receiver answers during a large diff', async () => {
    const started = await startCore();
    const left = await postDelivery(started, '/hooks/large', largeSpikeBody(false));
    const right = await postDelivery(started, '/hooks/large', largeSpikeBody(true));

    let diffSettled = false;
    const diffing = started.handlers['deliveries.diff']({ left, right }).finally(() => {
      diffSettled = true;
    });
    const during = await postRaw(`${started.receiver.localUrl}/hooks/during-diff`, HEADERS, Buffer.from('{"small":true}'));

    expect(during.status).toBe(200);
    expect(diffSettled).toBe(false);
    const result = await diffing;
    expect(started.replays.diffs).toBeInstanceOf(WorkerDiffRunner);
    expect((started.replays.diffs as WorkerDiffRunner).starts).toBe(1);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.diff.left.label).toBe(left);
    expect(result.diff.right.label).toBe(right);
    expect(result.diff.json?.changes).toHaveLength(EVENT_COUNT / CHANGE_EVERY);
    expect(result.diff.json?.changes[0]).toEqual({ path: '/0/provider_slug', kind: 'changed', before: '"garmin"', after: '"oura"' });
    expect(started.store.get(during.deliveryId as string)?.path).toBe('/hooks/during-diff');
  });

  it('answers concurrent diffs', async () => {
    const started = await startCore();
    const ids: string[] = [];
    for (let index = 0; index < 4; index++) ids.push(await postDelivery(started, `/hooks/${index}`, Buffer.from(`{"n":${index}}`)));

    const results = await Promise.all(ids.map((id, index) => started.handlers['deliveries.diff']({ left: id, right: ids[(index + 1) % ids.length] as string })));

    expect(results.map((result) => (result.ok ? result.diff.json?.changes[0]?.before : result.code))).toEqual(['0', '1', '2', '3']);
    expect(results.map((result) => (result.ok ? result.diff.right.label : result.code))).toEqual([ids[1], ids[2], ids[3], ids[0]]);
  });

  it('keeps the not-found result', async () => {
    const started = await startCore();
    const left = await postDelivery(started, '/hooks/kept', Buffer.from('{}'));

    const result = await started.handlers['deliveries.diff']({ left, right: '01JZZZZZZZZZZZZZZZZZZZZZZZ' });

    expect(result).toMatchObject({ ok: false, code: 'not-found', message: expect.stringContaining('01JZZZZZZZZZZZZZZZZZZZZZZZ') });
  });

  it('stops a running diff on shutdown', async () => {
    const started = await startCore();
    const left = await postDelivery(started, '/hooks/large', largeSpikeBody(false));
    const right = await postDelivery(started, '/hooks/large', largeSpikeBody(true));
    const diffing = started.handlers['deliveries.diff']({ left, right });
    const outcome = diffing.then(
      () => 'resolved',
      (error: unknown) => error,
    );

    await started.stop();
    core = null;

    expect(await outcome).toMatchObject({ name: 'DiffError', code: 'DIFF_STOPPED', message: `Comparing ${left} and ${right} was cancelled because Hooktray is shutting down.` });
  });

  it('names both deliveries when the thread dies', async () => {
    const started = await startCore();
    const left = await postDelivery(started, '/hooks/a', Buffer.from('{"n":1}'));
    const right = await postDelivery(started, '/hooks/b', Buffer.from('{"n":2}'));
    const dyingScript = join(dataDir as string, 'dying-diff-worker.js');
    writeFileSync(dyingScript, 'process.exit(7);\n');
    const replays = new ReplayService({ store: started.store, pushes: started.pushes, logger: silentLogger, signing: () => ({ profiles: [], vault: new MutableVault() }), diffScript: dyingScript });

    const diffing = replays.diff({ left, right });

    await expect(diffing).rejects.toMatchObject({ code: 'DIFF_THREAD_FAILED', message: `Comparing ${left} and ${right} failed: the diff thread exited with code 7 before it returned a diff. Compare them again.` });
    const after = await postRaw(`${started.receiver.localUrl}/hooks/after-crash`, HEADERS, Buffer.from('{}'));
    expect(after.status).toBe(200);
    await replays.stop();
  });
});
