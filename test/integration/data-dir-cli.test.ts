import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../../electron/core/store';
import { DeliveryStore } from '../../electron/core/store';
import { SCHEMA_VERSION } from '../../electron/core/store-schema';
import { schemaVersionOf, testDelivery } from '../support/deliveries';
import { startListen, tempDir } from '../support/listen-process';
import type { CliRun } from '../support/run-cli';
import { runCli } from '../support/run-cli';

/** Deliveries in each store, so that a truncated copy loses some of its pages. */
const DELIVERY_COUNT = 40;

let root: string;
let goodDir: string;
let exportFile: string;
const ids: string[] = [];

/** Returns a delivery with a 2 KiB random body and adds its id to `ids`. */
function randomDelivery(index: number): NewDelivery {
  const delivery = testDelivery(randomBytes(2048), { path: `/hooks/${index}`, headers: [['Content-Type', 'application/octet-stream']], monotonicNs: String(index) });
  ids.push(delivery.id);
  return delivery;
}

/** Stores `count` deliveries with 2 KiB random bodies in a new store in `dir`. */
async function fillStore(dir: string, count: number): Promise<void> {
  const store = new DeliveryStore({ dataDir: dir, writer: 'inline' });
  for (let i = 0; i < count; i += 1) await store.add(randomDelivery(i));
  await store.close();
}

/**
 * Adds a delivery to the store in `from` and copies its files to `to` before closing it, as a
 * crash leaves them: the newest write, page 1 included, is still in the WAL.
 */
async function copyAsCrashed(from: string, to: string): Promise<void> {
  const store = new DeliveryStore({ dataDir: from, writer: 'inline' });
  await store.add(randomDelivery(-1));
  mkdirSync(to);
  copyFileSync(join(from, 'hooktray.db'), join(to, 'hooktray.db'));
  copyFileSync(join(from, 'hooktray.db-wal'), join(to, 'hooktray.db-wal'));
  await store.close();
}

/** Returns every command that opens the store, with the arguments it needs besides --data-dir. */
function commands(): Record<string, string[]> {
  const id = ids[0] as string;
  return {
    listen: ['listen', '--no-tunnel', '--json'],
    ui: ['ui', '--no-tunnel'],
    import: ['import', exportFile],
    export: ['export', '--format', 'ndjson', '--out', join(root, 'out.ndjson')],
    verify: ['verify', id],
    diff: ['diff', id, ids[1] as string],
    replay: ['replay', id, '--to', 'http://127.0.0.1:9/'],
  };
}

/** Checks that a run failed as a usage error with one line of explanation and no stack trace. */
function expectOneLineUsageError(run: CliRun, command: string, ...parts: string[]): void {
  expect(run.code, command).toBe(2);
  expect(run.stderr, command).not.toMatch(/^\s+at /m);
  expect(run.stderr.trim().split('\n'), command).toHaveLength(1);
  for (const part of parts) expect(run.stderr, command).toContain(part);
}

beforeAll(async () => {
  root = tempDir('hooktray-data-dir-');
  goodDir = join(root, 'good');
  await fillStore(goodDir, DELIVERY_COUNT);
  exportFile = join(root, 'export.ndjson');
  const exported = await runCli(['export', '--format', 'ndjson', '--out', exportFile, '--data-dir', goodDir]);
  expect(exported.code).toBe(0);
});

