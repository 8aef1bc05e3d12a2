import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DatabaseOptions, DeliveryWriter, NewDelivery, WriteResult } from './store-writer';
import type { WriterReply, WriterRequest, WriterWorkerData } from './store-writer-worker';

/** Writes batches of deliveries, each in one transaction, and resolves once it has committed. */
export interface WriteBackend {
  write(deliveries: NewDelivery[]): Promise<WriteResult[]>;
  /** Commits what is in flight and releases the backend. */
  close(): Promise<void>;
}

/** Commits on the calling thread; used where no compiled worker script exists, such as in unit tests. */
export class InlineWriteBackend implements WriteBackend {
  constructor(private readonly writer: DeliveryWriter) {}

  async write(deliveries: NewDelivery[]): Promise<WriteResult[]> {
    return this.writer.insertBatch(deliveries);
  }

  async close(): Promise<void> {}
}

/** Returns the compiled writer thread's script beside this module, or null when running from source. */
export function findWriterScript(): string | null {
  const script = join(__dirname, 'store-writer-worker.js');
  return existsSync(script) ? script : null;
}

/** An error from the writer thread, with SQLite's code (such as SQLITE_FULL) kept. */
export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/**
 * Commits on a worker thread, so fsync and SQLite work never block the receiver's event
 * loop. If the thread dies, pending and later writes fail, so the receiver answers 503.
 */
export class WorkerWriteBackend implements WriteBackend {
  private readonly worker: Worker;
  private nextBatchId = 1;
  private readonly waiting = new Map<number, { resolve: (results: WriteResult[]) => void; reject: (error: Error) => void }>();
  private failure: Error | null = null;
  private closed: Promise<void> | null = null;

  constructor(script: string, file: string, options: DatabaseOptions) {
    this.worker = new Worker(script, { workerData: { file, ...options } satisfies WriterWorkerData });
    this.worker.on('message', (reply: WriterReply) => this.receive(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`The store's writer thread exited with code ${code}.`)));
  }

  write(deliveries: NewDelivery[]): Promise<WriteResult[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const batchId = this.nextBatchId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(batchId, { resolve, reject });
      this.worker.postMessage({ type: 'write', batchId, deliveries } satisfies WriterRequest);
    });
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.failure !== null) {
        resolve();
        return;
      }
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    });
    return this.closed;
  }

  private receive(reply: WriterReply): void {
    if (reply.type === 'closed') return;
    const waiter = this.waiting.get(reply.batchId);
    this.waiting.delete(reply.batchId);
    if (reply.type === 'written') waiter?.resolve(reply.results);
    else waiter?.reject(new StoreWriteError(reply.message, reply.code));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
