import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HeaderPair } from './contract';
import type { DiffSide } from './diff';
import { diffDeliveries } from './diff';
import { DiffError, InlineDiffRunner, WorkerDiffRunner } from './diff-runner';

const COMPILED_WORKER = resolve(__dirname, '..', '..', 'out', 'node', 'core', 'diff-worker.js');
const encoder = new TextEncoder();
const scriptDir = mkdtempSync(join(tmpdir(), 'hooktray-diff-runner-'));

afterAll(() => rmSync(scriptDir, { recursive: true, force: true }));

function side(label: string, body: string | Uint8Array, headers: HeaderPair[] = [['Content-Type', 'application/json']]): DiffSide {
  return { label, headers, body: typeof body === 'string' ? encoder.encode(body) : body };
}

/** Returns a side whose null headers make diffDeliveries throw a TypeError. */
function brokenSide(label: string): DiffSide {
  return { label, headers: null as unknown as HeaderPair[], body: encoder.encode('{}') };
}

/**
 * Writes a worker script that acts on the left side's label: `exit` exits with code 3,
 * `throw` raises an uncaught error, `hang` never replies, and any other label runs the
 * compiled diff thread.
 */
function scriptedWorker(): string {
  const script = join(scriptDir, 'scripted-diff-worker.js');
  writeFileSync(
    script,
    `const { workerData } = require('node:worker_threads');
const label = workerData.left.label;
if (label === 'exit') process.exit(3);
else if (label === 'throw') setImmediate(() => { throw new Error('thread blew up'); });
else if (label === 'hang') setInterval(() => {}, 1_000);
else require(${JSON.stringify(COMPILED_WORKER)});
`,
  );
  return script;
}

describe('InlineDiffRunner', () => {
  it('returns what diffDeliveries returns', async () => {
    const left = side('a', '{"n":1,"id":"x"}');
    const right = side('b', '{"n":2,"id":"y"}');

    const diff = await new InlineDiffRunner().run(left, right, { ignoreVolatile: true });

    expect(diff).toEqual(diffDeliveries(left, right, { ignoreVolatile: true }));
  });

  it('names both sides when the diff throws', async () => {
    const run = new InlineDiffRunner().run(brokenSide('left-1'), side('right-1', '{}'), {});

    await expect(run).rejects.toBeInstanceOf(DiffError);
    await expect(run).rejects.toMatchObject({ code: 'DIFF_FAILED', message: expect.stringContaining('Comparing left-1 and right-1 failed: the diff raised TypeError') });
  });

  it('rejects comparisons after close', async () => {
    const runner = new InlineDiffRunner();
    await runner.close();

    await expect(runner.run(side('a', '1'), side('b', '2'), {})).rejects.toMatchObject({ code: 'DIFF_STOPPED' });
  });
});

describe('WorkerDiffRunner thread failures', () => {
  it('reports a thread that exits without a reply', async () => {
    const runner = new WorkerDiffRunner(scriptedWorker());

    const run = runner.run(side('exit', '{}'), side('right-2', '{}'), {});

    await expect(run).rejects.toMatchObject({ code: 'DIFF_THREAD_FAILED', message: expect.stringContaining('Comparing exit and right-2 failed: the diff thread exited with code 3') });
    await runner.close();
  });

  it('reports an uncaught error in the thread', async () => {
    const runner = new WorkerDiffRunner(scriptedWorker());

    const run = runner.run(side('throw', '{}'), side('right-3', '{}'), {});

    await expect(run).rejects.toMatchObject({ code: 'DIFF_THREAD_FAILED', message: expect.stringContaining('the diff thread crashed: thread blew up') });
    await runner.close();
  });

  it('reports a script that cannot be loaded', async () => {
    const runner = new WorkerDiffRunner(join(scriptDir, 'missing-diff-worker.js'));

    const run = runner.run(side('left-4', '{}'), side('right-4', '{}'), {});

    await expect(run).rejects.toMatchObject({ code: 'DIFF_THREAD_FAILED', message: expect.stringContaining('Comparing left-4 and right-4 failed') });
    await runner.close();
  });

  it('stops running and queued comparisons on close', async () => {
    const runner = new WorkerDiffRunner(scriptedWorker(), 1);
    const comparisons = Promise.allSettled([runner.run(side('hang', '{}'), side('right-5', '{}'), {}), runner.run(side('queued', '{}'), side('right-6', '{}'), {})]);

    await runner.close();

    const [running, queued] = await comparisons;
    expect(running).toMatchObject({ status: 'rejected', reason: { code: 'DIFF_STOPPED', message: 'Comparing hang and right-5 was cancelled because Hooktray is shutting down.' } });
    expect(queued).toMatchObject({ status: 'rejected', reason: { code: 'DIFF_STOPPED' } });
    await expect(runner.run(side('late', '{}'), side('right-7', '{}'), {})).rejects.toMatchObject({ code: 'DIFF_STOPPED' });
    expect(runner.starts).toBe(1);
  });
});

