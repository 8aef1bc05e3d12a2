import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../../electron/core/store';
import { DeliveryStore } from '../../electron/core/store';
import { testDelivery } from '../support/deliveries';
import { post, startListen, tempDir } from '../support/listen-process';
import type { CliRun } from '../support/run-cli';
import { runCli } from '../support/run-cli';

/**
 * Data folders on a full or read-only file system, made with tmpfs and bind mounts. Mounting
 * needs root (or CAP_SYS_ADMIN); elsewhere the tests are skipped with the reason.
 */
function mount(args: string[]): string | null {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount here (${String((error as Error).message).split('\n', 1)[0]}); run as root to simulate a full or read-only disk`;
  }
}

const probeDir = tempDir('hooktray-mount-probe-');
const mountProblem = mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probeDir]);
if (mountProblem === null) execFileSync('umount', [probeDir]);
rmSync(probeDir, { recursive: true, force: true });

/** Returns a small unverified delivery to `path`. */
function delivery(path: string): NewDelivery {
  return testDelivery(Buffer.from('{"ok":true}'), { path });
}

/** Checks that a run failed as a usage error with one line of explanation and no stack trace. */
function expectOneLineUsageError(run: CliRun, command: string, ...parts: string[]): void {
  expect(run.code, command).toBe(2);
  expect(run.stderr, command).not.toMatch(/^\s+at /m);
  expect(run.stderr.trim().split('\n'), command).toHaveLength(1);
  for (const part of parts) expect(run.stderr, command).toContain(part);
}

describe.skipIf(mountProblem !== null)(`data folder on a special mount${mountProblem === null ? '' : ` (skipped: ${mountProblem})`}`, () => {
  let root: string;
  const mounted: string[] = [];

  let exportFile: string;

  beforeAll(async () => {
    root = tempDir('hooktray-mounts-');
    const store = new DeliveryStore({ dataDir: join(root, 'source'), writer: 'inline' });
    await store.add(delivery('/hooks/source'));
    await store.close();
    exportFile = join(root, 'export.ndjson');
    const exported = await runCli(['export', '--format', 'ndjson', '--out', exportFile, '--data-dir', join(root, 'source')]);
    expect(exported.code).toBe(0);
  });

  afterAll(() => {
    for (const point of mounted.reverse()) execFileSync('umount', ['-l', point]);
    rmSync(root, { recursive: true, force: true });
  });

  it('names a full disk when creating the store', async () => {
    const disk = join(root, 'full');
    mkdirSync(disk);
    expect(mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk])).toBeNull();
    mounted.push(disk);
    // Writing until ENOSPC fills every block, so the store's first page cannot be written.
    try {
      writeFileSync(join(disk, 'filler'), Buffer.alloc(1024 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }

    const commands: Record<string, string[]> = {
      listen: ['listen', '--no-tunnel', '--json', '--port', '0'],
      ui: ['ui', '--no-tunnel', '--port', '0'],
      import: ['import', exportFile],
    };
    for (const [command, args] of Object.entries(commands)) {
      const folder = join(disk, command);
      const run = await runCli([...args, '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The disk holding ${folder} is full`, 'free space on that disk, or choose another --data-dir');
      expect(readdirSync(folder).filter((name) => name.startsWith('hooktray.db')), command).toEqual([]);
    }
  });

  it('rejects a read-only folder after a crash', async () => {
    const folder = join(root, 'crashed');
    const listen = await startListen(['--data-dir', folder]);
    expect((await post(`${listen.localUrl}/before-crash`, '{"ok":true}')).status).toBe(200);
    await listen.stop('SIGKILL');
    expect(readdirSync(folder)).toEqual(expect.arrayContaining(['hooktray.db-wal', 'hooktray.db-shm']));

    const readOnly = join(root, 'crashed-read-only');
    mkdirSync(readOnly);
    expect(mount(['--bind', '-o', 'ro', folder, readOnly])).toBeNull();
    mounted.push(readOnly);
    const commands: Record<string, string[]> = {
      listen: ['listen', '--no-tunnel', '--json', '--port', '0'],
      ui: ['ui', '--no-tunnel', '--port', '0'],
      import: ['import', exportFile],
      export: ['export', '--format', 'ndjson', '--out', join(root, 'crashed.ndjson')],
    };
    for (const [command, args] of Object.entries(commands)) {
      const run = await runCli([...args, '--data-dir', readOnly]);
      expectOneLineUsageError(run, command, `The store ${join(readOnly, 'hooktray.db')} cannot be opened for writing`, `${readOnly} is on a read-only file system`);
    }
  });
});
