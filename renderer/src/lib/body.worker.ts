/// <reference lib="webworker" />
import type { BodyJob, BodyJobResult } from './body-jobs';
import { runBodyJob, transferablesOf } from './body-jobs';

/** A message from the worker: progress from 0 to 1, then the result or why the job failed. */
export type BodyWorkerMessage = { type: 'progress'; fraction: number } | { type: 'done'; result: BodyJobResult } | { type: 'failed'; message: string };

/** Smallest change in progress worth a message, so a long job sends about a hundred. */
const MIN_PROGRESS_STEP = 0.01;

// Runs one job per worker; the page ends the worker to cancel it.
self.onmessage = (event: MessageEvent<BodyJob>) => {
  let reported = 0;
  const post = (message: BodyWorkerMessage, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
  const onProgress = (fraction: number): void => {
    if (fraction - reported < MIN_PROGRESS_STEP) return;
    reported = fraction;
    post({ type: 'progress', fraction });
  };

  let result: BodyJobResult;
  try {
    result = runBodyJob(event.data, onProgress);
  } catch (error) {
    post({ type: 'failed', message: (error as Error).message });
    return;
  }
  post({ type: 'done', result }, transferablesOf(result));
};
