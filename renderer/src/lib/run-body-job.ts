import type { BodyJob, BodyJobResult } from './body-jobs';
import type { BodyWorkerMessage } from './body.worker';

export type WorkerOutcome<T> = { ok: true; result: T } | { ok: false; message: string };

/**
 * Runs a body job in a new Web Worker and ends the worker afterwards, or at once on `cancel`.
 * Bytes are copied before they go, so the caller's buffer stays usable and only the bytes of
 * the view travel, never the rest of a larger buffer it may share.
 */
export function runBodyJobInWorker<J extends BodyJob>(
  job: J,
  onProgress: (fraction: number) => void,
): { result: Promise<WorkerOutcome<BodyJobResult<J>>>; cancel: () => void } {
  const worker = new Worker(new URL('./body.worker.ts', import.meta.url), { type: 'module' });
  const result = new Promise<WorkerOutcome<BodyJobResult<J>>>((resolve) => {
    worker.onmessage = (event: MessageEvent<BodyWorkerMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        onProgress(message.fraction);
        return;
      }
      resolve(message.type === 'done' ? { ok: true, result: message.result as BodyJobResult<J> } : { ok: false, message: message.message });
      worker.terminate();
    };
    worker.onerror = (event) => {
      resolve({ ok: false, message: event.message || 'the worker failed without an error message' });
      worker.terminate();
    };
  });

  if (job.kind === 'text' || job.kind === 'hex-dump') {
    const bytes = job.bytes.slice();
    worker.postMessage({ ...job, bytes }, [bytes.buffer]);
  } else {
    worker.postMessage(job);
  }
  return { result, cancel: () => worker.terminate() };
}
