import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryStore } from './store';
import type { IndexBatchLimits } from './store-search-index';
import { INDEX_BATCH_LIMITS, IndexBatchBudget, IndexScheduler, MAX_DELIVERY_TRIGRAMS, SEARCH_BODY_BYTES, SearchIndexer } from './store-search-index';
import { UlidGenerator } from './ulid';

/** Returns an indexer with a backlog of `batches` batches that records when each one ran. */
function backlog(batches: number): { indexBatch(): boolean; ranAt: number[] } {
  const ranAt: number[] = [];
  return {
    ranAt,
    indexBatch() {
      ranAt.push(Date.now());
      return ranAt.length < batches;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));
let scheduler: IndexScheduler | null = null;
const stores: DeliveryStore[] = [];
const ids = new UlidGenerator();

afterEach(async () => {
  scheduler?.stop();
  for (const store of stores.splice(0)) await store.close();
});

/** Returns a store with one delivery per body, not indexed yet. */
async function storeWith(bodies: Buffer[]): Promise<DeliveryStore> {
  const store = new DeliveryStore({ dataDir: mkdtempSync(join(tmpdir(), 'hooktray-index-')), indexDelayMs: 60_000 });
  stores.push(store);
  for (const [index, body] of bodies.entries()) {
    await store.add({
      id: ids.next(),
      receivedAt: new Date().toISOString(),
      monotonicNs: String(index),
      method: 'POST',
      path: `/bodies/${index}`,
      httpVersion: '1.1',
      remoteAddress: '127.0.0.1',
      forwardedFor: null,
      headers: [['Content-Type', 'text/plain']],
      size: body.length,
      truncated: false,
      truncatedReason: null,
      contentEncoding: null,
      body,
      decodedBody: null,
      decodeError: null,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      verdict: { status: 'unverified', scheme: null, profile: null, reason: 'test' },
      spike: null,
    });
  }
  return store;
}

/** The default limits without the time limit, so that a slow machine does not change the batches. */
const UNTIMED: IndexBatchLimits = { ...INDEX_BATCH_LIMITS, ms: Infinity };

/** Runs one batch and returns how many deliveries it indexed and whether it reported more. */
function indexOneBatch(store: DeliveryStore, limits = UNTIMED): { indexed: number; more: boolean } {
  const indexer = new SearchIndexer(store.database);
  const before = indexer.indexedSeq();
  const more = indexer.indexBatch(limits);
  return { indexed: indexer.indexedSeq() - before, more };
}

const UNLIMITED: IndexBatchLimits = { rows: 1_000, readBytes: Infinity, chars: Infinity, trigrams: Infinity, ms: Infinity };
const cost = { readBytes: 0, chars: 0, trigrams: 0 };

describe('IndexBatchBudget', () => {
  it('fills at the row limit', () => {
    const budget = new IndexBatchBudget({ ...UNLIMITED, rows: 3 });
    expect(budget.add(cost)).toBe(false);
    expect(budget.add(cost)).toBe(false);
    expect(budget.add(cost)).toBe(true);
  });

  it('fills at the character and trigram limits', () => {
    const byChars = new IndexBatchBudget({ ...UNLIMITED, chars: 100 });
    expect(byChars.add({ ...cost, chars: 99 })).toBe(false);
    expect(byChars.add({ ...cost, chars: 1 })).toBe(true);
    const byTrigrams = new IndexBatchBudget({ ...UNLIMITED, trigrams: 100 });
    expect(byTrigrams.add({ ...cost, trigrams: 60 })).toBe(false);
    expect(byTrigrams.add({ ...cost, trigrams: 60 })).toBe(true);
  });

  it('reads one body of any size, then within the limit', () => {
    const budget = new IndexBatchBudget({ ...UNLIMITED, readBytes: 100 });
    expect(budget.mayRead(1_000)).toBe(true);
    const small = new IndexBatchBudget({ ...UNLIMITED, readBytes: 100 });
    expect(small.add({ ...cost, readBytes: 60 })).toBe(false);
    expect(small.mayRead(40)).toBe(true);
    expect(small.mayRead(41)).toBe(false);
  });

  it('fills when its time is up', () => {
    let now = 1_000;
    const budget = new IndexBatchBudget({ ...UNLIMITED, ms: 20 }, () => now);
    now += 19;
    expect(budget.add(cost)).toBe(false);
    now += 1;
    expect(budget.add(cost)).toBe(true);
  });
});

describe('SearchIndexer', () => {
  it('bounds a batch by indexed characters', async () => {
    const store = await storeWith(Array.from({ length: 10 }, (_, index) => Buffer.from(`${index}`.repeat(SEARCH_BODY_BYTES))));
    // Each delivery adds a full SEARCH_BODY_BYTES of body text, so the fourth one fills the batch.
    expect(INDEX_BATCH_LIMITS.chars).toBe(4 * SEARCH_BODY_BYTES);
    expect(indexOneBatch(store)).toEqual({ indexed: 4, more: true });
    expect(indexOneBatch(store)).toEqual({ indexed: 4, more: true });
    expect(indexOneBatch(store)).toEqual({ indexed: 2, more: false });
  });

  it('bounds a batch and a delivery by trigrams', async () => {
    const base64 = (): string => randomBytes(48 * 1024).toString('base64');
    const first = base64();
    const store = await storeWith([Buffer.from(first), Buffer.from(base64()), Buffer.from('{"small": true}')]);
    // Base64 has so many distinct trigrams that one delivery reaches the cap and fills its batch.
    expect(INDEX_BATCH_LIMITS.trigrams).toBe(MAX_DELIVERY_TRIGRAMS);
    expect(indexOneBatch(store)).toEqual({ indexed: 1, more: true });
    expect(indexOneBatch(store)).toEqual({ indexed: 1, more: true });
    expect(indexOneBatch(store)).toEqual({ indexed: 1, more: false });

    // The first delivery is indexed up to the cap, about its first 8 KiB.
    expect(store.list({ text: first.slice(100, 120) }).total).toBe(1);
    expect(store.list({ text: first.slice(-20) }).total).toBe(0);
  });

  it('bounds a batch by body bytes read', async () => {
    const store = await storeWith(Array.from({ length: 5 }, () => randomBytes(1024 * 1024)));
    const limits = { ...UNTIMED, readBytes: 2 * 1024 * 1024 };
    expect(indexOneBatch(store, limits)).toEqual({ indexed: 2, more: true });
    expect(indexOneBatch(store, { ...limits, readBytes: 1 })).toEqual({ indexed: 1, more: true });
    expect(indexOneBatch(store, limits)).toEqual({ indexed: 2, more: true });
    expect(indexOneBatch(store, limits)).toEqual({ indexed: 0, more: false });
  });

  it('indexes up to its row limit', async () => {
    const store = await storeWith(Array.from({ length: 7 }, (_, index) => Buffer.from(`{"n": ${index}}`)));
    expect(indexOneBatch(store, { ...UNTIMED, rows: 3 })).toEqual({ indexed: 3, more: true });
    expect(indexOneBatch(store, { ...UNTIMED, rows: 3 })).toEqual({ indexed: 3, more: true });
    expect(indexOneBatch(store, { ...UNTIMED, rows: 3 })).toEqual({ indexed: 1, more: false });
  });
});

describe('IndexScheduler', () => {
  it('waits for writes to go quiet', async () => {
    const indexer = backlog(1);
    scheduler = new IndexScheduler(indexer, 50, 5_000);
    scheduler.written();
    await sleep(20);
    expect(indexer.ranAt).toHaveLength(0);
    await sleep(100);
    expect(indexer.ranAt).toHaveLength(1);
  });

  it('keeps indexing a backlog under steady writes', async () => {
    const indexer = backlog(1_000);
    scheduler = new IndexScheduler(indexer, 50, 300);
    const started = Date.now();
    // A write every 5 ms never lets the quiet time pass, so only the deadline starts indexing.
    while (Date.now() - started < 2_000) {
      scheduler.written();
      await sleep(5);
    }
    // The first batch runs at the 300 ms deadline and then one about every 400 ms.
    expect(indexer.ranAt.length).toBeGreaterThanOrEqual(3);
  });

  it('indexes a backlog back to back once writes stop', async () => {
    const indexer = backlog(20);
    scheduler = new IndexScheduler(indexer, 10, 5_000);
    scheduler.written();
    await sleep(300);
    expect(indexer.ranAt).toHaveLength(20);
  });
});
