import type { SpikeEvent, SpikeSummary } from './contract';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/**
 * Converts an RFC 3339 timestamp to nanoseconds since the epoch, exactly: a fraction of up to
 * nine digits is kept, unlike `Date.parse`, which rounds to milliseconds. Returns null when
 * the text is not RFC 3339. The value only orders timestamps; views show the received text.
 */
export function rfc3339ToNanos(text: string): bigint | null {
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

  const nanosFraction = BigInt(fraction.padEnd(9, '0') || '0');
  return (BigInt(wholeMs) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + nanosFraction;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function addAll(target: Set<string>, values: Iterable<string | null>): void {
  for (const value of values) if (value !== null) target.add(value);
}

/** Returns the text whose timestamp is first (or last) in time, skipping unparsable ones. */
function pickTimestamp(texts: (string | null)[], latest: boolean): string | null {
  let bestText: string | null = null;
  let bestNanos: bigint | null = null;
  for (const text of texts) {
    if (text === null) continue;
    const nanos = rfc3339ToNanos(text);
    if (nanos === null) continue;
    if (bestNanos === null || (latest ? nanos > bestNanos : nanos < bestNanos)) {
      bestNanos = nanos;
      bestText = text;
    }
  }
  return bestText;
}

function readEvent(value: unknown, index: number, warnings: string[]): SpikeEvent | null {
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
  for (const [field, text] of [
    ['timestamp', event.timestamp],
    ['earliest_record_start_at', event.earliestRecordStartAt],
    ['latest_record_end_at', event.latestRecordEndAt],
  ] as const) {
    if (text !== null && rfc3339ToNanos(text) === null) warnings.push(`Event ${index} has a ${field} that is not RFC 3339: "${text}".`);
  }
  return event;
}

/**
 * Summarizes a Spike body: which users, metrics, activity types and providers changed, and
 * over which time window. Returns null when the body is not a JSON array of objects with an
 * `event_type`, so other providers' deliveries get no Spike summary. Never throws.
 */
export function summarizeSpike(body: Uint8Array, requireShape = true): SpikeSummary | null {
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
  const events = parsed.map((item, index) => readEvent(item, index, warnings)).filter((event): event is SpikeEvent => event !== null);
  const users = new Set<string>();
  const eventTypes = new Set<string>();
  const metrics = new Set<string>();
  const activityTypes = new Set<string>();
  const providers = new Set<string>();
  for (const event of events) {
    addAll(users, [event.applicationUserId]);
    addAll(eventTypes, [event.eventType]);
    addAll(metrics, event.metrics);
    addAll(activityTypes, event.activityTypes);
    addAll(providers, [event.providerSlug]);
  }

  return {
    eventCount: parsed.length,
    eventTypes: [...eventTypes],
    users: [...users],
    metrics: [...metrics],
    activityTypes: [...activityTypes],
    providers: [...providers],
    window: {
      start: pickTimestamp(events.map((event) => event.earliestRecordStartAt), false),
      end: pickTimestamp(events.map((event) => event.latestRecordEndAt), true),
    },
    events,
    warnings,
  };
}

function emptySummary(warnings: string[]): SpikeSummary {
  return { eventCount: 0, eventTypes: [], users: [], metrics: [], activityTypes: [], providers: [], window: { start: null, end: null }, events: [], warnings };
}
