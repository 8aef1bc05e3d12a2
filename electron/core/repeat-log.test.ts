import { describe, expect, it } from 'vitest';
import { RepeatLog } from './repeat-log';

describe('RepeatLog', () => {
  it('logs the first and every tenth', () => {
    const log = new RepeatLog(10, 60_000, () => 0);
    const logged = Array.from({ length: 25 }, () => log.next()).filter((count) => count !== null);
    expect(logged).toEqual([1, 10, 20]);
  });

  it('starts again after a quiet spell', () => {
    let now = 0;
    const log = new RepeatLog(10, 1_000, () => now);
    expect(log.next()).toBe(1);
    now = 500;
    expect(log.next()).toBeNull();
    now = 1_500;
    expect(log.next()).toBe(1);
  });
});
