import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from './contract';
import type { NewDelivery } from './store';
import { summarizeSpike } from './spike-summary';
import { DeliveryStore } from './store';
import { SEARCH_BODY_BYTES } from './store-search-index';
import { UlidGenerator } from './ulid';

const ids = new UlidGenerator();
const open: DeliveryStore[] = [];

function newStore(dataDir = mkdtempSync(join(tmpdir(), 'hooktray-store-'))): DeliveryStore {
  const store = new DeliveryStore({ dataDir });
  open.push(store);
  return store;
}

function delivery(path: string, body: string | Buffer, options: { verdict?: Verdict['status']; receivedAt?: Date; headers?: [string, string][] } = {}): NewDelivery {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const receivedAt = options.receivedAt ?? new Date();
  return {
    id: ids.next(receivedAt.getTime()),
    receivedAt: receivedAt.toISOString(),
    monotonicNs: process.hrtime.bigint().toString(),
    method: 'POST',
    path,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers: options.headers ?? [['Content-Type', 'application/json']],
    size: bytes.length,
    truncated: false,
    truncatedReason: null,
    contentEncoding: null,
    body: bytes,
    decodedBody: null,
    decodeError: null,
    bodySha256: createHash('sha256').update(bytes).digest('hex'),
    verdict: { status: options.verdict ?? 'unverified', scheme: null, profile: null, reason: 'test' },
    spike: null,
  };
}

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

