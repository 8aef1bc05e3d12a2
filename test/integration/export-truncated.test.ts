import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TruncatedReason } from '../../electron/core/contract';
import { importDeliveries } from '../../electron/core/export/import';
import { FolderSink } from '../../electron/core/export/sinks';
import { exportDeliveries, HAR_FILE, NDJSON_FILE } from '../../electron/core/fixtures';
import { analyzeDelivery, EMPTY_ANALYSIS_CONTEXT } from '../../electron/core/ingest';
import { DeliveryStore } from '../../electron/core/store';
import type { NewDelivery } from '../../electron/core/store-writer';
import { testDelivery } from '../support/deliveries';
import { removeTempDirs, tempDir } from './export-support';

const stores: DeliveryStore[] = [];

/** Returns an unverified delivery to `path`; one whose body was not stored has an empty body, as the receiver stores it. */
function delivery(path: string, truncatedReason: TruncatedReason | null): NewDelivery {
  if (truncatedReason === null) return testDelivery(Buffer.from('{"ok":true}'), { path });
  return testDelivery(Buffer.alloc(0), { path, size: 5000, truncated: true, truncatedReason });
}

function openStore(prefix: string): DeliveryStore {
  const store = new DeliveryStore({ dataDir: tempDir(prefix), writer: 'inline' });
  stores.push(store);
  return store;
}

/** Imports `path` into a new store with the analysis HooktrayCore uses, and returns the store. */
async function importInto(path: string): Promise<DeliveryStore> {
  const store = openStore('truncated-import');
  const result = await importDeliveries({ path }, store, (captured) => analyzeDelivery(captured, EMPTY_ANALYSIS_CONTEXT, Date.now()));
  if (!result.ok) throw new Error(result.message);
  return store;
}

function reasonsOf(store: DeliveryStore): [string, boolean, TruncatedReason | null][] {
  return store.list().items.map((item) => [item.path, item.truncated, item.truncatedReason]);
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

afterAll(() => {
  removeTempDirs();
});

describe('export of deliveries whose body was not stored', () => {
  it('keeps the reason through each format', async () => {
    const source = openStore('truncated-source');
    await source.add(delivery('/busy', 'memory-cap'));
    await source.add(delivery('/too-big', 'body-limit'));
    await source.add(delivery('/fits', null));
    const expected = [
      ['/fits', false, null],
      ['/too-big', true, 'body-limit'],
      ['/busy', true, 'memory-cap'],
    ];

    for (const [format, file] of [['fixture', null], ['har', HAR_FILE], ['ndjson', NDJSON_FILE]] as const) {
      const folder = tempDir(`truncated-${format}`);
      const result = await exportDeliveries({ format, redactHeaders: [] }, { source, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
      if (!result.ok) throw new Error(result.message);
      const imported = await importInto(file === null ? folder : join(folder, file));

      expect(reasonsOf(imported), format).toEqual(expected);
      const busy = imported.list().items.find((item) => item.path === '/busy');
      expect(busy?.verdict.reason, format).toContain('Hooktray already held its maximum of request bodies in memory');
    }
  });

  it('reads an older fixture as over the body limit', async () => {
    const source = openStore('truncated-old-source');
    await source.add(delivery('/too-big', 'body-limit'));
    const folder = tempDir('truncated-old-fixture');
    const result = await exportDeliveries({ format: 'fixture', redactHeaders: [] }, { source, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
    if (!result.ok) throw new Error(result.message);
    // Fixtures written before the reason was recorded have no truncatedReason field.
    const name = readdirSync(folder).find((entry) => entry.endsWith('.json') && entry !== 'index.json') as string;
    const record = JSON.parse(readFileSync(join(folder, name), 'utf8')) as Record<string, unknown>;
    expect(record.truncatedReason).toBe('body-limit');
    delete record.truncatedReason;
    writeFileSync(join(folder, name), JSON.stringify(record));

    const imported = await importInto(folder);
    expect(reasonsOf(imported)).toEqual([['/too-big', true, 'body-limit']]);
  });

  it('rejects an unknown reason in a fixture', async () => {
    const source = openStore('truncated-bad-source');
    await source.add(delivery('/busy', 'memory-cap'));
    const folder = tempDir('truncated-bad-fixture');
    const result = await exportDeliveries({ format: 'ndjson', redactHeaders: [] }, { source, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
    if (!result.ok) throw new Error(result.message);
    const file = join(folder, NDJSON_FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"truncatedReason":"memory-cap"', '"truncatedReason":"disk-full"'));

    const target = openStore('truncated-bad-import');
    const imported = await importDeliveries({ path: file }, target, (captured) => analyzeDelivery(captured, EMPTY_ANALYSIS_CONTEXT, Date.now()));
    expect(imported).toMatchObject({ ok: false, message: expect.stringContaining('field "truncatedReason"') });
    expect(target.list().items).toEqual([]);
  });
});
