import type { DiffOptions, DiffSide } from '../../../electron/core/diff';
import type { DiffJob, DiffJobResult } from './diff.worker';

/**
 * Compares two deliveries in a new Web Worker and ends the worker afterwards. The body
 * buffers are copied to the worker, so the caller's bytes stay usable.
 */
export function runDiffInWorker(left: DiffSide, right: DiffSide, options: DiffOptions): { result: Promise<DiffJobResult>; cancel: () => void } {
  const worker = new Worker(new URL('./diff.worker.ts', import.meta.url), { type: 'module' });
  const result = new Promise<DiffJobResult>((resolve) => {
    worker.onmessage = (event: MessageEvent<DiffJobResult>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => {
      resolve({ ok: false, message: `The comparison worker failed: ${event.message || 'unknown error'}.` });
      worker.terminate();
    };
  });
  const job: DiffJob = { left, right, options };
  worker.postMessage(job);
  return { result, cancel: () => worker.terminate() };
}
