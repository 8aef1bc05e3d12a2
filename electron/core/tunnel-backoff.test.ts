import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './tunnel-backoff';

describe('reconnectDelay', () => {
  it('doubles from the base without jitter at 0.5', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => reconnectDelay(attempt, 1_000, 30_000, 0.5));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('caps at the maximum', () => {
    expect(reconnectDelay(6, 1_000, 30_000, 0.5)).toBe(30_000);
    expect(reconnectDelay(50, 1_000, 30_000, 0.5)).toBe(30_000);
    expect(reconnectDelay(50, 1_000, 30_000, 0.999)).toBe(30_000);
  });

  it('spreads by 20 percent either way', () => {
    expect(reconnectDelay(3, 1_000, 30_000, 0)).toBe(3_200);
    expect(reconnectDelay(3, 1_000, 30_000, 0.999)).toBe(4_798);
    expect(reconnectDelay(50, 1_000, 30_000, 0)).toBe(24_000);
  });

  it('treats attempt 0 like attempt 1', () => {
    expect(reconnectDelay(0, 1_000, 30_000, 0.5)).toBe(1_000);
  });
});
