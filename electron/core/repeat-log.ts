/**
 * Picks which of many repeated events get a log line: the first, every `every`-th after it,
 * and the first after `quietMs` without any, so a flood of them cannot fill the log while a
 * lone one is still logged.
 */
export class RepeatLog {
  private count = 0;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly every = 100,
    private readonly quietMs = 60_000,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Counts one event. Returns the events counted since the last quiet spell when this one gets a line, or null. */
  next(): number | null {
    const now = this.nowMs();
    if (now - this.lastMs >= this.quietMs) this.count = 0;
    this.lastMs = now;
    this.count += 1;
    return this.count === 1 || this.count % this.every === 0 ? this.count : null;
  }
}