describe('DeliveryStore', () => {
  it('lists Spike summaries without events and reads the events with the detail', async () => {
    const store = newStore();
    const events = [
      { application_user_id: 'user-a', event_type: 'record_change', metrics: ['steps'], earliest_record_start_at: '2025-04-14T00:00:00Z', latest_record_end_at: '2025-04-15T00:00:00Z' },
      { application_user_id: 'user-b', event_type: 'record_change', metrics: ['sleep'], earliest_record_start_at: '2025-04-13T00:00:00Z', latest_record_end_at: '2025-04-14T00:00:00Z' },
    ];
    const body = Buffer.from(JSON.stringify(events));
    const added = await store.add({ ...delivery('/spike', body), spike: summarizeSpike(body) });

    const [listed] = store.list().items;
    expect(listed?.spike).toMatchObject({ eventCount: 2, users: ['user-a', 'user-b'], window: { start: '2025-04-13T00:00:00Z', end: '2025-04-15T00:00:00Z' } });
    expect(listed?.spike).not.toHaveProperty('events');
    expect(store.get(added.id)?.spike?.events.map((event) => event.applicationUserId)).toEqual(['user-a', 'user-b']);
  });

  it('stores and reads a delivery exactly', async () => {
    const store = newStore();
    const body = Buffer.from([0x00, 0xff, 0x7b, 0xc3, 0x28]);
    const added = await store.add(delivery('/a?x=1', body, { headers: [['X-B', '1'], ['x-a', '2'], ['X-B', '3']] }));
    const read = store.get(added.id);
    expect(read).not.toBeNull();
    expect(Buffer.compare(Buffer.from(read?.body ?? []), body)).toBe(0);
    expect(read?.headers).toEqual([['X-B', '1'], ['x-a', '2'], ['X-B', '3']]);
    expect(read?.path).toBe('/a?x=1');
    expect(read?.receivedAt).toBe(added.receivedAt);
  });

  it('commits a burst in one transaction', async () => {
    const store = newStore();
    const writes = Array.from({ length: 50 }, (_, index) => store.add(delivery(`/burst/${index}`, `${index}`)));
    const stored = await Promise.all(writes);
    expect(stored).toHaveLength(50);
    expect(store.count()).toBe(50);
  });

  it('pages newest first', async () => {
    const store = newStore();
    for (let index = 0; index < 25; index++) await store.add(delivery(`/page/${index}`, `${index}`));
    const first = store.list({ limit: 10 });
    expect(first.items.map((item) => item.path)[0]).toBe('/page/24');
    expect(first.total).toBe(25);
    expect(first.nextBefore).not.toBeNull();
    const second = store.list({ limit: 10, before: first.nextBefore as string });
    expect(second.items[0]?.path).toBe('/page/14');
    const third = store.list({ limit: 10, before: second.nextBefore as string });
    expect(third.items).toHaveLength(5);
    expect(third.nextBefore).toBeNull();
  });

  it('finds text in path, headers and body', async () => {
    const store = newStore();
    await store.add(delivery('/orders/created', '{"amount": 1}'));
    await store.add(delivery('/other', '{"customer": "Zoë Example"}'));
    await store.add(delivery('/third', 'x', { headers: [['X-Request-Trace', 'trace-abc']] }));
    expect(store.list({ text: 'orders' }).items.map((item) => item.path)).toEqual(['/orders/created']);
    expect(store.list({ text: 'zoë exa' }).items.map((item) => item.path)).toEqual(['/other']);
    expect(store.list({ text: 'trace-abc' }).items.map((item) => item.path)).toEqual(['/third']);
    expect(store.list({ text: 'ot' }).items.map((item) => item.path)).toEqual(['/other']);
    expect(store.list({ text: 'absent text' }).total).toBe(0);
  });

  it('finds indexed and newer deliveries without indexing', async () => {
    const store = newStore();
    await store.add(delivery('/indexed', '{"note": "Needle in the index"}'));
    while (store.indexPending());
    await store.add(delivery('/newer', '{"note": "needle in the tail"}'));
    await store.add(delivery('/header-only', 'x', { headers: [['X-Marker', 'NEEDLE']] }));

    const indexedSeq = (): unknown => store.database.prepare('SELECT indexed_seq FROM search_state').pluck().get();
    const before = indexedSeq();
    expect(store.list({ text: 'needle' }).items.map((item) => item.path)).toEqual(['/header-only', '/newer', '/indexed']);
    expect(store.list({ text: 'needle' }).total).toBe(3);
    expect(store.list({ text: 'needle in the tail' }).items.map((item) => item.path)).toEqual(['/newer']);
    // The search left the newer deliveries to the background indexer, which finds them the same way.
    expect(indexedSeq()).toBe(before);
    store.indexPending();
    expect(store.list({ text: 'needle' }).items.map((item) => item.path)).toEqual(['/header-only', '/newer', '/indexed']);
  });

  it('finds text after an empty body', async () => {
    const store = newStore();
    await store.add(delivery('/health', ''));
    await store.add(delivery('/after/empty', '{"marker": "afterempty"}'));
    expect(store.list({ text: 'afterempty' }).items.map((item) => item.path)).toEqual(['/after/empty']);
    expect(store.list({ text: 'health' }).items.map((item) => item.path)).toEqual(['/health']);
  });

  it('matches short and long queries alike', async () => {
    const store = newStore();
    await store.add(delivery('/proto-body', '{"__proto__": {"polluted": true}}'));
    await store.add(delivery('/under-header', 'plain', { headers: [['X-Trace', 'a__b']] }));
    await store.add(delivery('/quoted-header', 'plain', { headers: [['X-Quote', 'say "hi"']] }));
    await store.add(delivery('/emoji', 'x😀y', { headers: [['Accept', '*/*']] }));
    const expected: [string, string[]][] = [
      ['__', ['/under-header', '/proto-body']],
      ['"', ['/quoted-header', '/proto-body']],
      ['"hi"', ['/quoted-header']],
      ['","', []],
      ['x-quote: say', ['/quoted-header']],
      ['type: application', ['/proto-body']],
      ['😀', ['/emoji']],
      ['😀y', ['/emoji']],
    ];

    // Right after the writes the scan matches them, and after indexing the trigram index does.
    for (const [text, paths] of expected) expect(store.list({ text }).items.map((item) => item.path), `before indexing: ${text}`).toEqual(paths);
    while (store.indexPending());
    for (const [text, paths] of expected) expect(store.list({ text }).items.map((item) => item.path), `after indexing: ${text}`).toEqual(paths);
  });

  it('finds characters by their escape', async () => {
    const store = newStore();
    await store.add(delivery('/zero-width', 'a\u200bb plain text'));
    await store.add(delivery('/bell', 'ring\u0007bell plain text'));
    await store.add(delivery('/escaped-json', '{"name":"a\\u200bb"}'));
    const expected: [string, string[]][] = [
      ['\\u200b', ['/escaped-json', '/zero-width']],
      ['a\\u200bb', ['/escaped-json', '/zero-width']],
      ['\\u200B', ['/escaped-json', '/zero-width']],
      ['ring\\x07bell', ['/bell']],
      ['\\u0007', ['/bell']],
      ['\\x07', ['/bell']],
      ['\\u00e9', []],
    ];

    for (const [text, paths] of expected) expect(store.list({ text }).items.map((item) => item.path), `before indexing: ${text}`).toEqual(paths);
    while (store.indexPending());
    for (const [text, paths] of expected) expect(store.list({ text }).items.map((item) => item.path), `after indexing: ${text}`).toEqual(paths);
    expect(store.list({ text: '\\u200b', verdicts: ['valid'] }).total).toBe(0);
  });

  it('searches the first 64 KiB of a body', async () => {
    const store = newStore();
    const body = `${'a'.repeat(SEARCH_BODY_BYTES - 'early-mark'.length)}early-mark late-mark`;
    await store.add(delivery('/long', body));
    expect(SEARCH_BODY_BYTES).toBe(64 * 1024);

    for (const state of ['before indexing', 'after indexing']) {
      expect(store.list({ text: 'early-mark' }).total, state).toBe(1);
      expect(store.list({ text: 'late-mark' }).total, state).toBe(0);
      while (store.indexPending());
    }
  });

  it('finds binary deliveries by path and headers only', async () => {
    const store = newStore();
    const body = Buffer.concat([randomBytes(4096), Buffer.from('needle-in-binary'), randomBytes(4096)]);
    await store.add(delivery('/uploads/binary', body, { headers: [['X-Upload-Trace', 'trace-binary']] }));

    for (const state of ['before indexing', 'after indexing']) {
      expect(store.list({ text: 'uploads/bin' }).total, state).toBe(1);
      expect(store.list({ text: 'trace-binary' }).total, state).toBe(1);
      expect(store.list({ text: 'needle-in-binary' }).total, state).toBe(0);
      while (store.indexPending());
    }
    const indexedBody = store.database.prepare("SELECT count(*) FROM delivery_text WHERE delivery_text MATCH 'body:needle'").pluck().get();
    expect(indexedBody).toBe(0);
  });

  it('finds text in a decoded gzip body', async () => {
    const store = newStore();
    const json = Buffer.from('{"event": "gzip-marker"}');
    const compressed = gzipSync(json);
    await store.add({ ...delivery('/gzip', compressed, { headers: [['Content-Encoding', 'gzip']] }), contentEncoding: 'gzip', decodedBody: json });

    for (const state of ['before indexing', 'after indexing']) {
      expect(store.list({ text: 'gzip-marker' }).items.map((item) => item.path), state).toEqual(['/gzip']);
      while (store.indexPending());
    }
  });

  it('filters by verdict and time range', async () => {
    const store = newStore();
    await store.add(delivery('/old', 'a', { verdict: 'valid', receivedAt: new Date('2025-01-01T00:00:00Z') }));
    await store.add(delivery('/new', 'b', { verdict: 'invalid', receivedAt: new Date('2025-06-01T00:00:00Z') }));
    expect(store.list({ verdicts: ['invalid'] }).items.map((item) => item.path)).toEqual(['/new']);
    expect(store.list({ from: '2025-03-01T00:00:00Z' }).items.map((item) => item.path)).toEqual(['/new']);
    expect(store.list({ to: '2025-03-01T00:00:00Z' }).items.map((item) => item.path)).toEqual(['/old']);
  });

  it('filters by ids with the other filters', async () => {
    const store = newStore();
    const garmin = await store.add(delivery('/a', '{"provider":"garmin"}', { verdict: 'valid' }));
    const polar = await store.add(delivery('/b', '{"provider":"polar"}', { verdict: 'valid' }));
    const invalid = await store.add(delivery('/c', '{"provider":"garmin"}', { verdict: 'invalid' }));
    await store.add(delivery('/d', '{"provider":"garmin"}', { verdict: 'valid' }));
    const pushed = [garmin.id, polar.id, invalid.id];

    const page = store.list({ ids: pushed, text: 'garmin', verdicts: ['valid'] });
    expect(page.items.map((item) => item.path)).toEqual(['/a']);
    expect(page.total).toBe(1);
    expect(store.list({ ids: pushed }).total).toBe(3);
    expect(store.list({ ids: [] }).total).toBe(0);
  });

  it('marks a repeated body as a retry of the first', async () => {
    const store = newStore();
    const first = await store.add(delivery('/spike', '[{"a":1}]'));
    const second = await store.add(delivery('/spike', '[{"a":1}]'));
    const third = await store.add(delivery('/spike', '[{"a":1}]'));
    const other = await store.add(delivery('/spike', '[{"a":2}]'));
    expect(first.retryOf).toBeNull();
    expect(second.retryOf).toBe(first.id);
    expect(third.retryOf).toBe(first.id);
    expect(other.retryOf).toBeNull();
  });

  it('keeps deliveries across reopening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hooktray-store-'));
    const store = new DeliveryStore({ dataDir });
    const added = await store.add(delivery('/persist', 'kept'));
    await store.close();
    const reopened = newStore(dataDir);
    expect(reopened.get(added.id)?.path).toBe('/persist');
  });

  it('prunes by count and by age', async () => {
    const store = newStore();
    await store.add(delivery('/ancient', 'a', { receivedAt: new Date('2020-01-01T00:00:00Z') }));
    for (let index = 0; index < 5; index++) await store.add(delivery(`/recent/${index}`, `${index}`));
    store.indexPending();
    expect(store.prune({ maxCount: 0, maxAgeDays: 30 })).toBe(1);
    expect(store.prune({ maxCount: 3, maxAgeDays: 0 })).toBe(2);
    expect(store.list().items.map((item) => item.path)).toEqual(['/recent/4', '/recent/3', '/recent/2']);
    expect(store.list({ text: 'recent/0' }).total).toBe(0);
  });

  it('prunes a backlog oldest first in batches', async () => {
    const store = newStore();
    await Promise.all(Array.from({ length: 1203 }, (_, index) => store.add(delivery(`/backlog/${index}`, `${index}`))));
    while (store.indexPending());

    const first = store.pruneBatch({ maxCount: 100, maxAgeDays: 0 });
    expect(first).toEqual({ deleted: 500, more: true });
    expect(store.count()).toBe(703);
    expect(store.list({ text: 'backlog/499' }).total).toBe(0);
    expect(store.list({ text: 'backlog/500' }).total).toBe(1);

    expect(store.pruneBatch({ maxCount: 100, maxAgeDays: 0 })).toEqual({ deleted: 500, more: true });
    expect(store.pruneBatch({ maxCount: 100, maxAgeDays: 0 })).toEqual({ deleted: 103, more: false });
    expect(store.pruneBatch({ maxCount: 100, maxAgeDays: 0 })).toEqual({ deleted: 0, more: false });
    expect(store.list({ limit: 1000 }).items.map((item) => item.path).at(-1)).toBe('/backlog/1103');
  });

  it('finds deliveries stored after pruning the newest', async () => {
    const store = newStore();
    const old = new Date('2020-01-01T00:00:00Z');
    await store.add(delivery('/old/1', 'a', { receivedAt: old }));
    await store.add(delivery('/old/2', 'b', { receivedAt: old }));
    while (store.indexPending());
    expect(store.prune({ maxCount: 0, maxAgeDays: 30 })).toBe(2);

    // SQLite gives the next delivery the seq of a deleted one, which the index had covered.
    await store.add(delivery('/fresh/after-prune', 'c'));
    for (const state of ['before indexing', 'after indexing']) {
      expect(store.list({ text: 'after-prune' }).total, state).toBe(1);
      while (store.indexPending());
    }
  });

  it('counts what prune would delete', async () => {
    const store = newStore();
    await store.add(delivery('/ancient', 'a', { receivedAt: new Date('2020-01-01T00:00:00Z') }));
    for (let index = 0; index < 5; index++) await store.add(delivery(`/recent/${index}`, `${index}`));

    expect(store.countPrunable({ maxCount: 0, maxAgeDays: 0 })).toBe(0);
    expect(store.countPrunable({ maxCount: 0, maxAgeDays: 30 })).toBe(1);
    expect(store.countPrunable({ maxCount: 3, maxAgeDays: 30 })).toBe(3);
    expect(store.count()).toBe(6);
    expect(store.prune({ maxCount: 3, maxAgeDays: 30 })).toBe(3);
  });

  it('updates verdicts and reports changes', async () => {
    const store = newStore();
    const added = await store.add(delivery('/v', 'x', { verdict: 'no-key' }));
    const changed = store.updateVerdicts([{ id: added.id, verdict: { status: 'valid', scheme: 'spike', profile: 'p', reason: 'ok' } }]);
    expect(changed).toHaveLength(1);
    expect(store.get(added.id)?.verdict.status).toBe('valid');
    expect(store.list({ verdicts: ['valid'] }).total).toBe(1);
  });

  it('finds retries after migration 3', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hooktray-store-'));
    const older = new DeliveryStore({ dataDir });
    const first = await older.add(delivery('/spike', '[{"event_type":"record_change"}]'));
    const other = await older.add(delivery('/spike', '[]'));
    await older.close();
    // Turns the file back into schema version 2, which indexed the hex digest with method and path.
    const db = new Database(join(dataDir, 'hooktray.db'));
    db.exec(`DROP INDEX deliveries_body_key;
      ALTER TABLE deliveries DROP COLUMN body_key;
      ALTER TABLE deliveries DROP COLUMN public_url;
      ALTER TABLE deliveries DROP COLUMN truncated_reason;
      CREATE INDEX deliveries_body ON deliveries (body_sha256, method, path);`);
    db.pragma('user_version = 2');
    db.close();

    const store = newStore(dataDir);
    const retry = await store.add(delivery('/spike', '[{"event_type":"record_change"}]'));
    const otherRetry = await store.add(delivery('/spike', '[]'));
    const samePathOtherMethod = await store.add({ ...delivery('/spike', '[]'), method: 'PUT' });
    expect(retry.retryOf).toBe(first.id);
    expect(otherRetry.retryOf).toBe(other.id);
    expect(samePathOtherMethod.retryOf).toBeNull();

    const check = new Database(join(dataDir, 'hooktray.db'), { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM deliveries WHERE body_key IS NULL').get()).toEqual({ n: 0 });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'deliveries_body%'").all()).toEqual([{ name: 'deliveries_body_key' }]);
    check.close();
  });

  it('reports busy only while bytes wait', async () => {
    const store = new DeliveryStore({ dataDir: mkdtempSync(join(tmpdir(), 'hooktray-store-')), maxQueuedBytes: 10 });
    open.push(store);
    expect(store.isBusyFor(50)).toBe(false);
    const waiting = store.add(delivery('/busy', '12345678'));
    expect(store.isBusyFor(2)).toBe(false);
    expect(store.isBusyFor(3)).toBe(true);
    await expect(store.add(delivery('/busy', '123'), { rejectWhenBusy: true })).rejects.toMatchObject({ code: 'STORE_BUSY' });
    await waiting;
    expect(store.isBusyFor(50)).toBe(false);
  });

  it('names the new bytes in a busy rejection', async () => {
    const store = new DeliveryStore({ dataDir: mkdtempSync(join(tmpdir(), 'hooktray-store-')), maxQueuedBytes: 10 });
    open.push(store);
    const waiting = store.add(delivery('/busy', '12345678'));
    const rejected = store.add(delivery('/busy', '123'), { rejectWhenBusy: true });
    await expect(rejected).rejects.toThrow(
      "The store is busy: 8 body bytes are waiting for a commit, and this delivery's 3 would bring them to 11, over the limit of 10; retry shortly.",
    );
    await waiting;
  });

  it('rejects a database from a newer Hooktray', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hooktray-store-'));
    const db = new Database(join(dataDir, 'hooktray.db'));
    db.pragma('user_version = 999');
    db.close();
    expect(() => new DeliveryStore({ dataDir })).toThrow(/schema version 999/);
  });
});
