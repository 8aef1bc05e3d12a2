import { describe, expect, it } from 'vitest';

interface SoakResult {
  exit: number | null;
  stderr: string;
  counts: { sent: number; acknowledged: number; status503: number; otherStatus: number; errors: number };
  lost: string[];
  memory: { samples: number; earlyRssMax: number; lateRssMax: number; earlyHeapMax: number; lateHeapMax: number };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runSoak } = require('../../bench/soak.js') as { runSoak: (options: { durationS: number; rate: number; warmupS: number; sampleMs: number }) => Promise<SoakResult> };

const MIB = 1024 * 1024;
/**
 * Allowed growth of the maximum RSS from the first to the last third of the run after
 * warm-up. A 5 MiB delivery exists in several copies at once (request buffer, copy to the
 * writer thread, SQLite page cache), and the garbage collector frees them late. So the
 * bound is generous, and it catches only growth of more than 96 MiB within about 20 s.
 * Slower leaks show only in the 10-minute run of bench/soak.js.
 */
const RSS_GROWTH_BOUND = 96 * MIB;
/** Allowed growth of the JavaScript heap; bodies live outside it, so a leak of summaries or promises shows here. */
const HEAP_GROWTH_BOUND = 32 * MIB;

describe('30-second soak of hooktray listen', () => {
  it('loses nothing and keeps memory bounded', { timeout: 90_000 }, async () => {
    const result = await runSoak({ durationS: 30, rate: 10, warmupS: 10, sampleMs: 500 });

    expect(result.exit, result.stderr).toBe(0);
    expect(result.counts.acknowledged).toBeGreaterThan(0);
    expect(result.counts.errors).toBe(0);
    expect(result.counts.otherStatus).toBe(0);
    expect(result.lost).toEqual([]);
    expect(result.memory.samples).toBeGreaterThanOrEqual(6);
    expect(result.memory.lateRssMax - result.memory.earlyRssMax).toBeLessThan(RSS_GROWTH_BOUND);
    expect(result.memory.lateHeapMax - result.memory.earlyHeapMax).toBeLessThan(HEAP_GROWTH_BOUND);
  });
});
