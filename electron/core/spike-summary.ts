import type { SpikeDetail, SpikeEvent, SpikeSummary } from './contract';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** A point in time read from RFC 3339 text, exact to the nanosecond, without BigInt arithmetic. */
interface Instant {
  /** Milliseconds since the epoch of the whole second, offset applied. */
  secondMs: number;
  /** Nanoseconds within that second, from the fraction's up to nine digits. */
  nanos: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** The date and time fields of RFC 3339 text as numbers: year, month, day, hour, minute, second. */
type DateFields = [number, number, number, number, number, number];

/** Returns milliseconds since the epoch of a UTC date and time. */
function utcMs([year, month, day, hour, minute, second]: DateFields): number {
  // Date.UTC reads years 0 to 99 as 1900 to 1999, so only those years take the slower way.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * Returns the problem with the date, time and offset fields of a matched RFC 3339 text, or null
 * when they are valid. `texts` are the fields as received, for the message.
 */
function calendarProblem([year, month, day, hour, minute, second]: DateFields, texts: RegExpExecArray, zone: string): string | null {
  const [, , monthText, dayText, hourText, minuteText, secondText] = texts;
  if (month < 1 || month > 12) return `month ${monthText} is not 01 to 12`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `day ${dayText} is not in ${MONTH_NAMES[month - 1]} ${year}, which has ${days} days`;
  if (hour > 23) return `hour ${hourText} is not 00 to 23`;
  if (minute > 59) return `minute ${minuteText} is not 00 to 59`;
  // RFC 3339 allows second 60 for a leap second, which parseInstant checks against the UTC time.
  if (second > 60) return `second ${secondText} is not 00 to 59, or 60 for a leap second`;
  if (zone.length === 6 && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return `the offset ${zone} is not -23:59 to +23:59`;
  return null;
}

/**
 * Reads RFC 3339 text into an Instant. Returns null when the text is not in RFC 3339 form,
 * and the problem, such as `hour 25 is not 00 to 23`, when a date or time field is out of range.
 */
function parseInstant(text: string): Instant | string | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const fields: DateFields = [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])];
  const fraction = match[7] ?? '';
  const zone = match[8] ?? 'Z';

  const problem = calendarProblem(fields, match, zone);
  if (problem !== null) return problem;

  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const secondMs = utcMs(fields) - offsetMinutes * 60_000;
  if (fields[5] === 60) {
    const utc = new Date(secondMs - 1000);
    if (utc.getUTCHours() !== 23 || utc.getUTCMinutes() !== 59) return 'second 60, a leap second, at a time other than 23:59 UTC';
  }
  // NOTE: a leap second orders as the first second of the next minute, because Date counts no leap seconds.
  return { secondMs, nanos: fraction === '' ? 0 : Number(fraction.padEnd(9, '0')) };
}

function readInstant(text: string): Instant | null {
  const instant = parseInstant(text);
  return typeof instant === 'string' ? null : instant;
}

function isBefore(a: Instant, b: Instant): boolean {
  return a.secondMs < b.secondMs || (a.secondMs === b.secondMs && a.nanos < b.nanos);
}

/**
 * Converts an RFC 3339 timestamp to nanoseconds since the epoch, exactly: a fraction of up to
 * nine digits is kept, unlike `Date.parse`, which rounds to milliseconds. Returns null when
 * the text is not RFC 3339 or names a date or time that does not exist. The value only orders
 * timestamps, and views show the received text.
 */
export function rfc3339ToNanos(text: string): bigint | null {
  const instant = readInstant(text);
  return instant === null ? null : BigInt(instant.secondMs) * 1_000_000n + BigInt(instant.nanos);
}

/**
 * Names a JSON value's type for warnings, with the value itself when it is a number or boolean.
 * JSON.parse rounds an integer beyond 2^53 to the nearest double, so such a number is not quoted.
 */
