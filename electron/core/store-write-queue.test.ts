import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DeliveryStore } from './store';
import type { Capture } from './ingest';
import type { NewDelivery } from './store';
import { WorkerWriteBackend, WRITER_RESTART_DELAY_MS } from './store-write-queue';
import type { WriteRow } from './store-writer';
import { openDatabase, toWriteRow } from './store-writer';
import { UlidGenerator } from './ulid';

const ids = new UlidGenerator();
const COMPILED_WORKER = resolve(__dirname, '..', '..', 'out', 'node', 'core', 'store-writer-worker.js');

function delivery(path: string, bytes = Buffer.from('{"n":1}')): NewDelivery {
  return {
    id: ids.next(Date.now()),
    receivedAt: new Date().toISOString(),
    monotonicNs: process.hrtime.bigint().toString(),
    method: 'POST',
    path,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers: [['Content-Type', 'application/json']],
    size: bytes.length,
    truncated: false,
    truncatedReason: null,
    contentEncoding: null,
    body: bytes,
    decodedBody: null,
    decodeError: null,
    bodySha256: createHash('sha256').update(bytes).digest('hex'),
    verdict: { status: 'unverified', scheme: null, profile: null, reason: 'test' },
    spike: null,
  };
}

function rowOf(stored: NewDelivery): WriteRow {
  return toWriteRow(stored, stored);
}

function captureOf(stored: NewDelivery): Capture {
  const { id, monotonicNs, method, path, httpVersion, remoteAddress, size, truncated, truncatedReason, body } = stored;
  const rawHeaders = stored.headers.flat();
  const { contentEncoding, decodedBody, decodeError } = stored;
  return { id, receivedAtMs: Date.parse(stored.receivedAt), monotonicNs, method, path, httpVersion, remoteAddress, rawHeaders, size, truncated, truncatedReason, body, contentEncoding, decodedBody, decodeError };
}

/**
 * Writes a worker script that exits on its first message (the `configure` that every new
 * thread gets) while `marker` exists and runs the real writer otherwise, so a test can kill
 * the writer thread and then let it recover.
 */
function crashingWorker(dir: string, marker: string): string {
  const script = join(dir, 'crashing-writer.js');
  writeFileSync(
    script,
    `const { existsSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
if (existsSync(${JSON.stringify(marker)})) parentPort.once('message', () => process.exit(3));
else require(${JSON.stringify(COMPILED_WORKER)});
`,
  );
  return script;
}

/** Returns a worker backend whose thread dies on its first message until `marker` is removed. */
function crashingBackend(): { dir: string; marker: string; file: string; backend: WorkerWriteBackend } {
  const dir = mkdtempSync(join(tmpdir(), 'hooktray-writer-'));
  const marker = join(dir, 'crash');
  writeFileSync(marker, '');
  const file = join(dir, 'hooktray.db');
  openDatabase(file, {}).close();
  return { dir, marker, file, backend: new WorkerWriteBackend(crashingWorker(dir, marker), file, { indexDelayMs: 250 }) };
}

