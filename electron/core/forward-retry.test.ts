import { describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_RETRY, RetrySchedule, waitUnlessAborted } from './forward-retry';

/** Runs a schedule on a fake clock: each wait it returns passes on the clock before the next failure. */
function delaysUntilGiveUp(schedule: RetrySchedule, clock: { now: number }): number[] {
  const delays: number[] = [];
  for (let delay = schedule.failed(); delay !== null; delay = schedule.failed()) {
    delays.push(delay);
    clock.now += delay;
  }
  return delays;
}

describe('RetrySchedule', () => {
  it('doubles the wait up to the maximum', () => {
    const clock = { now: 1_000 };
    const schedule = new RetrySchedule({ initialDelayMs: 500, maxDelayMs: 5_000, maxWaitMs: 20_000 }, () => clock.now);

    expect(delaysUntilGiveUp(schedule, clock)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 2_500]);
    expect(schedule.attempts).toBe(8);
    expect(schedule.elapsedMs()).toBe(20_000);
  });

  it('ends the last wait at the time bound', () => {
    const clock = { now: 0 };
    const schedule = new RetrySchedule(DEFAULT_FORWARD_RETRY, () => clock.now);
    const delays = delaysUntilGiveUp(schedule, clock);

    expect(delays.reduce((sum, delay) => sum + delay, 0)).toBe(DEFAULT_FORWARD_RETRY.maxWaitMs);
    expect(Math.max(...delays)).toBe(DEFAULT_FORWARD_RETRY.maxDelayMs);
  });

  it('gives up at once with no time left', () => {
    const schedule = new RetrySchedule({ initialDelayMs: 500, maxDelayMs: 5_000, maxWaitMs: 0 }, () => 0);
    expect(schedule.failed()).toBeNull();
    expect(schedule.attempts).toBe(1);
  });
});

describe('waitUnlessAborted', () => {
  it('returns false when aborted', async () => {
    const controller = new AbortController();
    const waiting = waitUnlessAborted(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });

  it('returns false for an aborted signal', async () => {
    expect(await waitUnlessAborted(60_000, AbortSignal.abort())).toBe(false);
  });

  it('returns true after the wait', async () => {
    expect(await waitUnlessAborted(1, new AbortController().signal)).toBe(true);
  });
});
