import { useEffect, useMemo, useRef, useState } from 'react';
import type { BodyJob, BodyJobResult } from '../lib/body-jobs';
import { jobSize, MAX_INLINE_JOB_SIZE, runBodyJob } from '../lib/body-jobs';
import { runBodyJobInWorker } from '../lib/run-body-job';

export type JobState<T> =
  | { status: 'idle' }
  | { status: 'running'; fraction: number }
  | { status: 'done'; result: T }
  | { status: 'canceled' }
  | { status: 'failed'; message: string };

const IDLE = { status: 'idle' } as const;
const STARTED = { status: 'running', fraction: 0 } as const;

/**
 * Runs a body job whenever `job` changes (pass a memoized object) and returns its state. Jobs on
 * inputs up to MAX_INLINE_JOB_SIZE run during render, and larger ones in a Web Worker, with
 * progress and a `cancel` that ends the worker. A null job is idle.
 */
export function useBodyJob<J extends BodyJob>(job: J | null): { state: JobState<BodyJobResult<J>>; cancel: () => void } {
  const inline = job !== null && jobSize(job) <= MAX_INLINE_JOB_SIZE;
  const inlineResult = useMemo(() => (job !== null && inline ? runBodyJob(job) : null), [job, inline]);
  const [workerRun, setWorkerRun] = useState<{ job: J; state: JobState<BodyJobResult<J>> } | null>(null);
  const cancelRef = useRef<() => void>(() => {});

  useEffect(() => {
    if (job === null || inline) return;
    let active = true;
    const update = (state: JobState<BodyJobResult<J>>): void => {
      if (active) setWorkerRun({ job, state });
    };
    const run = runBodyJobInWorker(job, (fraction) => update({ status: 'running', fraction }));
    cancelRef.current = () => {
      run.cancel();
      update({ status: 'canceled' });
      active = false;
    };
    void run.result.then((outcome) => update(outcome.ok ? { status: 'done', result: outcome.result } : { status: 'failed', message: outcome.message }));
    return () => {
      active = false;
      run.cancel();
      cancelRef.current = () => {};
    };
  }, [job, inline]);

  const cancel = useMemo(() => () => cancelRef.current(), []);
  if (job === null) return { state: IDLE, cancel };
  if (inline) return { state: inlineResult === null ? IDLE : { status: 'done', result: inlineResult }, cancel };
  // A state left from an earlier job never shows for this one.
  return { state: workerRun?.job === job ? workerRun.state : STARTED, cancel };
}
