import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStore } from '../../electron/core/store';
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

/** Waits up to 5 s for a printed record that matches. */
async function waitForRecord(listen: ListenProcess, match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = listen.records.find(match);
    if (found !== undefined) return found;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return undefined;
}
