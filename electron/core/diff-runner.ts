import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeliveryDiff } from './contract';
import type { DiffOptions, DiffSide } from './diff';
import { diffDeliveries } from './diff';
import type { DiffJob, DiffReply } from './diff-worker';

/** Compares two sides and resolves with their diff, or rejects with a DiffError. */
export interface DiffRunner {
  run(left: DiffSide, right: DiffSide, options: DiffOptions): Promise<DeliveryDiff>;
  /** Stops the comparisons in progress and rejects them and any later ones with DIFF_STOPPED. */
  close(): Promise<void>;
}

/**
 * Why a comparison returned no diff: `diffDeliveries` threw (DIFF_FAILED), the diff thread
 * did not start, crashed or exited without a reply (DIFF_THREAD_FAILED), or the runner was
 * closed (DIFF_STOPPED).
 */
export type DiffErrorCode = 'DIFF_FAILED' | 'DIFF_THREAD_FAILED' | 'DIFF_STOPPED';

/** Error of a comparison that returned no diff. Its message names both sides by their labels. */
export class DiffError extends Error {
  override name = 'DiffError';
  constructor(
    message: string,
    readonly code: DiffErrorCode,
  ) {
    super(message);
  }
}

function failed(job: DiffJob, reason: string, code: Exclude<DiffErrorCode, 'DIFF_STOPPED'>): DiffError {
  return new DiffError(`Comparing ${job.left.label} and ${job.right.label} failed: ${reason}`, code);
}

function stopped(job: DiffJob): DiffError {
  return new DiffError(`Comparing ${job.left.label} and ${job.right.label} was cancelled because Hooktray is shutting down.`, 'DIFF_STOPPED');
}

/** Returns the compiled diff thread's script beside this module, or null when running from source. */
export function findDiffWorkerScript(): string | null {
  const script = join(__dirname, 'diff-worker.js');
  return existsSync(script) ? script : null;
}

/**
 * Compares on the calling thread, which it blocks for as long as the diff takes. Used where
 * no compiled worker script exists, such as in unit tests run from source.
 */
export class InlineDiffRunner implements DiffRunner {
  private closed = false;

  async run(left: DiffSide, right: DiffSide, options: DiffOptions): Promise<DeliveryDiff> {
    if (this.closed) throw stopped({ left, right, options });
    try {
      return diffDeliveries(left, right, options);
    } catch (error) {
      throw failed({ left, right, options }, `the diff raised ${String(error)}.`, 'DIFF_FAILED');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * Maximum diff threads at once. Later comparisons wait in arrival order. Each thread keeps
 * both bodies and their parsed JSON in memory, so the bound limits memory as well as the CPU
 * cores taken from the receiver and the store's writer thread.
 */
export const MAX_DIFF_THREADS = 2;

interface QueuedJob {
  job: DiffJob;
  resolve: (diff: DeliveryDiff) => void;
  reject: (error: DiffError) => void;
}

/**
 * Compares on worker threads, one new thread per comparison, so a diff of two large bodies
 * leaves the receiver's event loop free. A thread that crashes or runs out of memory
 * (ERR_WORKER_OUT_OF_MEMORY, seen on Node 20) fails only its own comparison. The bodies are
 * copied to the thread, so the caller's buffers stay usable.
 */
export class WorkerDiffRunner implements DiffRunner {
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Set<Worker>();
  private closed = false;
  /** Number of diff threads started. */
  starts = 0;

  constructor(
    private readonly script: string,
    private readonly maxThreads = MAX_DIFF_THREADS,
  ) {}

  run(left: DiffSide, right: DiffSide, options: DiffOptions): Promise<DeliveryDiff> {
    const job: DiffJob = { left, right, options };
    if (this.closed) return Promise.reject(stopped(job));

    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.startQueued();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(stopped(queued.job));
    // Each thread's exit handler rejects its comparison with DIFF_STOPPED.
    await Promise.all([...this.running].map((worker) => worker.terminate()));
  }

  private startQueued(): void {
    while (!this.closed && this.running.size < this.maxThreads) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.start(next);
    }
  }

  private start({ job, resolve, reject }: QueuedJob): void {
    let settled = false;
    const settle = (outcome: DeliveryDiff | DiffError): void => {
      if (settled) return;
      settled = true;
      if (outcome instanceof DiffError) reject(outcome);
      else resolve(outcome);
    };

    let worker: Worker;
    try {
      worker = new Worker(this.script, { workerData: job });
    } catch (error) {
      // Node throws here for a script path it rejects or a job it cannot copy to a thread.
      settle(failed(job, `the diff thread did not start: ${String(error)}.`, 'DIFF_THREAD_FAILED'));
      return;
    }
    this.running.add(worker);
    this.starts += 1;

    worker.on('message', (reply: DiffReply) => {
      if (reply.type === 'done') settle(reply.diff);
      else settle(failed(job, `the diff raised ${reply.message}.`, 'DIFF_FAILED'));
    });
    worker.on('messageerror', (error) => {
      settle(failed(job, `the diff thread's reply could not be read: ${error.message}.`, 'DIFF_THREAD_FAILED'));
      void worker.terminate();
    });
    // Emitted for an uncaught exception or ERR_WORKER_OUT_OF_MEMORY in the thread, and 'exit' follows.
    worker.on('error', (error) => settle(failed(job, `the diff thread crashed: ${error.message}. Compare them again.`, 'DIFF_THREAD_FAILED')));
    worker.on('exit', (code) => {
      this.running.delete(worker);
      settle(this.closed ? stopped(job) : failed(job, `the diff thread exited with code ${code} before it returned a diff. Compare them again.`, 'DIFF_THREAD_FAILED'));
      this.startQueued();
    });
  }
}
