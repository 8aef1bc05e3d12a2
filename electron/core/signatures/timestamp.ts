import type { SchemeResult, VerifyContext } from './types';

/** A signed timestamp and the window it must fall in. */
export interface TimestampCheck {
  /** Seconds since the epoch, as read from the delivery. */
  seconds: number;
  /** Allowed distance from now, in seconds; 0 turns the check off. */
  toleranceSeconds: number;
  /** `past` rejects only old timestamps, as stripe-node 23 does; `both` also rejects future ones. */
  direction: 'both' | 'past';
}

/** Tolerance used by Stripe, Slack and Standard Webhooks: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Reads a Unix time in whole seconds (digits only), or returns null. */
export function parseUnixSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,12}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/**
 * Reads a timestamp header of a generic sender: Unix seconds, Unix milliseconds (13 digits
 * or more, as `Date.now()` gives) or an ISO 8601 date. Returns seconds, or null.
 */
export function parseFlexibleTimestamp(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d{13,16}$/.test(trimmed)) return Math.floor(Number(trimmed) / 1000);
  const seconds = parseUnixSeconds(trimmed);
  if (seconds !== null) return seconds;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** Formats a number of seconds coarsely, so a message stays the same over a re-check. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 120) return `${abs} s`;
  if (abs < 2 * 3600) return `${Math.round(abs / 60)} min`;
  if (abs < 2 * 86_400) return `${Math.round(abs / 3600)} h`;
  return `${Math.round(abs / 86_400)} days`;
}

function withinTolerance(offsetSeconds: number, check: TimestampCheck): boolean {
  if (offsetSeconds > 0 && check.direction === 'past') return true;
  return Math.abs(offsetSeconds) <= check.toleranceSeconds;
}

/**
 * Returns the timestamp verdict for a signature that matched, or null when the timestamp is
 * inside the tolerance. `matched` names the match, such as "HMAC-SHA256 … matches key 1 (hex)".
 */
export function timestampVerdict(check: TimestampCheck, context: VerifyContext, matched: string): SchemeResult | null {
  if (check.toleranceSeconds <= 0) return null;
  // Positive offsets are timestamps ahead of this computer's clock.
  const offset = check.seconds - Math.floor(context.now / 1000);
  if (withinTolerance(offset, check)) return null;

  const when = new Date(check.seconds * 1000).toISOString();
  const relation = offset > 0 ? `${formatDuration(offset)} ahead of` : `${formatDuration(offset)} behind`;
  return {
    status: 'timestamp-out-of-tolerance',
    reason: `${matched}, but its timestamp ${when} is ${relation} this computer's clock, outside the ${check.toleranceSeconds} s tolerance.`,
    diagnosis: diagnoseTimestamp(check, context, offset),
  };
}

/** Tells a delivery that is only old now from one that was late or skewed on arrival. */
function diagnoseTimestamp(check: TimestampCheck, context: VerifyContext, offsetNow: number): string {
  let offset = offsetNow;
  if (context.receivedAt !== undefined) {
    offset = check.seconds - Math.floor(context.receivedAt / 1000);
    if (withinTolerance(offset, check)) {
      return `It was within the tolerance when it arrived at ${new Date(context.receivedAt).toISOString()}: the delivery is only old now, and its signature is still good.`;
    }
  }

  if (offset > 0) {
    return `The timestamp is ${formatDuration(offset)} ahead of the arrival time: the sender's clock or this computer's clock is off by about that much, so check that both sync their time.`;
  }
  if (-offset < 3600) {
    return `The timestamp is ${formatDuration(offset)} older than the arrival time: a clock is off by that much (check that both sides sync their time), or the delivery was held up on the way.`;
  }
  return `The delivery arrived ${formatDuration(offset)} after it was signed: it is a late retry or an old delivery sent again, so ask the sender for a fresh one.`;
}
