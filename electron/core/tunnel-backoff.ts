/**
 * Computes the delay before reconnect attempt `attempt` (1 for the first), in ms: `baseMs`
 * doubling per attempt up to `maxMs`. A jitter factor from 0.8 to 1.2, drawn from `random`
 * in [0, 1), keeps clients that were cut off together from all returning in the same second.
 */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exponent = Math.max(0, attempt - 1);
  const exponential = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(Math.min(maxMs, exponential * (0.8 + 0.4 * random)));
}
