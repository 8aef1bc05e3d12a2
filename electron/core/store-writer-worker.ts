import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseOptions, NewDelivery } from './store-writer';
import { DeliveryWriter, openDatabase } from './store-writer';

/** Messages between the store and its writer thread. */
export type WriterRequest = { type: 'write'; batchId: number; deliveries: NewDelivery[] } | { type: 'close' };
export type WriterReply =
  | { type: 'written'; batchId: number; results: { id: string; retryOf: string | null }[] }
  | { type: 'failed'; batchId: number; message: string; code: string | null }
  | { type: 'closed' };

export interface WriterWorkerData extends DatabaseOptions {
  file: string;
}

/**
 * The store's writer thread: commits batches off the main thread, so an fsync never stalls
 * the receiver. Batches that arrive while a commit runs are merged into the next transaction.
 */
function runWriter(port: NonNullable<typeof parentPort>, data: WriterWorkerData): void {
  const db = openDatabase(data.file, data);
  const writer = new DeliveryWriter(db);
  let queued: { batchId: number; deliveries: NewDelivery[] }[] = [];
  let scheduled = false;

  const commit = (): void => {
    scheduled = false;
    const batches = queued;
    queued = [];
    try {
      const results = writer.insertBatch(batches.flatMap((batch) => batch.deliveries));
      let offset = 0;
      for (const batch of batches) {
        port.postMessage({ type: 'written', batchId: batch.batchId, results: results.slice(offset, offset + batch.deliveries.length) } satisfies WriterReply);
        offset += batch.deliveries.length;
      }
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
      db.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
      port.close();
      return;
    }
    queued.push({ batchId: request.batchId, deliveries: request.deliveries });
    if (!scheduled) {
      scheduled = true;
      setImmediate(commit);
    }
  });
}

if (parentPort !== null) runWriter(parentPort, workerData as WriterWorkerData);
