import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreFailure } from '../../electron/core/storage-health';
import type { NewDelivery } from '../../electron/core/store';
import { DeliveryStore } from '../../electron/core/store';
import { testDelivery } from '../support/deliveries';
import type { ListenProcess } from '../support/listen-process';
import { post, startListen, tempDir } from '../support/listen-process';

/**
 * A full disk, simulated with a small tmpfs mounted on the data folder. Mounting needs root
 * (or CAP_SYS_ADMIN); elsewhere the test is skipped with the reason.
 */
function tryMount(dir: string, sizeKiB: number): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as Error).message).split('\n', 1)[0]}); run as root to simulate a full disk`;
  }
}

const BODY = 'x'.repeat(256 * 1024);
/** Enough 256 KiB deliveries to fill a 3 MiB tmpfs several times over. */
const MAX_POSTS = 60;

const probeDir = tempDir('hooktray-mount-probe-');
const mountProblem = tryMount(probeDir, 64);
if (mountProblem === null) execFileSync('umount', [probeDir]);
rmSync(probeDir, { recursive: true, force: true });

describe.skipIf(mountProblem !== null)(`full disk${mountProblem === null ? '' : ` (skipped: ${mountProblem})`}`, () => {
  let root: string;
  let dataDir: string;
  let listen: ListenProcess;
  const acknowledged: string[] = [];

  beforeAll(async () => {
    root = tempDir('hooktray-full-');
    dataDir = join(root, 'data');
    mkdirSync(dataDir);
    tryMount(dataDir, 3 * 1024);
    listen = await startListen(['--data-dir', dataDir]);
  });

  afterAll(async () => {
    await listen?.stop();
    execFileSync('umount', ['-l', dataDir]);
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After when full', async () => {
    let rejected: Awaited<ReturnType<typeof post>> | null = null;
    for (let index = 0; index < MAX_POSTS && rejected === null; index += 1) {
      const result = await post(`${listen.localUrl}/fill/${index}`, BODY);
      if (result.status === 200) acknowledged.push(`/fill/${index}`);
      else rejected = result;
    }
    expect(rejected?.status).toBe(503);
    expect(rejected?.headers.get('retry-after')).toBe('30');
    expect(acknowledged.length).toBeGreaterThan(0);
  });

  it('tells the user the disk is full and what to do', async () => {
    const storage = await waitForRecord(listen, (record) => record.type === 'storage');
    expect(storage?.state).toBe('failing');
    expect(storage?.code).toBe('SQLITE_FULL');
    expect(String(storage?.message)).toContain('Free space');
    expect(listen.stderr()).toContain('store: writes are failing');
  });

  it('keeps answering 503 and stays up while full', async () => {
    const again = await post(`${listen.localUrl}/still-full`, BODY);
    expect(again.status).toBe(503);
    expect(listen.child.exitCode).toBeNull();
  });

  it('resumes capture once space is freed', async () => {
    execFileSync('mount', ['-o', 'remount,size=65536k', dataDir]);
    const resumed = await post(`${listen.localUrl}/after-free`, '{"ok":true}');
    expect(resumed.status).toBe(200);
    acknowledged.push('/after-free');

    const ok = await waitForRecord(listen, (record) => record.type === 'storage' && record.state === 'ok');
    expect(ok?.rejected).toBe(0);
  });

  it('loses no acknowledged delivery', async () => {
    expect(await listen.stop()).toBe(0);
    const store = new DeliveryStore({ dataDir, writer: 'inline' });
    const stored = new Set(store.list({ limit: 1000 }).items.map((item) => item.path));
    await store.close();
    expect(acknowledged.filter((path) => !stored.has(path))).toEqual([]);
    expect(stored.has('/still-full')).toBe(false);
  });
});

describe.skipIf(mountProblem !== null)(`retention on a full disk${mountProblem === null ? '' : ` (skipped: ${mountProblem})`}`, () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = tempDir('hooktray-full-prune-');
    tryMount(dataDir, 3 * 1024);
  });

  afterAll(() => {
    execFileSync('umount', ['-l', dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('frees no disk space by pruning', async () => {
    const store = new DeliveryStore({ dataDir, writer: 'inline' });
    let fullError: unknown = null;
    for (let index = 0; index < MAX_POSTS && fullError === null; index += 1) {
      await store.add(delivery(index)).catch((error: unknown) => {
        fullError = error;
      });
    }
    expect((fullError as { code?: string } | null)?.code).toBe('SQLITE_FULL');

    const freeBefore = statfsSync(dataDir).bavail;
    // Pruning may fail for want of space, or succeed within the space the failed write left.
    let pruneError: unknown = null;
    try {
      store.prune({ maxCount: 1, maxAgeDays: 0 });
    } catch (error) {
      pruneError = error;
    }
    if (pruneError !== null) expect((pruneError as { code?: string }).code).toBe('SQLITE_FULL');
    expect(statfsSync(dataDir).bavail).toBeLessThanOrEqual(freeBefore);
    await store.close();

    const advice = describeStoreFailure('SQLITE_FULL', fullError, dataDir);
    expect(advice).toContain('Free space on that disk by removing other files');
    expect(advice).toContain('Deleting stored deliveries frees no disk space');
    expect(advice).not.toContain('lower the retention limits so old deliveries are deleted');
  });
});

describe('damaged index', () => {
  let dataDir: string;
  let listen: ListenProcess | undefined;

  beforeAll(async () => {
    dataDir = tempDir('hooktray-damaged-index-');
    const store = new DeliveryStore({ dataDir, writer: 'inline' });
    for (let index = 0; index < 50; index += 1) await store.add(delivery(index, `{"index":${index}}`));
    await store.close();
    damageIndexCells(join(dataDir, 'hooktray.db'), 'deliveries_body_key');
  });

  afterAll(async () => {
    await listen?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('advises restoring the store', async () => {
    // Counting reads only the index's page header, so listen starts, and each insert reads the cells.
    listen = await startListen(['--data-dir', dataDir]);
    const rejected = await post(`${listen.localUrl}/after-damage`, '{"ok":true}');
    expect(rejected.status).toBe(503);

    const storage = await waitForRecord(listen, (record) => record.type === 'storage');
    expect(storage?.code).toBe('SQLITE_CORRUPT');
    const advice = String(storage?.message);
    expect(advice).toContain(`The store ${join(dataDir, 'hooktray.db')} is damaged`);
    expect(advice).toContain('capture does not resume by itself');
    expect(advice).toContain('from a backup, or move it and its -wal and -shm files aside to start an empty store there');
    expect(advice).not.toContain('capture resumes by itself');
  });
});

/**
 * Overwrites the second half of the index's root page, where SQLite keeps the cells of a small
 * index, and keeps the page header and cell pointers, so only reading the entries finds damage.
 */
function damageIndexCells(file: string, index: string): void {
  const db = new Database(file);
  const rootPage = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(index) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.prepare('SELECT count(*) FROM dbstat WHERE name = ?').pluck().get(index) as number;
  db.close();
  expect(pageCount).toBe(1);

  const descriptor = openSync(file, 'r+');
  writeSync(descriptor, Buffer.alloc(pageSize / 2, 0xff), 0, pageSize / 2, (rootPage - 1) * pageSize + pageSize / 2);
  closeSync(descriptor);
}

/** Returns a delivery, the `index`th of a test, with a 256 KiB body unless another is given. */
function delivery(index: number, text = BODY): NewDelivery {
  return testDelivery(Buffer.from(text), { path: `/fill/${index}`, headers: [['Content-Type', 'text/plain']], monotonicNs: String(index) });
}

/** Waits up to 5 s for a printed record that matches. */
async function waitForRecord(listen: ListenProcess, match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = listen.records.find(match);
    if (found !== undefined) return found;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return undefined;
}
