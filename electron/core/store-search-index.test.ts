import { afterEach, describe, expect, it } from 'vitest';
import { IndexScheduler } from './store-search-index';

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

afterEach(() => scheduler?.stop());

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