describe.skipIf(!existsSync(COMPILED_WORKER))('WorkerDiffRunner (needs npm run build:cli)', () => {
  it('returns what diffDeliveries returns', async () => {
    const runner = new WorkerDiffRunner(COMPILED_WORKER);
    const cases: [DiffSide, DiffSide][] = [
      [side('json-a', '{"n":9007199254740993,"list":[1,2],"id":"x"}'), side('json-b', '{"n":9007199254740992,"list":[1],"id":"y"}', [['X-Trace', 'b']])],
      [side('binary-a', new Uint8Array([0xff, 0x00, 0x01])), side('binary-b', new Uint8Array([0xff, 0x00, 0x02]))],
      [side('text-a', 'one\ntwo\n'), side('text-b', 'one\nthree\n')],
    ];

    for (const [left, right] of cases) {
      for (const ignoreVolatile of [false, true]) {
        const diff = await runner.run(left, right, { ignoreVolatile });
        expect(diff).toEqual(diffDeliveries(left, right, { ignoreVolatile }));
      }
    }
    await runner.close();
  });

  it('leaves the caller its body bytes', async () => {
    const runner = new WorkerDiffRunner(COMPILED_WORKER);
    const left = side('a', '{"n":1}');

    await runner.run(left, side('b', '{"n":2}'), {});

    expect(new TextDecoder().decode(left.body)).toBe('{"n":1}');
    await runner.close();
  });

  it('names both sides when the diff throws', async () => {
    const runner = new WorkerDiffRunner(COMPILED_WORKER);

    const run = runner.run(brokenSide('left-8'), side('right-8', '{}'), {});

    await expect(run).rejects.toBeInstanceOf(DiffError);
    await expect(run).rejects.toMatchObject({ code: 'DIFF_FAILED', message: expect.stringContaining('Comparing left-8 and right-8 failed: the diff raised TypeError') });
    await runner.close();
  });

  it('runs more comparisons than threads', async () => {
    const runner = new WorkerDiffRunner(COMPILED_WORKER, 2);
    const labels = ['c0', 'c1', 'c2', 'c3', 'c4'];

    const diffs = await Promise.all(labels.map((label, index) => runner.run(side(label, `{"n":${index}}`), side(`${label}-right`, '{"n":-1}'), {})));

    expect(diffs.map((diff) => diff.left.label)).toEqual(labels);
    expect(diffs.map((diff) => diff.json?.changes[0]?.before)).toEqual(['0', '1', '2', '3', '4']);
    expect(runner.starts).toBe(5);
    await runner.close();
  });

  it('keeps comparing after a thread dies', async () => {
    const runner = new WorkerDiffRunner(scriptedWorker(), 2);

    const [exited, crashed, healthy] = await Promise.allSettled([
      runner.run(side('exit', '{}'), side('b', '{}'), {}),
      runner.run(side('throw', '{}'), side('b', '{}'), {}),
      runner.run(side('healthy', '{"n":1}'), side('b', '{"n":2}'), {}),
    ]);

    expect(exited).toMatchObject({ status: 'rejected', reason: { code: 'DIFF_THREAD_FAILED' } });
    expect(crashed).toMatchObject({ status: 'rejected', reason: { code: 'DIFF_THREAD_FAILED' } });
    expect(healthy).toMatchObject({ status: 'fulfilled', value: { json: { changes: [{ path: '/n', kind: 'changed' }] } } });
    await runner.close();
  });
});
