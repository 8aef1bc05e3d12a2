import type { z } from 'zod';
import { closestName } from './closest-name';

type RawIssue = z.core.$ZodRawIssue;

/**
 * Words zod's issues for a user who edits a JSON file: "must be a whole number, 0 or more (got
 * 1.5)" in place of "Invalid input: expected int, received number". Pass it as the `error` of
 * safeParse. A message set on the schema itself takes precedence over it (zod 4.6), so custom
 * messages stay. The text follows `field "NAME": `, except for an unrecognized key, whose
 * message follows `unknown field "NAME": ` and suggests the allowed field closest to the first
 * such key. No message ends with a full stop, and none quotes an input string, because a string
 * in a configuration may be a key.
 */
export const plainIssueMessage: z.core.$ZodErrorMap = (issue) => {
  // zod's int() rejects whole numbers beyond 2^53 as not whole, so such a value gets the range with
  // that limit. JSON.parse has rounded the value, so it is not quoted.
  const input = (issue as { input?: unknown }).input;
  if (typeof input === 'number' && Number.isInteger(input) && !Number.isSafeInteger(input)) {
    const { schema, inst } = issue as { schema?: unknown; inst?: unknown };
    const words = numberWords(schema ?? inst, true);
    const bounded = words.includes(' to ') || words.endsWith(' or less');
    return `must be ${words}${bounded ? '' : `, up to ${Number.MAX_SAFE_INTEGER}`} (got a number beyond 2^53, which JSON readers round)`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return invalidTypeMessage(issue);
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue);
    case 'invalid_value':
      if (issue.values.length === 1) return `must be ${JSON.stringify(issue.values[0])}`;
      return `must be one of ${listWords(issue.values.map((value) => JSON.stringify(value)), 'or')}`;
    case 'invalid_format':
      return formatMessage(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return unrecognizedKeyMessage(issue);
    case 'invalid_union':
      return 'does not match any of the accepted forms: see docs/configuration.md';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has an entry that is not allowed';
    default:
      return 'is invalid';
  }
};

function invalidTypeMessage(issue: RawIssue & { code: 'invalid_type' }): string {
  const expected = issue.expected === 'number' || issue.expected === 'int' ? numberWords(issue.schema ?? issue.inst, issue.expected === 'int') : TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
  if (issue.input === undefined) return `is missing: add it as ${expected}`;
  const unquote = typeof issue.input === 'string' && (issue.expected === 'number' || issue.expected === 'int' || issue.expected === 'boolean') ? '; write it without quotes' : '';
  return `must be ${expected} (got ${inputWords(issue.input)}${unquote})`;
}

/** The expected JSON value of each zod type, in words. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  array: 'an array [ … ]',
  object: 'an object { … }',
  record: 'an object { … }',
  null: 'null',
};

function sizeMessage(issue: RawIssue & { code: 'too_small' | 'too_big' }): string {
  const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const atLeast = issue.code === 'too_small';
  switch (issue.origin) {
    case 'number':
    case 'int':
      return `must be ${numberWords(issue.schema ?? issue.inst, issue.origin === 'int')} (got ${inputWords(issue.input)})`;
    case 'string':
      if (atLeast && limit === 1) return 'must not be empty';
      return `must have ${atLeast ? 'at least' : 'at most'} ${limit} characters`;
    case 'array':
    case 'set':
      return `must have ${atLeast ? 'at least' : 'at most'} ${limit} ${limit === 1 ? 'entry' : 'entries'}`;
    default:
      return `must be ${atLeast ? 'at least' : 'at most'} ${limit}`;
  }
}

function formatMessage(issue: RawIssue & { code: 'invalid_format' }): string {
  const { prefix, suffix, includes } = issue as { prefix?: string; suffix?: string; includes?: string };
  if (issue.format === 'starts_with' && prefix !== undefined) return `must start with ${JSON.stringify(prefix)}`;
  if (issue.format === 'ends_with' && suffix !== undefined) return `must end with ${JSON.stringify(suffix)}`;
  if (issue.format === 'includes' && includes !== undefined) return `must contain ${JSON.stringify(includes)}`;
  if (issue.format === 'regex') return 'does not have the expected form: see docs/configuration.md';
  return `must be a valid ${issue.format}`;
}

/** Suggests the allowed field closest to the first unrecognized key, and lists the allowed fields. */
function unrecognizedKeyMessage(issue: RawIssue & { code: 'unrecognized_keys' }): string {
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  const allowed = shape === undefined ? [] : Object.keys(shape);
  const suggestion = closestName(issue.keys[0] ?? '', allowed);
  if (allowed.length === 0) return 'remove it, or correct its name';
  const fields = listWords(allowed, 'and');
  if (suggestion === null) return `remove it, or use one of the fields allowed there: ${fields}`;
  return `did you mean "${suggestion}"? The fields allowed there are ${fields}`;
}

/**
 * Describes the numbers a number schema accepts, such as "a whole number, 0 or more" or "a
 * whole number from 100 to 599", from its min and max checks.
 */
function numberWords(schema: unknown, whole: boolean): string {
  let min: { value: number; inclusive: boolean } | null = null;
  let max: { value: number; inclusive: boolean } | null = null;
  let isWhole = whole;
  const checks = (schema as { _zod?: { def?: { checks?: { _zod: { def: Record<string, unknown> } }[] } } } | undefined)?._zod?.def?.checks ?? [];
  for (const check of checks) {
    const def = check._zod.def;
    if (def.check === 'number_format' && (def.format === 'safeint' || def.format === 'int32' || def.format === 'uint32')) isWhole = true;
    const bound = { value: Number(def.value), inclusive: def.inclusive === true };
    if (def.check === 'greater_than') min = bound;
    if (def.check === 'less_than') max = bound;
  }

  if (!isWhole) {
    const parts = [min === null ? null : `${min.inclusive ? 'at least' : 'greater than'} ${min.value}`, max === null ? null : `${max.inclusive ? 'at most' : 'less than'} ${max.value}`];
    const range = parts.filter((part) => part !== null).join(' and ');
    return range === '' ? 'a number' : `a number ${range}`;
  }
  // A whole-number bound that excludes its value moves to the next whole number.
  let lowest: number | null = null;
  if (min !== null) lowest = min.inclusive ? Math.ceil(min.value) : Math.floor(min.value) + 1;
  // A maximum of Number.MAX_SAFE_INTEGER or more is no practical limit, so the words leave it out.
  let highest: number | null = null;
  if (max !== null && max.value < Number.MAX_SAFE_INTEGER) highest = max.inclusive ? Math.floor(max.value) : Math.ceil(max.value) - 1;
  if (lowest !== null && highest !== null) return `a whole number from ${lowest} to ${highest}`;
  if (lowest !== null) return `a whole number, ${lowest} or more`;
  if (highest !== null) return `a whole number, ${highest} or less`;
  return 'a whole number';
}

/** Describes a JSON value without quoting text, which may be a key. */
function inputWords(input: unknown): string {
  if (input === null) return 'null';
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (typeof input === 'string') return 'a string';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}

/** Joins words as "a, b or c". */
function listWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}
