import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryDetail } from '../../electron/core/contract';
import { analyzeWith } from '../../electron/cli/import';
import { importDeliveries } from '../../electron/core/export/import';
import { FolderSink } from '../../electron/core/export/sinks';
import { exportDeliveries, HAR_FILE, NDJSON_FILE } from '../../electron/core/fixtures';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { DeliveryStore } from '../../electron/core/store';
import { sendAll, startCore, tempDir, variedRequest, removeTempDirs } from './export-support';

// har-validator is CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harValidator = require('har-validator') as { har(data: unknown): Promise<unknown> };

const COUNT = 1000;
let core: HooktrayCore;
let originals: DeliveryDetail[];

beforeAll(async () => {
  core = await startCore(tempDir('roundtrip-source'));
  await sendAll(core.receiver.port, Array.from({ length: COUNT }, (_, i) => variedRequest(i)));
  const ids = [...core.store.ids()];
  originals = ids.map((id) => core.store.get(id) as DeliveryDetail);
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

async function exportTo(format: 'fixture' | 'har' | 'ndjson', folder: string) {
  const result = await exportDeliveries(
    { format, redactHeaders: [] },
    { source: core.store, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) },
  );
  if (!result.ok) throw new Error(result.message);
  return result;
}

async function importInto(dataDir: string, path: string): Promise<DeliveryStore> {
  const store = new DeliveryStore({ dataDir });
  const result = await importDeliveries({ path }, store, analyzeWith([], { keysFor: () => [] }));
  if (!result.ok) throw new Error(result.message);
  expect(result.imported).toBe(COUNT);
  expect(result.renamed).toBe(0);
  return store;
}

function expectIdentical(store: DeliveryStore): void {
  let compared = 0;
  for (const original of originals) {
    const copy = store.get(original.id);
    expect(copy, original.id).not.toBeNull();
    if (copy === null) continue;
    expect(Buffer.from(copy.body).equals(Buffer.from(original.body)), `body of ${original.path}`).toBe(true);
    expect(copy.bodySha256).toBe(original.bodySha256);
    expect(copy.headers).toEqual(original.headers);
    expect(copy.method).toBe(original.method);
    expect(copy.path).toBe(original.path);
    expect(copy.receivedAt).toBe(original.receivedAt);
    expect(copy.verdict.reason).toMatch(/^Imported from /);
    compared += 1;
  }
  expect(compared).toBe(COUNT);
}

describe('export round trip', () => {
  it('stores the varied deliveries', () => {
    expect(originals).toHaveLength(COUNT);
    expect(originals.some((delivery) => delivery.contentEncoding === 'gzip' && delivery.decodedBody !== null)).toBe(true);
    expect(originals.some((delivery) => delivery.path.startsWith('/../'))).toBe(true);
  });

  it('round-trips fixtures byte for byte', async () => {
    const folder = tempDir('roundtrip-fixtures');
    const result = await exportTo('fixture', folder);
    expect(result.exported).toBe(COUNT);
    expect(readdirSync(folder)).toHaveLength(COUNT * 2 + 1);

    const store = await importInto(tempDir('roundtrip-fixture-store'), folder);
    expectIdentical(store);
    store.close();
  });

  it('writes .body files with the exact bytes', async () => {
    const folder = tempDir('roundtrip-body');
    await exportTo('fixture', folder);
    const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as { fixtures: { id: string; bodyFile: string }[] };
    for (const entry of index.fixtures) {
      const original = originals.find((delivery) => delivery.id === entry.id) as DeliveryDetail;
      expect(readFileSync(join(folder, entry.bodyFile)).equals(Buffer.from(original.body))).toBe(true);
    }
  });

  it('round-trips a valid HAR', async () => {
    const folder = tempDir('roundtrip-har');
    await exportTo('har', folder);
    const har = JSON.parse(readFileSync(join(folder, HAR_FILE), 'utf8')) as unknown;
    await expect(harValidator.har(har)).resolves.toBeTruthy();

    const store = await importInto(tempDir('roundtrip-har-store'), join(folder, HAR_FILE));
    expectIdentical(store);
    store.close();
  });

  it('round-trips NDJSON', async () => {
    const folder = tempDir('roundtrip-ndjson');
    await exportTo('ndjson', folder);
    expect(readFileSync(join(folder, NDJSON_FILE), 'utf8').trimEnd().split('\n')).toHaveLength(COUNT);

    const store = await importInto(tempDir('roundtrip-ndjson-store'), join(folder, NDJSON_FILE));
    expectIdentical(store);
    store.close();
  });

  it('reports a folder that cannot be written', async () => {
    const file = join(tempDir('roundtrip-blocked'), 'a-file');
    writeFileSync(file, 'not a folder');
    const result = await exportDeliveries({ format: 'fixture' }, { source: core.store, sink: new FolderSink(file), keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('write-failed');
    expect(result.message).toMatch(/EEXIST|ENOTDIR/);
  });

  it('gives new ids on re-import', async () => {
    const folder = tempDir('roundtrip-again');
    await exportTo('fixture', folder);
    const result = await importDeliveries({ path: folder }, core.store, (captured) => core.analyze(captured));
    if (!result.ok) throw new Error(result.message);
    expect(result.renamed).toBe(COUNT);
    expect(new Set(result.ids).size).toBe(COUNT);
    expect(result.ids.some((id) => originals.some((original) => original.id === id))).toBe(false);
    const copy = core.store.get(result.ids[0] as string);
    expect(copy?.verdict.reason).toContain(`exported as ${originals[0]?.id}`);
  });
});
