import { parentPort, workerData } from 'node:worker_threads';
import type { AnalysisContext } from './ingest';
import { EMPTY_ANALYSIS_CONTEXT } from './ingest';
import type { DatabaseOptions, WriteItem, WriteResult } from './store-writer';
import { IndexScheduler, SearchIndexer } from './store-search-index';
import { DeliveryWriter, openDatabase, writeItems } from './store-writer';

/** Messages between the store and its writer thread. */
export type WriterRequest = { type: 'configure'; context: AnalysisContext } | { type: 'write'; batchId: number; items: WriteItem[] } | { type: 'close' };
export type WriterReply =
  | { type: 'ready' }
  | { type: 'written'; batchId: number; results: WriteResult[] }
  | { type: 'failed'; batchId: number; message: string; code: string | null }
  | { type: 'closed' };

export interface WriterWorkerData extends DatabaseOptions {
  file: string;
  /** Quiet time after the last commit before new deliveries are indexed for search, in ms. */
  indexDelayMs: number;
}

/**
 * The store's writer thread: verifies captures and commits batches off the main thread, so
 * neither verification nor an fsync stalls the receiver. Batches that arrive while a commit
 * runs are merged into the next transaction. Between commits it adds the new deliveries to
 * the search index, one batch at a time, so indexing delays a commit by one batch at most.
 */
function runWriter(port: NonNullable<typeof parentPort>, data: WriterWorkerData): void {
  const db = openDatabase(data.file, data);
  port.postMessage({ type: 'ready' } satisfies WriterReply);
  const writer = new DeliveryWriter(db);
  const indexing = new IndexScheduler(new SearchIndexer(db), data.indexDelayMs);
  let queued: { batchId: number; items: WriteItem[] }[] = [];
  let context = EMPTY_ANALYSIS_CONTEXT;
  let scheduled = false;

  const commit = (): void => {
    scheduled = false;
    const batches = queued;
    queued = [];
    if (batches.length === 0) return;
    try {
      const results = writeItems(writer, batches.flatMap((batch) => batch.items), context);
      let offset = 0;
      for (const batch of batches) {
        port.postMessage({ type: 'written', batchId: batch.batchId, results: results.slice(offset, offset + batch.items.length) } satisfies WriterReply);
        offset += batch.items.length;
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
    if (request.type === 'configure') {
      // Writes queued before this message keep the context they were sent under.
      if (queued.length > 0) commit();
      context = request.context;
      return;
    }
    if (request.type === 'close') {
      if (queued.length > 0) commit();
      indexing.stop();
      db.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
      port.close();
      return;
    }
    queued.push({ batchId: request.batchId, items: request.items });
    if (!scheduled) {
      scheduled = true;
      setImmediate(commit);
    }
  });
}

if (parentPort !== null) runWriter(parentPort, workerData as WriterWorkerData);
