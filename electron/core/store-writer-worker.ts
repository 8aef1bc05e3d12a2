import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseOptions, WriteResult, WriteRow } from './store-writer';
import { IndexScheduler, SearchIndexer } from './store-search-index';
import { DeliveryWriter, openDatabase } from './store-writer';

/** Messages between the store and its writer thread. */
export type WriterRequest = { type: 'write'; batchId: number; rows: WriteRow[] } | { type: 'close' };
export type WriterReply =
  | { type: 'written'; batchId: number; results: WriteResult[] }
  | { type: 'failed'; batchId: number; message: string; code: string | null }
  | { type: 'closed' };

export interface WriterWorkerData extends DatabaseOptions {
  file: string;
  /** Quiet time after the last commit before new deliveries are indexed for search, in ms. */
  indexDelayMs: number;
}

/**
 * The store's writer thread: commits batches off the main thread, so an fsync never stalls
 * the receiver. Batches that arrive while a commit runs are merged into the next transaction.
 * Between commits it adds the new deliveries to the search index, so that never waits for a lock.
 */
function runWriter(port: NonNullable<typeof parentPort>, data: WriterWorkerData): void {
  const db = openDatabase(data.file, data);
  const writer = new DeliveryWriter(db);
  const indexing = new IndexScheduler(new SearchIndexer(db), data.indexDelayMs);
  let queued: { batchId: number; rows: WriteRow[] }[] = [];
  let scheduled = false;

  const commit = (): void => {
    scheduled = false;
    const batches = queued;
    queued = [];
    try {
      const results = writer.insertBatch(batches.flatMap((batch) => batch.rows));
      let offset = 0;
      for (const batch of batches) {
        port.postMessage({ type: 'written', batchId: batch.batchId, results: results.slice(offset, offset + batch.rows.length) } satisfies WriterReply);
        offset += batch.rows.length;
      }
      indexing.written();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      for (const batch of batches) {
        port.postMessage({ type: 'failed', batchId: batch.batchId, message: (error as Error).message, code: typeof code === 'string' ? code : null } satisfies WriterReply);
      }
    }
  };

  port.on('message', (request: WriterRequest) => {
    if (request.type === 'close') {
      if (queued.length > 0) commit();
      indexing.stop();
      db.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
      port.close();
      return;
    }
    queued.push({ batchId: request.batchId, rows: request.rows });
    if (!scheduled) {
      scheduled = true;
      setImmediate(commit);
    }
  });
}

if (parentPort !== null) runWriter(parentPort, workerData as WriterWorkerData);