function jsonTypeOf(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return 'a number beyond 2^53, which JSON readers round';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Returns why `text` is not a valid RFC 3339 time, such as `day 31 is not in February 2024,
 * which has 29 days`, or null when it is one.
 */
export function rfc3339Problem(text: string): string | null {
  const instant = parseInstant(text);
  if (instant === null) return 'it is not in RFC 3339 form';
  return typeof instant === 'string' ? instant : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
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

function readEvent(value: unknown, index: number, warnings: WarningList, window: WindowTracker): SpikeEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warnings.add(() => `Event ${index} is not a JSON object.`);
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

  if (event.applicationUserId === null) warnings.add(() => `Event ${index} has no application_user_id string.`);
  const eventType = event.eventType;
  if (eventType === null) warnings.add(() => `Event ${index} has no event_type string.`);
  else if (eventType !== 'record_change') warnings.add(() => `Event ${index} has the unknown event_type "${eventType}".`);

  // Each timestamp is parsed once: to check it and to place it in the window.
  for (const [field, key] of TIMESTAMP_FIELDS) {
    const text = event[key];
    const raw = record[field];
    const named = `Event ${index} has ${field.startsWith('e') ? 'an' : 'a'} ${field}`;
    if (text === null) {
      if (raw !== undefined && raw !== null) warnings.add(() => `${named} that is ${jsonTypeOf(raw)}, not an RFC 3339 string, so the summary leaves it out.`);
      continue;
    }
    const at = parseInstant(text);
    if (at === null) warnings.add(() => `${named} that is not RFC 3339: "${text}".`);
    else if (typeof at === 'string') warnings.add(() => `${named} that is not a valid time, so the summary leaves it out: "${text}" (${at}).`);
    else if (key === 'earliestRecordStartAt') window.offerStart(text, at);
    else if (key === 'latestRecordEndAt') window.offerEnd(text, at);
  }
  return event;
}

/** Bodies larger than this are not summarized, because parsing them costs the writer thread memory and time. */
export const MAX_SUMMARIZED_BYTES = 25 * 1024 * 1024;
/** Events read from one body; beyond it the window and lists cover the events read. */
export const MAX_EVENTS_READ = 100_000;
/** Events a delivery's detail lists. */
export const MAX_EVENTS_LISTED = 1_000;
/** Entries of each list (users, metrics, activity types, providers, event types) in a summary. */
export const MAX_LIST_ENTRIES = 100;
const MAX_WARNINGS = 20;

/** Warnings up to MAX_WARNINGS, built only while there is room, with a count of the rest. */
class WarningList {
  readonly texts: string[] = [];
  private left = 0;

  add(text: () => string): void {
    if (this.texts.length < MAX_WARNINGS) this.texts.push(text());
    else this.left += 1;
  }

  done(): string[] {
    return this.left === 0 ? this.texts : [...this.texts, `${this.left} more warning(s) are not shown.`];
  }
}

/** The distinct values of one summary list, up to MAX_LIST_ENTRIES. */
class CappedList {
  readonly values = new Set<string>();
  full = false;

  add(value: string | null): void {
    if (value === null || this.values.has(value)) return;
    if (this.values.size < MAX_LIST_ENTRIES) this.values.add(value);
    else this.full = true;
  }
}

/**
 * Summarizes a Spike body: which users, metrics, activity types and providers changed, and
 * over which time window. Returns null when the body is not a JSON array of objects with an
 * `event_type`, so other providers' deliveries get no Spike summary. Never throws. Lists,
 * events and warnings are bounded in number, so a body of millions of events gives a small summary.
 */
export function summarizeSpike(body: Uint8Array, requireShape = true): SpikeDetail | null {
  if (body.byteLength > MAX_SUMMARIZED_BYTES) {
    if (requireShape) return null;
    return emptySummary([`The body has ${body.byteLength} bytes, over the ${MAX_SUMMARIZED_BYTES} that Hooktray summarizes: read it in the body view.`]);
  }
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
  const items = parsed as unknown[];
  if (requireShape && !items.some((item) => typeof item === 'object' && item !== null && 'event_type' in item)) return null;

  const warnings = new WarningList();
  const window = new WindowTracker();
  const events: SpikeEvent[] = [];
  const lists = { users: new CappedList(), eventTypes: new CappedList(), metrics: new CappedList(), activityTypes: new CappedList(), providers: new CappedList() };
  const read = Math.min(items.length, MAX_EVENTS_READ);
  let eventsRead = 0;
  for (let index = 0; index < read; index++) {
    const event = readEvent(items[index], index, warnings, window);
    if (event === null) continue;
    eventsRead += 1;
    if (events.length < MAX_EVENTS_LISTED) events.push(event);
    lists.users.add(event.applicationUserId);
    lists.eventTypes.add(event.eventType);
    for (const metric of event.metrics) lists.metrics.add(metric);
    for (const activityType of event.activityTypes) lists.activityTypes.add(activityType);
    lists.providers.add(event.providerSlug);
  }

  // Notes on what the bounds left out go first, so the cap on warnings never hides them.
  const notes: string[] = [];
  if (items.length > read) notes.push(`Only the first ${read} of ${items.length} events were read; the window and lists cover those.`);
  if (eventsRead > events.length) notes.push(`The detail lists the first ${events.length} of the ${eventsRead} events read.`);
  for (const [name, list] of Object.entries(lists)) {
    if (list.full) notes.push(`The events name more than ${MAX_LIST_ENTRIES} ${LIST_NAMES[name as keyof typeof lists]}; the summary lists the first ${MAX_LIST_ENTRIES}.`);
  }

  return {
    eventCount: items.length,
    eventTypes: [...lists.eventTypes.values],
    users: [...lists.users.values],
    metrics: [...lists.metrics.values],
    activityTypes: [...lists.activityTypes.values],
    providers: [...lists.providers.values],
    window: { start: window.start, end: window.end },
    events,
    warnings: [...notes, ...warnings.done()],
  };
}

const LIST_NAMES = { users: 'users', eventTypes: 'event types', metrics: 'metrics', activityTypes: 'activity types', providers: 'providers' } as const;

function emptySummary(warnings: string[]): SpikeDetail {
  return { eventCount: 0, eventTypes: [], users: [], metrics: [], activityTypes: [], providers: [], window: { start: null, end: null }, events: [], warnings };
}

/** Returns the summary's own fields, dropping the events that a detail carries. */
export function spikeSummaryOf(spike: SpikeSummary): SpikeSummary {
  const { eventCount, eventTypes, users, metrics, activityTypes, providers, window, warnings } = spike;
  return { eventCount, eventTypes, users, metrics, activityTypes, providers, window, warnings };
}