describe.skipIf(!existsSync(COMPILED_WORKER))('writer thread restart (needs npm run build:cli)', () => {
  it('fails writes while dead, then restarts', async () => {
    const { dir, marker, file, backend } = crashingBackend();

    await expect(backend.write([{ kind: 'row', row: rowOf(delivery('/first')) }])).rejects.toMatchObject({ code: 'WRITER_EXITED' });
    await expect(backend.write([{ kind: 'row', row: rowOf(delivery('/too-soon')) }])).rejects.toMatchObject({ code: 'WRITER_EXITED' });

    rmSync(marker);
    await new Promise((wake) => setTimeout(wake, WRITER_RESTART_DELAY_MS + 50));
    const results = await backend.write([{ kind: 'row', row: rowOf(delivery('/after-restart')) }]);
    await backend.close();

    expect(results).toHaveLength(1);
    expect(backend.starts).toBe(2);
    const db = openDatabase(file, {});
    const paths = db.prepare('SELECT path FROM deliveries').pluck().all();
    db.close();
    expect(paths).toEqual(['/after-restart']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!existsSync(COMPILED_WORKER))('writer thread analysis (needs npm run build:cli)', () => {
  it('verifies with the context after a restart', async () => {
    const { dir, marker, backend } = crashingBackend();
    const key = 'writer-test-key';
    backend.configure({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', options: {} }], keys: new Map([['spike', [key]]]), publicUrl: null });
    await expect(backend.write([{ kind: 'row', row: rowOf(delivery('/first')) }])).rejects.toMatchObject({ code: 'WRITER_EXITED' });

    rmSync(marker);
    await new Promise((wake) => setTimeout(wake, WRITER_RESTART_DELAY_MS + 50));
    const body = Buffer.from('[{"event_type":"record_change","application_user_id":"u-1"}]');
    const signature = createHmac('sha256', key).update(body).digest('hex');
    const capture = { ...captureOf(delivery('/spike', body)), rawHeaders: ['X-Body-Signature', signature] };
    const [result] = await backend.write([{ kind: 'capture', capture }]);
    await backend.close();

    expect(backend.starts).toBe(2);
    expect(result?.derived?.verdict).toMatchObject({ status: 'valid', profile: 'spike' });
    expect(result?.derived?.spike?.users).toEqual(['u-1']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('store back-pressure bound', () => {
  it('rejects receiver writes over the bound with STORE_BUSY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hooktray-bound-'));
    const store = new DeliveryStore({ dataDir: dir, writer: 'inline', maxQueuedBytes: 1_000 });
    const body = Buffer.alloc(600, 'a');

    const first = store.add(delivery('/a', body), { rejectWhenBusy: true });
    const second = store.add(delivery('/b', body), { rejectWhenBusy: true });
    const imported = store.add(delivery('/c', body));

    await expect(second).rejects.toMatchObject({ code: 'STORE_BUSY' });
    await expect(first).resolves.toMatchObject({ path: '/a' });
    await expect(imported).resolves.toMatchObject({ path: '/c' });
    expect(store.pendingBytes).toBe(0);

    const afterDrain = await store.add(delivery('/d', body), { rejectWhenBusy: true });
    expect(afterDrain.path).toBe('/d');
    expect(store.count()).toBe(3);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the decoded bytes of captures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hooktray-bound-'));
    const store = new DeliveryStore({ dataDir: dir, writer: 'inline', maxQueuedBytes: 1_000 });
    const gzipped = { ...captureOf(delivery('/gzip', Buffer.alloc(100, 'z'))), contentEncoding: 'gzip', decodedBody: Buffer.alloc(900, 'a') };

    const first = store.ingest(gzipped, { rejectWhenBusy: true });
    const second = store.ingest({ ...gzipped, id: ids.next(Date.now()) }, { rejectWhenBusy: true });

    await expect(second).rejects.toMatchObject({ code: 'STORE_BUSY' });
    await expect(first).resolves.toMatchObject({ path: '/gzip' });
    expect(store.pendingBytes).toBe(0);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts one delivery over the bound into an empty queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hooktray-bound-'));
    const store = new DeliveryStore({ dataDir: dir, writer: 'inline', maxQueuedBytes: 10 });
    const stored = await store.add(delivery('/big', Buffer.alloc(5_000, 'b')), { rejectWhenBusy: true });
    expect(stored.size).toBe(5_000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('writer thread that fails to start', () => {
  it('commits on the calling thread instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hooktray-writer-fallback-'));
    const script = join(dir, 'broken-writer.js');
    writeFileSync(script, "throw new Error('cannot load the writer');\n");
    const warnings: string[] = [];
    const store = new DeliveryStore({ dataDir: dir, writerScript: script, indexDelayMs: 0, logger: { warn: (message) => warnings.push(message) } });
    expect(store.analyzesOffThread).toBe(true);

    // Sent before the thread has failed, so it is moved to the fallback, not rejected.
    const early = await store.ingest(captureOf(delivery('/sent-early')));
    const late = await store.ingest(captureOf(delivery('/sent-late')));

    expect(early.verdict.status).toBe('unverified');
    expect(late.path).toBe('/sent-late');
    expect(store.analyzesOffThread).toBe(false);
    expect(warnings).toEqual(['store: the writer thread failed to start; committing on this thread instead']);
    expect(store.list().items.map((item) => item.path)).toEqual(['/sent-late', '/sent-early']);
    // This thread indexes for search now, as the writer thread would have.
    const indexedSeq = (): unknown => {
      const db = new Database(join(dir, 'hooktray.db'), { readonly: true });
      const seq = db.prepare('SELECT indexed_seq FROM search_state').pluck().get();
      db.close();
      return seq;
    };
    await expect.poll(indexedSeq).toBe(2);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
