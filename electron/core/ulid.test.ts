import { describe, expect, it } from 'vitest';
import { UlidGenerator } from './ulid';

describe('UlidGenerator', () => {
  it('encodes the time prefix', () => {
    // 1469918176385 ms is the ULID specification's example time, 01ARYZ6S41.
    expect(new UlidGenerator().next(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('sorts within one millisecond', () => {
    const generator = new UlidGenerator();
    const ids = Array.from({ length: 1000 }, () => generator.next(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });

  it('sorts across a clock that goes back', () => {
    const generator = new UlidGenerator();
    const later = generator.next(2_000);
    const earlierClock = generator.next(1_000);
    expect(earlierClock > later).toBe(true);
    expect(earlierClock).toHaveLength(26);
  });
});
