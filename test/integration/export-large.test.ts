import { closeSync, openSync, ftruncateSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExportedFile, ExportProgress } from '../../electron/core/contract';
import type { ExportSink } from '../../electron/core/export/sinks';
import { readImport } from '../../electron/core/export/import';
import { exportDeliveries } from '../../electron/core/fixtures';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { DeliveryStore } from '../../electron/core/store';
import { runCli } from '../support/run-cli';
import { removeTempDirs, sendAll, startCore, tempDir } from './export-support';

/**
 * Deliveries of BODY_BYTES each, together larger than the JavaScript heap the CLI gets in
 * these tests, so an export or import that keeps them all in memory at once fails.
 */
const COUNT = 16;
const BODY_BYTES = 6 * 1024 * 1024;
// The bodies total 96 MiB. The heap leaves room for one delivery's text forms at a time: at
// 40 MiB, garbage collection under load sometimes fell behind and the CLI ran out of memory.
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=64' };

let core: HooktrayCore;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('large-source');
  core = await startCore(dataDir);
  const requests = Array.from({ length: COUNT }, (_, i) => ({
    method: 'POST',
    path: `/upload/${i}`,
    headers: [['Content-Type', 'text/plain']] as [string, string][],
    body: Buffer.alloc(BODY_BYTES, `line ${i} of a large delivery\n`),
  }));
  await sendAll(core.receiver.port, requests, 2);
  core.store.flush();
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

describe('large exports', () => {
  it.each(['ndjson', 'har'])('stream %s within a small heap', async (format) => {
    const out = join(tempDir(`large-${format}`), `deliveries.${format}`);
    const run = await runCli(['export', '--format', format, '--out', out, '--data-dir', dataDir], SMALL_HEAP);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Exported ${COUNT} deliveries`);

    const bytes = readFileSync(out);
    expect(bytes.length).toBeGreaterThan(COUNT * BODY_BYTES);
    if (format === 'har') {
      const har = JSON.parse(bytes.toString('utf8')) as { log: { entries: { postData?: unknown; request: { postData: { text: string } } }[] } };
      expect(har.log.entries).toHaveLength(COUNT);
      expect(har.log.entries[0]?.request.postData.text).toHaveLength(BODY_BYTES);
    } else {
      expect(bytes.toString('utf8').trimEnd().split('\n')).toHaveLength(COUNT);
    }
  });

  it('writes NDJSON a delivery at a time', async () => {
    const sink = new RecordingSink();
    const result = await exportDeliveries({ format: 'ndjson' }, { source: core.store, sink, keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(true);
    expect(sink.writes).toHaveLength(COUNT);
    for (const size of sink.writes) expect(size).toBeLessThan(2 * BODY_BYTES);
  });

  it('writes HAR a delivery at a time', async () => {
    const sink = new RecordingSink();
    const result = await exportDeliveries({ format: 'har' }, { source: core.store, sink, keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(true);
    expect(sink.writes).toHaveLength(COUNT + 1);
    for (const size of sink.writes) expect(size).toBeLessThan(2 * BODY_BYTES);
  });
});

describe('export progress', () => {
  it('reports each slow delivery', async () => {
    // Each reading of the clock is two seconds after the previous one, as if every delivery took that long.
    let now = Date.parse('2025-04-15T00:00:00Z');
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 2000));
    const reports: ExportProgress[] = [];
    const result = await exportDeliveries(
      { format: 'ndjson' },
      { source: core.store, sink: new RecordingSink(), keys: [], version: 'test', now: new Date(0), onProgress: (progress) => reports.push(progress) },
    );
    vi.restoreAllMocks();

    expect(result.ok).toBe(true);
    expect(reports.filter((report) => !report.finished).map((report) => report.done)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(reports.at(-1)).toEqual({ done: COUNT, total: COUNT, finished: true });
  });
});

describe('export failures', () => {
  it('name a full disk', async () => {
    const error = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/mnt/full/out.ndjson' });
    const result = await exportDeliveries({ format: 'ndjson' }, { source: core.store, sink: new FailingSink(error), keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('ENOSPC on /mnt/full/out.ndjson');
    expect(result.message).toContain('no free space');
  });

  it('blame no disk for other errors', async () => {
    const result = await exportDeliveries({ format: 'ndjson' }, { source: core.store, sink: new FailingSink(new RangeError('Invalid string length')), keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('Invalid string length');
    expect(result.message).not.toMatch(/free space|writable|destination exists/);
  });
});

describe('large imports', () => {
  it('read NDJSON a line at a time', async () => {
    const out = join(tempDir('large-import-file'), 'deliveries.ndjson');
    const exported = await runCli(['export', '--format', 'ndjson', '--out', out, '--data-dir', dataDir]);
    expect(exported.code, exported.stderr).toBe(0);

    const target = join(tempDir('large-import'), 'store');
    const run = await runCli(['import', out, '--data-dir', target], SMALL_HEAP);
    expect(run.code, run.stderr).toBe(0);
    const store = new DeliveryStore({ dataDir: target });
    expect(store.count()).toBe(COUNT);
    store.close();
  });

  it('rejects a HAR file over the limit', async () => {
    const file = join(tempDir('large-har'), 'huge.har');
    // A sparse file: its size passes the limit without writing the bytes.
    const handle = openSync(file, 'w');
    ftruncateSync(handle, 300 * 1024 * 1024);
    closeSync(handle);
    const result = await readImport({ path: file });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid-file');
    expect(result.message).toContain(file);
    expect(result.message).toContain('larger than the 256 MiB');
    expect(result.message).toContain('--format ndjson');
  });
});

/** Records only the size of each write, to show how an export splits its output. */
class RecordingSink implements ExportSink {
  readonly folder = null;
  readonly writes: number[] = [];

  async write(_name: string, data: Uint8Array): Promise<void> {
    this.writes.push(data.byteLength);
  }

  async finish(): Promise<void> {}

  files(): ExportedFile[] {
    return [];
  }
}

/** Fails every write with the given error. */
class FailingSink implements ExportSink {
  readonly folder = null;

  constructor(private readonly error: Error) {}

  async write(): Promise<void> {
    throw this.error;
  }

  async finish(): Promise<void> {}

  files(): ExportedFile[] {
    return [];
  }
}
