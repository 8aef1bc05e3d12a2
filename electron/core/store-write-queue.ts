import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisContext } from './ingest';
import { EMPTY_ANALYSIS_CONTEXT } from './ingest';
import type { DatabaseOptions, DeliveryWriter, WriteItem, WriteResult } from './store-writer';
import { writeItems } from './store-writer';
import type { WriterReply, WriterRequest, WriterWorkerData } from './store-writer-worker';

/** Writes batches of deliveries, each in one transaction, and resolves once it has committed. */
export interface WriteBackend {
  write(items: WriteItem[]): Promise<WriteResult[]>;
  /** Sets the profiles, keys and public URL that captures are verified with, from the next write on. */
  configure(context: AnalysisContext): void;
  /** Commits what is in flight and releases the backend. */
  close(): Promise<void>;
}

/** Commits on the calling thread; used where no compiled worker script exists, such as in unit tests. */
export class InlineWriteBackend implements WriteBackend {
  private context = EMPTY_ANALYSIS_CONTEXT;

  constructor(private readonly writer: DeliveryWriter) {}

  async write(items: WriteItem[]): Promise<WriteResult[]> {
    return writeItems(this.writer, items, this.context);
  }

  configure(context: AnalysisContext): void {
    this.context = context;
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

/** Minimum time between starts of the writer thread, in ms, so a thread that keeps dying cannot spin. */
export const WRITER_RESTART_DELAY_MS = 1_000;

interface Waiter {
  items: WriteItem[];
  resolve: (results: WriteResult[]) => void;
  reject: (error: Error) => void;
}

/**
 * Analyzes captures and commits on a worker thread, so the Spike summary, the diagnosis of
 * invalid signatures, fsync and SQLite work stay off the receiver's event loop. If the thread
 * dies, its pending writes fail (the receiver responds 503) and the next write after
 * WRITER_RESTART_DELAY_MS starts a new thread, so capture resumes by itself.
 *
 * If the first thread fails before it has opened the database, such as when its script cannot
 * be loaded, every write from then on goes to the backend that `fallback` returns, the writes
 * already sent included.
 */
export class WorkerWriteBackend implements WriteBackend {
  private worker: Worker | null = null;
  /** True once a thread has opened the database. */
  private ready = false;
  private replacement: WriteBackend | null = null;
  private nextBatchId = 1;
  private failure: Error | null = null;
  private failedAt = 0;
  private closed: Promise<void> | null = null;
  private context = EMPTY_ANALYSIS_CONTEXT;
  private readonly waiters = new WeakMap<Worker, Map<number, Waiter>>();
  /** Number of writer threads started, including the first. */
  starts = 0;

  constructor(
    private readonly script: string,
    private readonly file: string,
    private readonly options: DatabaseOptions & { indexDelayMs: number },
    private readonly fallback: ((error: Error) => WriteBackend) | null = null,
  ) {
    this.start();
  }

  /** False once writes have moved to the fallback backend. */
  get offThread(): boolean {
    return this.replacement === null;
  }

  write(items: WriteItem[]): Promise<WriteResult[]> {
    if (this.replacement !== null) return this.replacement.write(items);
    if (this.closed !== null) return Promise.reject(new StoreWriteError('The store is closed; writes are no longer accepted.', 'STORE_CLOSED'));
    if (this.worker === null && Date.now() - this.failedAt >= WRITER_RESTART_DELAY_MS) this.start();
    const worker = this.worker;
    if (worker === null) return Promise.reject(this.failure ?? new StoreWriteError("The store's writer thread is not running.", 'WRITER_STOPPED'));

    const batchId = this.nextBatchId++;
    return new Promise((resolve, reject) => {
      this.waitingFor(worker).set(batchId, { items, resolve, reject });
      worker.postMessage({ type: 'write', batchId, items } satisfies WriterRequest);
    });
  }

  configure(context: AnalysisContext): void {
    this.context = context;
    this.replacement?.configure(context);
    this.worker?.postMessage({ type: 'configure', context } satisfies WriterRequest);
  }

  close(): Promise<void> {
    if (this.replacement !== null) this.closed ??= this.replacement.close();
    this.closed ??= new Promise<void>((resolve) => {
      const worker = this.worker;
      if (worker === null) {
        resolve();
        return;
      }
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
    });
    return this.closed;
  }

  private waitingFor(worker: Worker): Map<number, Waiter> {
    return this.waiters.get(worker) as Map<number, Waiter>;
  }

  private start(): void {
    const worker = new Worker(this.script, { workerData: { file: this.file, ...this.options } satisfies WriterWorkerData });
    // Each thread gets its own waiter map, so a late exit of a dead thread never fails the writes of its successor.
    const waiting = new Map<number, Waiter>();
    this.worker = worker;
    this.waiters.set(worker, waiting);
    this.starts += 1;
    // A restarted thread gets the profiles and keys before its first write.
    worker.postMessage({ type: 'configure', context: this.context } satisfies WriterRequest);
    worker.on('message', (reply: WriterReply) => {
      if (reply.type === 'ready') this.ready = true;
      else receive(waiting, reply);
    });
    worker.on('error', (error) => this.fail(worker, waiting, error));
    worker.on('exit', (code) => this.fail(worker, waiting, new StoreWriteError(`The store's writer thread exited with code ${code}.`, 'WRITER_EXITED')));
  }

  private fail(worker: Worker, waiting: Map<number, Waiter>, error: Error): void {
    if (!this.ready && this.fallback !== null && this.worker === worker && this.closed === null) {
      this.worker = null;
      const replacement = this.fallback(error);
      replacement.configure(this.context);
      this.replacement = replacement;
      // The thread never opened the database, so none of these writes was committed.
      for (const waiter of waiting.values()) replacement.write(waiter.items).then(waiter.resolve, waiter.reject);
      waiting.clear();
      return;
    }
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    if (this.worker !== worker) return;
    this.worker = null;
    this.failure = error;
    this.failedAt = Date.now();
  }
}

function receive(waiting: Map<number, Waiter>, reply: Exclude<WriterReply, { type: 'ready' }>): void {
  if (reply.type === 'closed') return;
  const waiter = waiting.get(reply.batchId);
  waiting.delete(reply.batchId);
  if (reply.type === 'written') waiter?.resolve(reply.results);
  else waiter?.reject(new StoreWriteError(reply.message, reply.code));
}
