import { describe, expect, it } from 'vitest';

interface BurstResult {
  exit: number | null;
  stderr: string;
  statuses: Record<string, number>;
  acknowledged: number;
  lost: string[];
  serverErrorsWithoutRetryAfter: number;
  errors: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runBurst } = require('../../bench/burst.js') as { runBurst: (options: { amount: number; connections: number }) => Promise<BurstResult> };

describe('burst of 5,000 requests over 100 connections', () => {
  it('loses nothing and sends no bad 5xx', { timeout: 90_000 }, async () => {
    const result = await runBurst({ amount: 5_000, connections: 100 });

    expect(result.exit, result.stderr).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.acknowledged).toBeGreaterThan(0);
    expect(result.lost).toEqual([]);
    expect(result.serverErrorsWithoutRetryAfter).toBe(0);
    expect((result.statuses['200'] ?? 0) + (result.statuses['503'] ?? 0)).toBe(5_000);
  });
});
