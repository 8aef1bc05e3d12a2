import type { SpikeDetail, SpikeEvent, SpikeSummary } from './contract';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** A point in time read from RFC 3339 text, exact to the nanosecond, without BigInt arithmetic. */
interface Instant {
  /** Milliseconds since the epoch of the whole second, offset applied. */
  secondMs: number;
  /** Nanoseconds within that second, from the fraction's up to nine digits. */
  nanos: number;
}

function readInstant(text: string): Instant | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;

  const wholeMs = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(wholeMs)) return null;

  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z' && zone !== undefined) {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return { secondMs: wholeMs - offsetMinutes * 60_000, nanos: fraction === '' ? 0 : Number(fraction.padEnd(9, '0')) };
}

function isBefore(a: Instant, b: Instant): boolean {
  return a.secondMs < b.secondMs || (a.secondMs === b.secondMs && a.nanos < b.nanos);
}

/**
 * Converts an RFC 3339 timestamp to nanoseconds since the epoch, exactly: a fraction of up to
 * nine digits is kept, unlike `Date.parse`, which rounds to milliseconds. Returns null when
 * the text is not RFC 3339. The value only orders timestamps; views show the received text.
 */
export function rfc3339ToNanos(text: string): bigint | null {
  const instant = readInstant(text);
  return instant === null ? null : BigInt(instant.secondMs) * 1_000_000n + BigInt(instant.nanos);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function addPresent(target: Set<string>, value: string | null): void {
  if (value !== null) target.add(value);
}

/** The earliest start and latest end among the events, kept as received text, ordered by exact time. */
class WindowTracker {
  start: string | null = null;
  end: string | null = null;
  private startAt: Instant | null = null;
  private endAt: Instant | null = null;

  offerStart(text: string, at: Instant): void {
    if (this.startAt !== null && !isBefore(at, this.startAt)) return;
    this.startAt = at;
    this.start = text;
  }

  offerEnd(text: string, at: Instant): void {
    if (this.endAt !== null && !isBefore(this.endAt, at)) return;
    this.endAt = at;
    this.end = text;
  }
}

const TIMESTAMP_FIELDS = [
  ['timestamp', 'timestamp'],
  ['earliest_record_start_at', 'earliestRecordStartAt'],
  ['latest_record_end_at', 'latestRecordEndAt'],
] as const;

function readEvent(value: unknown, index: number, warnings: string[], window: WindowTracker): SpikeEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warnings.push(`Event ${index} is not a JSON object.`);
    return null;
  }
  const record = value as Record<string, unknown>;
  const event: SpikeEvent = {
    applicationUserId: stringOrNull(record.application_user_id),
    timestamp: stringOrNull(record.timestamp),
    eventType: stringOrNull(record.event_type),
    metrics: stringList(record.metrics),
    activityTypes: stringList(record.activity_types),
    providerSlug: stringOrNull(record.provider_slug),
    earliestRecordStartAt: stringOrNull(record.earliest_record_start_at),
    latestRecordEndAt: stringOrNull(record.latest_record_end_at),
  };

  if (event.applicationUserId === null) warnings.push(`Event ${index} has no application_user_id string.`);
  if (event.eventType === null) warnings.push(`Event ${index} has no event_type string.`);
  else if (event.eventType !== 'record_change') warnings.push(`Event ${index} has the unknown event_type "${event.eventType}".`);

  // Each timestamp is parsed once: to check it and to place it in the window.
  for (const [field, key] of TIMESTAMP_FIELDS) {
    const text = event[key];
    if (text === null) continue;
    const at = readInstant(text);
    if (at === null) warnings.push(`Event ${index} has a ${field} that is not RFC 3339: "${text}".`);
    else if (key === 'earliestRecordStartAt') window.offerStart(text, at);
    else if (key === 'latestRecordEndAt') window.offerEnd(text, at);
  }
  return event;
}

/**
 * Summarizes a Spike body: which users, metrics, activity types and providers changed, and
 * over which time window. Returns null when the body is not a JSON array of objects with an
 * `event_type`, so other providers' deliveries get no Spike summary. Never throws.
 */
export function summarizeSpike(body: Uint8Array, requireShape = true): SpikeDetail | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    if (requireShape) return null;
    return emptySummary([`The body is not valid JSON: ${(error as Error).message}.`]);
  }

  if (!Array.isArray(parsed)) {
    if (requireShape) return null;
    return emptySummary(['The body is not a JSON array of events.']);
  }
  if (requireShape && !parsed.some((item) => typeof item === 'object' && item !== null && 'event_type' in item)) return null;

  const warnings: string[] = [];
  const window = new WindowTracker();
  const events: SpikeEvent[] = [];
  const users = new Set<string>();
  const eventTypes = new Set<string>();
  const metrics = new Set<string>();
  const activityTypes = new Set<string>();
  const providers = new Set<string>();
  for (const [index, item] of (parsed as unknown[]).entries()) {
    const event = readEvent(item, index, warnings, window);
    if (event === null) continue;
    events.push(event);
    addPresent(users, event.applicationUserId);
    addPresent(eventTypes, event.eventType);
    for (const metric of event.metrics) metrics.add(metric);
    for (const activityType of event.activityTypes) activityTypes.add(activityType);
    addPresent(providers, event.providerSlug);
  }

  return {
    eventCount: parsed.length,
    eventTypes: [...eventTypes],
    users: [...users],
    metrics: [...metrics],
    activityTypes: [...activityTypes],
    providers: [...providers],
    window: { start: window.start, end: window.end },
    events,
    warnings,
  };
}

function emptySummary(warnings: string[]): SpikeDetail {
  return { eventCount: 0, eventTypes: [], users: [], metrics: [], activityTypes: [], providers: [], window: { start: null, end: null }, events: [], warnings };
}

/** Returns the summary's own fields, dropping the events that a detail carries. */
export function spikeSummaryOf(spike: SpikeSummary): SpikeSummary {
  const { eventCount, eventTypes, users, metrics, activityTypes, providers, window, warnings } = spike;
  return { eventCount, eventTypes, users, metrics, activityTypes, providers, window, warnings };
}
