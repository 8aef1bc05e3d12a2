import { structuredPatch } from 'diff';
import type { DeliveryDiff, DiffBodyKind, HeaderChange, JsonChange, TextPatch } from './contract';
import type { ExactJson } from './exact-json';
import { exactEqual, formatExactJson, MAX_JSON_DEPTH, objectMap, parseExactJson, previewExactJson } from './exact-json';
import type { HeaderPair } from './contract';

/** One side of a comparison: a stored delivery or a fixture file. */
export interface DiffSide {
  /** Shown in headings, such as a delivery id or a file name. */
  label: string;
  headers: readonly HeaderPair[];
  /** The body to compare: the decoded body when the delivery had a Content-Encoding. */
  body: Uint8Array;
}

export interface DiffOptions {
  /**
   * Skip fields that differ on every delivery: timestamps, ids and signature headers. They are
   * left out of the JSON changes, the header changes and both line patches.
   */
  ignoreVolatile?: boolean;
  /** Stop listing JSON changes after this many; the result says it was cut. */
  maxChanges?: number;
  /** Give up on a line diff that needs more edits than this, so very different bodies stay fast. */
  maxEditLength?: number;
  /**
   * Bound on a line diff's work, as the lines of both texts times the edits it may find. Long
   * texts get a lower edit limit than `maxEditLength` so that they stay fast too.
   */
  maxLineDiffWork?: number;
  /** Lines of context around each change in the text patches. */
  context?: number;
}

/** Object keys treated as volatile at any depth: per-delivery ids and times, not payload data. */
export const VOLATILE_JSON_KEYS: ReadonlySet<string> = new Set(
  [
    'id',
    'timestamp',
    'time',
    'created',
    'created_at',
    'createdAt',
    'updated_at',
    'updatedAt',
    'sent_at',
    'sentAt',
    'occurred_at',
    'event_id',
    'eventId',
    'request_id',
    'requestId',
    'idempotency_key',
    'delivery_id',
    'webhook_id',
  ].map((key) => key.toLowerCase()),
);

/** Headers that change on every delivery or re-send: signatures, their timestamps, ids, routing. */
export const VOLATILE_HEADERS: ReadonlySet<string> = new Set([
  'date',
  'x-body-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-github-delivery',
  'stripe-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'x-shopify-hmac-sha256',
  'x-shopify-webhook-id',
  'x-shopify-triggered-at',
  'x-slack-signature',
  'x-slack-request-timestamp',
  'x-twilio-signature',
  'x-request-id',
  'x-amzn-trace-id',
  'traceparent',
  'x-forwarded-for',
  'x-real-ip',
]);

const DEFAULT_MAX_CHANGES = 10_000;
const DEFAULT_MAX_EDIT_LENGTH = 20_000;
/**
 * jsdiff's Myers diff takes time in proportion to the lines of both texts times the edits.
 * Two texts of 300,000 lines each took 44 s with the 20,000-edit limit and under 2 s with
 * this bound (`hooktray diff` with jsdiff 9.0 on a 2-core Linux VM; one run, an estimate).
 */
const DEFAULT_MAX_LINE_DIFF_WORK = 2_000_000_000;

/**
 * Compares two deliveries: a structural JSON diff when both bodies are JSON, a header diff
 * by name, and line-based patches of the bodies and of the headers. Pure and free of Node
 * APIs, so it runs in the core or in a Web Worker.
 */
export function diffDeliveries(left: DiffSide, right: DiffSide, options: DiffOptions = {}): DeliveryDiff {
  const ignoreVolatile = options.ignoreVolatile ?? false;
  const leftBody = readBody(left.body, ignoreVolatile);
  const rightBody = readBody(right.body, ignoreVolatile);

  let json: DeliveryDiff['json'] = null;
  if (leftBody.json !== null && rightBody.json !== null) {
    json = diffJson(leftBody.json, rightBody.json, { ignoreVolatile, maxChanges: options.maxChanges ?? DEFAULT_MAX_CHANGES });
  }

  const patchOptions = { context: options.context ?? 3, maxEditLength: options.maxEditLength ?? DEFAULT_MAX_EDIT_LENGTH, maxWork: options.maxLineDiffWork ?? DEFAULT_MAX_LINE_DIFF_WORK };
  let bodyPatch = leftBody.kind === 'binary' || rightBody.kind === 'binary'
    ? binaryPatch(left.body, right.body)
    : textPatch(leftBody.text, rightBody.text, patchOptions);
  // Point to the JSON changes only when both bodies are JSON, because otherwise there are none.
  if (bodyPatch.status === 'too-different' && json !== null) bodyPatch = { ...bodyPatch, reason: `${bodyPatch.reason} The JSON changes list what differs.` };

  const keepHeader = (pair: HeaderPair): boolean => !ignoreVolatile || !VOLATILE_HEADERS.has(pair[0].toLowerCase());
  const headerPatch = textPatch(headerText(left.headers.filter(keepHeader)), headerText(right.headers.filter(keepHeader)), patchOptions);

  return {
    left: { label: left.label, size: left.body.byteLength, kind: leftBody.kind, jsonError: leftBody.jsonError },
    right: { label: right.label, size: right.body.byteLength, kind: rightBody.kind, jsonError: rightBody.jsonError },
    identicalBodies: bytesEqual(left.body, right.body),
    ignoreVolatile,
    json,
    headerChanges: diffHeaders(left.headers, right.headers, ignoreVolatile),
    bodyPatch,
    headerPatch,
  };
}

