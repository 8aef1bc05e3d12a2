import type { HeaderPair } from '../../../electron/core/contract';
import {
  badHeaderNameChar,
  badHeaderValueChar,
  MAX_EDITED_HEADERS,
  MAX_HEADER_NAME_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_PROFILE_NAME_LENGTH,
  MAX_TEMPLATE_TIME_LENGTH,
  MAX_TEMPLATE_WORD_LENGTH,
  MAX_TEMPLATE_WORDS,
  TOKEN_CHARS_TEXT,
} from '../../../electron/core/request-rules';
import { formatCount, revealInvisible } from '../lib/format';

/**
 * Checks of the send dialogs' fields before a request goes to the core. They apply the limits
 * and character rules that the core's schemas enforce, so that a message can name the line or
 * field as the dialog labels it and the fix. The core checks every request again.
 */

export type HeaderLinesResult = { ok: true; headers: HeaderPair[] } | { ok: false; line: number; message: string };

const RESTORE = 'or restore the received headers';

/** Names a character for a message: "a space", or the character quoted and escaped, with its code point beyond ASCII. */
function describeChar(char: string): string {
  if (char === ' ') return 'a space';
  const codePoint = char.codePointAt(0) ?? 0;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return codePoint < 0x80 ? `"${revealInvisible(char)}"` : `"${revealInvisible(char)}" (U+${hex})`;
}

/**
 * Parses one `Name: value` per line of the Re-send dialog's headers, trimming both and
 * skipping blank lines. Returns the first line, counted from 1, that the core would reject,
 * with a message that names it and the fix.
 */
export function parseHeaderLines(text: string): HeaderLinesResult {
  const headers: HeaderPair[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const number = index + 1;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).trim() === '') {
      return { ok: false, line: number, message: `Header line ${number} has no "Name: value" form; fix it ${RESTORE}.` };
    }
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();

    const problem = headerProblem(number, name, value) ?? (headers.length === MAX_EDITED_HEADERS ? tooManyHeaders(text) : null);
    if (problem !== null) return { ok: false, line: number, message: problem };
    headers.push([name, value]);
  }
  return { ok: true, headers };
}

function headerProblem(number: number, name: string, value: string): string | null {
  const badName = badHeaderNameChar(name);
  if (badName !== null) {
    return `Header line ${number} has the name "${revealInvisible(name)}" with ${describeChar(badName)} in it, but a header name may contain only ${TOKEN_CHARS_TEXT}. Fix the name ${RESTORE}.`;
  }
  if (name.length > MAX_HEADER_NAME_LENGTH) {
    return `Header line ${number} has a name of ${formatCount(name.length)} characters, but a header name may have at most ${MAX_HEADER_NAME_LENGTH}. Shorten it ${RESTORE}.`;
  }

  const shownName = revealInvisible(name);
  const badValue = badHeaderValueChar(value);
  if (badValue !== null) {
    return `Header line ${number} (${shownName}) has ${describeChar(badValue)} in its value, but a header value may contain only printable ASCII, Latin-1 characters and tabs. Remove or replace that character, ${RESTORE}.`;
  }
  if (value.length > MAX_HEADER_VALUE_LENGTH) {
    return `Header line ${number} (${shownName}) has a value of ${formatCount(value.length)} characters, but a header value may have at most ${formatCount(MAX_HEADER_VALUE_LENGTH)}. Shorten it ${RESTORE}.`;
  }
  return null;
}

function tooManyHeaders(text: string): string {
  const count = text.split('\n').filter((line) => line.trim() !== '').length;
  return `The headers have ${formatCount(count)} lines, but a re-send may have at most ${formatCount(MAX_EDITED_HEADERS)} headers. Remove some ${RESTORE}.`;
}

/** Returns the offsets of a line of `text`, counted from 1, for selecting it in a text area. */
export function lineRange(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next === -1) break;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return { start, end: end === -1 ? text.length : end };
}

/** The Send test dialog's fields that `testFieldProblem` checks, by their names in the dialog's state. */
export type TestField = 'profile' | 'users' | 'metrics' | 'activityTypes' | 'provider' | 'windowStart' | 'windowEnd';

/** Labels of the fields as the dialog shows them. */
export const TEST_FIELD_LABELS: Readonly<Record<TestField, string>> = {
  profile: 'Profile',
  users: 'Users',
  metrics: 'Metrics',
  activityTypes: 'Activity types',
  provider: 'Provider',
  windowStart: 'Window start',
  windowEnd: 'Window end',
};

/** The Send test dialog's values as it sends them: lists split at commas and trimmed, the rest trimmed. */
export interface TestFields {
  profile: string;
  /** Null when the kind is not Spike, whose template the dialog then does not send. */
  spike: { users: string[]; metrics: string[]; activityTypes: string[]; provider: string; windowStart: string; windowEnd: string } | null;
}

/** Returns the first field of the Send test dialog that the core would reject, with a message naming it and the fix, or null. */
export function testFieldProblem(fields: TestFields): { field: TestField; message: string } | null {
  if (fields.profile.length > MAX_PROFILE_NAME_LENGTH) {
    return { field: 'profile', message: `Profile has ${formatCount(fields.profile.length)} characters, but a profile name has at most ${MAX_PROFILE_NAME_LENGTH}. Enter the name of a profile, or leave it empty.` };
  }
  const spike = fields.spike;
  if (spike === null) return null;

  if (spike.users.length === 0) {
    return { field: 'users', message: 'Users is empty. Enter at least one application user id, and separate several with commas.' };
  }
  for (const field of ['users', 'metrics', 'activityTypes'] as const) {
    const problem = listProblem(TEST_FIELD_LABELS[field], spike[field]);
    if (problem !== null) return { field, message: problem };
  }
  if (spike.provider === '') return { field: 'provider', message: 'Provider is empty. Enter a provider slug such as garmin.' };
  if (spike.provider.length > MAX_TEMPLATE_WORD_LENGTH) {
    return { field: 'provider', message: `Provider has ${formatCount(spike.provider.length)} characters, but it may have at most ${MAX_TEMPLATE_WORD_LENGTH}. Enter a provider slug such as garmin.` };
  }
  for (const field of ['windowStart', 'windowEnd'] as const) {
    const length = spike[field].length;
    if (length > MAX_TEMPLATE_TIME_LENGTH) {
      return {
        field,
        message: `${TEST_FIELD_LABELS[field]} has ${formatCount(length)} characters, but a time may have at most ${MAX_TEMPLATE_TIME_LENGTH}. Enter an RFC 3339 time such as 2025-04-15T13:33:55.271331177Z, or leave it empty.`,
      };
    }
  }
  return null;
}

function listProblem(label: string, words: readonly string[]): string | null {
  if (words.length > MAX_TEMPLATE_WORDS) {
    return `${label} lists ${formatCount(words.length)} entries, but a test delivery takes at most ${formatCount(MAX_TEMPLATE_WORDS)}. Remove some.`;
  }
  const long = words.findIndex((word) => word.length > MAX_TEMPLATE_WORD_LENGTH);
  if (long === -1) return null;
  return `Entry ${long + 1} of ${label} has ${formatCount(words[long]?.length ?? 0)} characters, but an entry may have at most ${MAX_TEMPLATE_WORD_LENGTH}. Shorten it.`;
}
