import { parentPort, workerData } from 'node:worker_threads';
import type { DeliveryDiff } from './contract';
import type { DiffOptions, DiffSide } from './diff';
import { diffDeliveries } from './diff';

/** One comparison, passed as the thread's `workerData`. Its body buffers arrive as copies. */
export interface DiffJob {
  left: DiffSide;
  right: DiffSide;
  options: DiffOptions;
}

/** The thread's only message. `failed` carries the error that `diffDeliveries` threw. */
export type DiffReply = { type: 'done'; diff: DeliveryDiff } | { type: 'failed'; message: string };

/**
 * Compares the two sides of the thread's job, posts one reply and lets the thread end. One
 * thread runs per comparison, so a thread that crashes takes no other comparison with it.
 */
function runDiffJob(port: NonNullable<typeof parentPort>, job: DiffJob): void {
  let reply: DiffReply;
  try {
    reply = { type: 'done', diff: diffDeliveries(job.left, job.right, job.options) };
  } catch (error) {
    reply = { type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  port.postMessage(reply);
}

if (parentPort !== null) runDiffJob(parentPort, workerData as DiffJob);