interface ReadBody {
  kind: DiffBodyKind;
  /**
   * Text for the line diff: indented JSON for JSON bodies, without volatile keys when they
   * are ignored, else the decoded text.
   */
  text: string;
  json: ExactJson | null;
  jsonError: string | null;
}

// `ignoreBOM` keeps a leading byte order mark in the text, where the default decoder drops it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BYTE_ORDER_MARK = '\uFEFF';

function readBody(bytes: Uint8Array, ignoreVolatile: boolean): ReadBody {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { kind: 'binary', text: '', json: null, jsonError: 'The body is not valid UTF-8.' };
  }
  if (text.trim() === '') return { kind: 'text', text, json: null, jsonError: 'The body is empty.' };

  // A byte order mark before JSON makes JSON.parse fail in many receivers, so the line diff
  // shows it, while the JSON changes compare the values after it.
  const mark = text.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK : '';
  const parsed = parseExactJson(text.slice(mark.length));
  if (!parsed.ok) return { kind: 'text', text, json: null, jsonError: notJsonReason(parsed) };

  // NOTE: volatile fields are found by JSON key only, so text bodies such as form data keep them.
  const lineDiffJson = ignoreVolatile ? withoutVolatileKeys(parsed.value) : parsed.value;
  return { kind: 'json', text: `${mark}${formatExactJson(lineDiffJson)}\n`, json: parsed.value, jsonError: null };
}

function notJsonReason(failure: { code: 'invalid-json' | 'too-deep'; message: string }): string {
  if (failure.code === 'too-deep') return `The body's arrays and objects are nested deeper than ${MAX_JSON_DEPTH} levels, the limit for comparing bodies as JSON.`;
  return `The body is not JSON (${failure.message.replace(/\.$/, '')}).`;
}

/** Copies a JSON value without the members, at any depth, whose key is in VOLATILE_JSON_KEYS. */
function withoutVolatileKeys(value: ExactJson): ExactJson {
  if (value.type === 'array') return { type: 'array', items: value.items.map(withoutVolatileKeys) };
  if (value.type !== 'object') return value;

  const members = value.members
    .filter((member) => !VOLATILE_JSON_KEYS.has(member.key.toLowerCase()))
    .map((member) => ({ ...member, value: withoutVolatileKeys(member.value) }));
  return { type: 'object', members };
}

/**
 * Lists the JSON paths (RFC 6901 pointers) added, removed or changed from `left` to
 * `right`. Arrays are compared by position and objects by key, so reordered keys are no change.
 */