describe('a --data-dir that cannot be used', () => {
  it('names a regular file given as the folder', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'notes');
    for (const command of ['listen', 'ui', 'import', 'export', 'verify']) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', file]);
      expectOneLineUsageError(run, command, `The data folder ${file} is a file, not a folder`, 'choose another --data-dir');
    }
    expect(readFileSync(file, 'utf8')).toBe('notes');
  });

  it('rejects an empty value', async () => {
    for (const command of Object.keys(commands())) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', '']);
      expectOneLineUsageError(run, command, '--data-dir is empty: pass a folder path');
    }
  });

  it('names the missing target of a link given as the folder', async () => {
    const link = join(root, 'dangling');
    const target = join(root, 'moved-away');
    symlinkSync(target, link);
    for (const command of ['listen', 'ui', 'import']) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', link]);
      expectOneLineUsageError(run, command, `The data folder ${link} is a link to ${target}, which does not exist`, 'create that folder');
    }
    expect(existsSync(target)).toBe(false);
  });

  it('names a file in the folder path', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'notes');
    const folder = join(file, 'store');
    for (const command of ['listen', 'ui', 'import']) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The data folder ${folder} cannot exist because a folder in its path is a file`);
    }
  });

  it.skipIf(!existsSync('/proc/self'))('names a folder that /proc cannot hold', async () => {
    // Node's recursive mkdir loops forever at full CPU here; the commands must fail instead.
    for (const command of ['listen', 'import']) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', '/proc/hooktray-test/store']);
      expectOneLineUsageError(run, command, 'The data folder /proc/hooktray-test/store cannot be created (ENOENT)', 'choose another --data-dir');
    }
    const exported = await runCli(['export', '--format', 'ndjson', '--out', '/proc/hooktray-test/out.ndjson', '--data-dir', goodDir]);
    expect(exported.code).not.toBe(0);
    expect(exported.code).not.toBe(-1);
    expect(exported.stderr).toContain('/proc/hooktray-test');
  });

  it('names a database file that is not SQLite', async () => {
    const folder = join(root, 'garbage');
    mkdirSync(folder);
    const garbage = randomBytes(5000);
    writeFileSync(join(folder, 'hooktray.db'), garbage);
    for (const command of Object.keys(commands())) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', folder]);
      expectOneLineUsageError(run, command, `${join(folder, 'hooktray.db')} is not a SQLite database`, 'move it and its -wal and -shm files aside');
    }
    expect(readFileSync(join(folder, 'hooktray.db')).equals(garbage)).toBe(true);
  });

  it('names a truncated database', async () => {
    const folder = join(root, 'truncated');
    await fillStore(folder, DELIVERY_COUNT);
    const file = join(folder, 'hooktray.db');
    truncateSync(file, 16_384);
    const truncated = readFileSync(file);
    for (const command of Object.keys(commands())) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The store ${file} is damaged (database disk image is malformed)`, 'restore it from a backup');
    }
    expect(readFileSync(file).equals(truncated)).toBe(true);
  });

  it('names damage found after opening', async () => {
    const source = join(root, 'crash-source');
    const folder = join(root, 'crashed-truncated');
    await fillStore(source, DELIVERY_COUNT);
    const newest = ids.slice(-2);
    await copyAsCrashed(source, folder);
    const file = join(folder, 'hooktray.db');
    // The store opens, because page 1 comes from the WAL, and the newest deliveries are beyond the cut.
    truncateSync(file, 65_536);
    const damaged: Record<string, string[]> = {
      export: ['export', '--format', 'ndjson', '--out', join(root, 'damaged.ndjson')],
      verify: ['verify', newest[0] as string],
      diff: ['diff', newest[0] as string, newest[1] as string],
      replay: ['replay', newest[0] as string, '--to', 'http://127.0.0.1:9/'],
    };
    for (const [command, args] of Object.entries(damaged)) {
      const run = await runCli([...args, '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The store ${file} is damaged (database disk image is malformed)`, 'restore it from a backup');
    }
  });

  it('names a database of a newer Hooktray', async () => {
    const folder = join(root, 'newer');
    await fillStore(folder, 2);
    const file = join(folder, 'hooktray.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    for (const command of Object.keys(commands())) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The store ${file} has schema version 99, newer than this Hooktray's ${SCHEMA_VERSION}`, 'update Hooktray, or choose another --data-dir');
    }
    expect(schemaVersionOf(file)).toBe(99);
  });

  it('names a database path that cannot be opened', async () => {
    // A folder in place of the database file makes SQLite fail to open it even for root,
    // as a read-only disk or a folder without write permission does.
    const folder = join(root, 'folder-as-database');
    mkdirSync(join(folder, 'hooktray.db'), { recursive: true });
    for (const command of ['listen', 'ui', 'import', 'export']) {
      const run = await runCli([...(commands()[command] as string[]), '--data-dir', folder]);
      expectOneLineUsageError(run, command, `The store ${join(folder, 'hooktray.db')} cannot be opened for writing`, 'is a folder, not a database file');
    }
  });
});

describe('a log file that cannot be written', () => {
  /** Checks that stderr reports once, in one line, that log lines go to stderr only, and shows no stack. */
  function expectStderrOnlyNotice(stderr: string, reason: string): void {
    const notices = stderr.split('\n').filter((line) => line.includes('so log lines go to stderr only'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(reason);
    expect(stderr).not.toContain('electron-log');
    expect(stderr).not.toMatch(/^\s+at /m);
  }

  it('logs to stderr when unwritable at start', async () => {
    const folder = join(root, 'log-is-folder');
    mkdirSync(join(folder, 'logs', 'hooktray.log'), { recursive: true });
    const listen = await startListen(['--data-dir', folder]);
    expect(await listen.stop()).toBe(0);

    expectStderrOnlyNotice(listen.stderr(), `the log file ${join(folder, 'logs', 'hooktray.log')} cannot be written (EISDIR)`);
    // With --json, info lines go to the file only, unless it cannot be written.
    expect(listen.stderr()).toContain('listen: started');
  });

  it('logs to stderr when writing fails later', async () => {
    const folder = join(root, 'log-fails-later');
    const listen = await startListen(['--data-dir', folder]);
    const file = join(folder, 'logs', 'hooktray.log');
    rmSync(file);
    mkdirSync(file);
    expect(await listen.stop()).toBe(0);

    expectStderrOnlyNotice(listen.stderr(), `the log file ${file} cannot be written (EISDIR)`);
    expect(listen.stderr()).toContain('listen: stopping');
  });
});

