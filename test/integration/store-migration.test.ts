import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DeliveryStore } from '../../electron/core/store';
import { SCHEMA_VERSION } from '../../electron/core/store-schema';
import type { NewDelivery } from '../../electron/core/store-writer';
import { schemaVersionOf, testDelivery } from '../support/deliveries';
import { tempDir } from '../support/listen-process';

/** The build's module with the store's `openDatabase`, which worker threads can load. */
const WRITER_MODULE = resolve(__dirname, '..', '..', 'out', 'node', 'core', 'store-writer.js');

/** Each thread counts itself ready, waits for the start signal and opens the database. */
const OPENING_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { openDatabase } = require(workerData.module);
const flags = new Int32Array(workerData.flags);
Atomics.add(flags, 0, 1);
Atomics.wait(flags, 1, 0);
try {
  openDatabase(workerData.file, {}).close();
  parentPort.postMessage('opened');
} catch (error) {
  parentPort.postMessage(String(error));
}
`;

/**
 * Opens `file` with the store's settings from `count` threads that start at the same moment,
 * as several Hooktray processes do when started together, and resolves with each outcome.
 */
async function openAtOnce(file: string, count: number): Promise<string[]> {
  // Index 0 counts the threads that are ready, and setting index 1 to 1 starts them.
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const outcomes = Array.from({ length: count }, () => {
    const worker = new Worker(OPENING_THREAD, { eval: true, workerData: { module: WRITER_MODULE, file, flags: flags.buffer } });
    return new Promise<string>((resolveOutcome) => {
      worker.once('message', (message: string) => resolveOutcome(message));
      worker.once('error', (error) => resolveOutcome(String(error)));
    }).finally(() => worker.terminate());
  });
  while (Atomics.load(flags, 0) < count) await new Promise((wait) => setTimeout(wait, 5));
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  return Promise.all(outcomes);
}

/** Creates a store in a new folder and turns its database back into schema version 3. */
async function schemaThreeDatabase(): Promise<string> {
  const dataDir = tempDir('hooktray-migration-');
  await new DeliveryStore({ dataDir, writer: 'inline' }).close();
  const file = join(dataDir, 'hooktray.db');
  const db = new Database(file);
  db.exec('ALTER TABLE deliveries DROP COLUMN public_url; ALTER TABLE deliveries DROP COLUMN truncated_reason');
  db.pragma('user_version = 3');
  db.close();
  return file;
}

function hasPublicUrlColumn(file: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('deliveries') as string[]).includes('public_url');
  } finally {
    db.close();
  }
}

describe('store migration from several threads', () => {
  it('migrates an older database once', async () => {
    // The race between reading the version and altering the table is short, so it runs a few times.
    for (let round = 0; round < 5; round++) {
      const file = await schemaThreeDatabase();

      expect(await openAtOnce(file, 4)).toEqual(['opened', 'opened', 'opened', 'opened']);
      expect(schemaVersionOf(file)).toBe(SCHEMA_VERSION);
      expect(hasPublicUrlColumn(file)).toBe(true);
    }
  });

  it('creates a new database from several threads', async () => {
    for (let round = 0; round < 20; round++) {
      const file = join(tempDir('hooktray-new-store-'), 'hooktray.db');

      expect(await openAtOnce(file, 4)).toEqual(['opened', 'opened', 'opened', 'opened']);
      expect(schemaVersionOf(file)).toBe(SCHEMA_VERSION);
    }
  });
});

/** Returns an unverified delivery to `path`; a truncated one has an empty body, as the receiver stores it. */
function delivery(path: string, truncated: boolean): NewDelivery {
  if (!truncated) return testDelivery(Buffer.from('{"ok":true}'), { path });
  return testDelivery(Buffer.alloc(0), { path, size: 5000, truncated, truncatedReason: 'body-limit' });
}

describe('store migration of truncated deliveries', () => {
  it('reads an older truncated row as over the body limit', async () => {
    const dataDir = tempDir('hooktray-migration-truncated-');
    const older = new DeliveryStore({ dataDir, writer: 'inline' });
    const truncated = await older.add(delivery('/too-big', true));
    const stored = await older.add(delivery('/fits', false));
    await older.close();
    // Turns the file back into schema version 4, which recorded no reason for a truncated body.
    const file = join(dataDir, 'hooktray.db');
    const db = new Database(file);
    db.exec('ALTER TABLE deliveries DROP COLUMN truncated_reason');
    db.pragma('user_version = 4');
    db.close();

    const store = new DeliveryStore({ dataDir, writer: 'inline' });
    try {
      expect(store.get(truncated.id)?.truncated).toBe(true);
      expect(store.get(truncated.id)?.truncatedReason).toBe('body-limit');
      expect(store.get(stored.id)?.truncatedReason).toBeNull();
      expect(store.list().items.map((item) => [item.path, item.truncatedReason])).toEqual([
        ['/fits', null],
        ['/too-big', 'body-limit'],
      ]);
    } finally {
      await store.close();
    }
    expect(schemaVersionOf(file)).toBe(SCHEMA_VERSION);
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare('SELECT path, truncated_reason FROM deliveries ORDER BY seq').all()).toEqual([
        { path: '/too-big', truncated_reason: 'body-limit' },
        { path: '/fits', truncated_reason: null },
      ]);
    } finally {
      check.close();
    }
  });
});