export function diffJson(left: ExactJson, right: ExactJson, options: { ignoreVolatile?: boolean; maxChanges?: number } = {}): { changes: JsonChange[]; truncated: boolean } {
  const changes: JsonChange[] = [];
  const maxChanges = options.maxChanges ?? DEFAULT_MAX_CHANGES;
  let truncated = false;

  const record = (change: JsonChange): void => {
    if (changes.length >= maxChanges) truncated = true;
    else changes.push(change);
  };

  const walk = (before: ExactJson, after: ExactJson, path: string): void => {
    if (truncated) return;
    if (before.type === 'object' && after.type === 'object') {
      walkObject(objectMap(before), objectMap(after), path);
    } else if (before.type === 'array' && after.type === 'array') {
      walkArray(before.items, after.items, path);
    } else if (!exactEqual(before, after)) {
      record({ path, kind: 'changed', before: previewExactJson(before), after: previewExactJson(after) });
    }
  };

  const walkObject = (before: Map<string, ExactJson>, after: Map<string, ExactJson>, path: string): void => {
    for (const [key, value] of before) {
      if (options.ignoreVolatile && VOLATILE_JSON_KEYS.has(key.toLowerCase())) continue;
      const childPath = `${path}/${escapePointer(key)}`;
      const other = after.get(key);
      if (other === undefined) record({ path: childPath, kind: 'removed', before: previewExactJson(value) });
      else walk(value, other, childPath);
    }
    for (const [key, value] of after) {
      if (before.has(key) || (options.ignoreVolatile && VOLATILE_JSON_KEYS.has(key.toLowerCase()))) continue;
      record({ path: `${path}/${escapePointer(key)}`, kind: 'added', after: previewExactJson(value) });
    }
  };

  const walkArray = (before: ExactJson[], after: ExactJson[], path: string): void => {
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) walk(before[index] as ExactJson, after[index] as ExactJson, `${path}/${index}`);
    for (let index = shared; index < before.length; index++) record({ path: `${path}/${index}`, kind: 'removed', before: previewExactJson(before[index] as ExactJson) });
    for (let index = shared; index < after.length; index++) record({ path: `${path}/${index}`, kind: 'added', after: previewExactJson(after[index] as ExactJson) });
  };

  walk(left, right, '');
  return { changes, truncated };
}

/** Escapes a key for a JSON Pointer: `~` becomes `~0` and `/` becomes `~1`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Compares headers by case-insensitive name; a repeated header compares as its list of values. */
export function diffHeaders(left: readonly HeaderPair[], right: readonly HeaderPair[], ignoreVolatile = false): HeaderChange[] {
  const leftValues = groupHeaders(left);
  const rightValues = groupHeaders(right);
  const changes: HeaderChange[] = [];

  for (const [name, before] of leftValues) {
    if (ignoreVolatile && VOLATILE_HEADERS.has(name)) continue;
    const after = rightValues.get(name);
    if (after === undefined) changes.push({ name, kind: 'removed', before });
    else if (before.length !== after.length || before.some((value, index) => value !== after[index])) changes.push({ name, kind: 'changed', before, after });
  }
  for (const [name, after] of rightValues) {
    if (leftValues.has(name) || (ignoreVolatile && VOLATILE_HEADERS.has(name))) continue;
    changes.push({ name, kind: 'added', after });
  }
  return changes;
}

function groupHeaders(headers: readonly HeaderPair[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const values = grouped.get(key);
    if (values === undefined) grouped.set(key, [value]);
    else values.push(value);
  }
  return grouped;
}

function headerText(headers: readonly HeaderPair[]): string {
  return headers.map(([name, value]) => `${name}: ${value}\n`).join('');
}

function textPatch(before: string, after: string, options: { context: number; maxEditLength: number; maxWork: number }): TextPatch {
  if (before === after) return { status: 'identical', hunks: [] };
  const lines = countLines(before) + countLines(after);
  const maxEditLength = Math.max(1, Math.min(options.maxEditLength, Math.floor(options.maxWork / lines)));
  const patch = structuredPatch('left', 'right', before, after, undefined, undefined, { context: options.context, maxEditLength });
  if (patch === undefined) {
    return { status: 'too-different', hunks: [], reason: `The texts need more than ${maxEditLength} line edits, so no line diff is shown.` };
  }
  const hunks = patch.hunks.map((hunk) => ({
    oldStart: hunk.oldStart,
    oldLines: hunk.oldLines,
    newStart: hunk.newStart,
    newLines: hunk.newLines,
    lines: hunk.lines,
  }));
  return { status: 'changed', hunks };
}

function countLines(text: string): number {
  let lines = 1;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lines += 1;
  return lines;
}

function binaryPatch(before: Uint8Array, after: Uint8Array): TextPatch {
  if (bytesEqual(before, after)) return { status: 'identical', hunks: [] };
  const firstDifference = findFirstDifference(before, after);
  return {
    status: 'binary',
    hunks: [],
    reason: `At least one body is not UTF-8 text; the bytes first differ at offset ${firstDifference} (sizes ${before.byteLength} and ${after.byteLength}).`,
  };
}

function findFirstDifference(before: Uint8Array, after: Uint8Array): number {
  const length = Math.min(before.byteLength, after.byteLength);
  for (let index = 0; index < length; index++) {
    if (before[index] !== after[index]) return index;
  }
  return length;
}

function bytesEqual(before: Uint8Array, after: Uint8Array): boolean {
  return before.byteLength === after.byteLength && findFirstDifference(before, after) === before.byteLength;
}
