/** Backoff for forwards whose target cannot be reached. All values are in ms. */
export interface ForwardRetryOptions {
  /** Wait before the second try. Each later wait doubles, up to `maxDelayMs`. */
  initialDelayMs: number;
  /** Maximum wait between two tries. */
  maxDelayMs: number;
  /** Time from a delivery's first failed try after which it is recorded as failed. */
  maxWaitMs: number;
}

/** Long enough for a local dev server to restart, short enough to notice a target that is not coming back. */
export const DEFAULT_FORWARD_RETRY: ForwardRetryOptions = { initialDelayMs: 500, maxDelayMs: 5_000, maxWaitMs: 10 * 60_000 };

/** The tries of one delivery: counts failed tries and returns how long to wait before the next. */
export class RetrySchedule {
  /** Failed tries so far. */
  attempts = 0;
  private firstFailureMs = 0;
  private delayMs: number;

  constructor(
    private readonly options: ForwardRetryOptions,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.delayMs = Math.max(0, options.initialDelayMs);
  }

  /** Counts a failed try. Returns the wait before the next try, or null once `maxWaitMs` has passed since the first failure. */
  failed(): number | null {
    this.attempts += 1;
    if (this.attempts === 1) this.firstFailureMs = this.nowMs();
    const left = this.options.maxWaitMs - this.elapsedMs();
    if (left <= 0) return null;
    const delay = Math.min(this.delayMs, left);
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
    return delay;
  }

  /** Time since the first failed try, or 0 before one. */
  elapsedMs(): number {
    return this.attempts === 0 ? 0 : this.nowMs() - this.firstFailureMs;
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
