import type { NewProfileKey, NotificationSettings, ProfileRename, ProfileSettings, Settings, SettingsFieldError } from '../../../electron/core/contract';
import { fieldTarget, settingsErrorText } from './settings-fields';

/** One profile as the form edits it: options as JSON text. */
export interface ProfileDraft {
  /** The name the profile is saved under, which its keys belong to, or null for a profile added in the form. */
  savedName: string | null;
  name: string;
  scheme: string;
  pathPrefix: string;
  optionsText: string;
  /** Key typed in the profile's key field and not yet added, kept in memory only; '' when none. */
  newKey: string;
}

/** The settings form's fields, as text the user types. */
export interface SettingsDraft {
  profiles: ProfileDraft[];
  status: string;
  /** Response headers, one `Name: value` per line. */
  headersText: string;
  body: string;
  delayMs: string;
  maxCount: string;
  maxAgeDays: string;
  subdomain: string;
  tunnelHost: string;
  notifications: NotificationSettings;
  pathToken: string;
  rateLimitPerSecond: string;
}

export function toDraft(settings: Settings): SettingsDraft {
  return {
    profiles: settings.profiles.map((profile) => ({
      savedName: profile.name,
      name: profile.name,
      scheme: profile.scheme,
      pathPrefix: profile.pathPrefix,
      optionsText: JSON.stringify(profile.options),
      newKey: '',
    })),
    status: String(settings.response.status),
    headersText: Object.entries(settings.response.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
    body: settings.response.body,
    delayMs: String(settings.response.delayMs),
    maxCount: String(settings.retention.maxCount),
    maxAgeDays: String(settings.retention.maxAgeDays),
    subdomain: settings.subdomain ?? '',
    tunnelHost: settings.tunnelHost ?? '',
    notifications: { ...settings.notifications },
    pathToken: settings.protection.pathToken ?? '',
    rateLimitPerSecond: String(settings.protection.rateLimitPerSecond),
  };
}

/**
 * Returns a profile's key count from `SettingsView.keyCounts`, or 0 when it has none. Only own
 * properties count, because a profile name such as "__proto__" or "constructor" would
 * otherwise read a member of Object.prototype.
 */
export function keyCountOf(keyCounts: Readonly<Record<string, number>>, profile: string): number {
  return Object.hasOwn(keyCounts, profile) ? (keyCounts[profile] ?? 0) : 0;
}

/**
 * The settings to save, the saved profiles they rename and the keys typed but not added, or every
 * problem found in the form, in the order the form shows the fields. `field` and `message` repeat
 * the first of `errors`.
 */
export type DraftResult =
  | { ok: true; settings: Settings; profileRenames: ProfileRename[]; newKeys: NewProfileKey[] }
  | { ok: false; field: string; message: string; errors: SettingsFieldError[] };

/** Decimal digits only, so "0x1F4", "1e3", "-1" and "2.5" are invalid where Number() would convert them. */
const WHOLE_NUMBER = /^[0-9]+$/;
/** Decimal digits with an optional fraction, such as 0.5, for a number of days. */
const DECIMAL_NUMBER = /^[0-9]+(?:\.[0-9]+)?$/;

/**
 * Parses a number field as typed, or returns its problem. The core checks the range, so a
 * number that is too large or too small still goes to it, which names the allowed range.
 */
function parseNumber(text: string, field: string, example: string, fraction = false): number | SettingsFieldError {
  const trimmed = text.trim();
  const kind = fraction ? 'number' : 'whole number';
  if (trimmed === '') return { field, message: `Enter a ${kind}, such as ${example}.` };
  if (!(fraction ? DECIMAL_NUMBER : WHOLE_NUMBER).test(trimmed)) {
    return { field, message: `"${text}" is not a ${kind}. Enter ${fraction ? 'digits with an optional decimal point' : 'digits only'}, such as ${example}.` };
  }
  return Number(trimmed);
}

function parseProfile(draft: ProfileDraft, index: number): ProfileSettings | SettingsFieldError {
  let options: unknown;
  try {
    options = draft.optionsText.trim() === '' ? {} : JSON.parse(draft.optionsText);
  } catch (error) {
    return { field: `profiles.${index}.options`, message: `The text is not valid JSON (${(error as Error).message}). Enter an object such as {}.` };
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return { field: `profiles.${index}.options`, message: 'Enter a JSON object such as {}.' };
  }
  return { name: draft.name.trim(), scheme: draft.scheme, pathPrefix: draft.pathPrefix.trim(), options: options as Record<string, unknown> };
}

/** Parses the header lines, and adds a problem to `errors` for each line that is not `Name: value`. */
function parseHeaders(text: string, errors: SettingsFieldError[]): Record<string, string> {
  const headers = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      errors.push({ field: 'response.headers', message: `Line ${index + 1} "${line}" is not in the form "Name: value". Write one header per line.` });
      continue;
    }
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  // Object.fromEntries defines own properties, so a header named "__proto__" stays a header.
  // Assigning it to a plain object would set the object's prototype instead.
  return Object.fromEntries(headers);
}

/**
 * Converts the form to settings, with failures that name a field path such as `response.status`.
 * It parses what was typed and reports every field it cannot parse, and the core checks the
 * values, such as a status from 100 to 599.
 * The key typed for the profile at index `replaceKeysOf` replaces that profile's keys, and
 * other typed keys are added.
 */
export function fromDraft(draft: SettingsDraft, replaceKeysOf: number | null = null): DraftResult {
  const errors: SettingsFieldError[] = [];
  // A number field that fails to parse reads as NaN, which never reaches the settings, because
  // its problem in `errors` makes the draft fail.
  const number = (text: string, field: string, example: string, fraction = false): number => {
    const parsed = parseNumber(text, field, example, fraction);
    if (typeof parsed === 'number') return parsed;
    errors.push(parsed);
    return Number.NaN;
  };

  const profiles: ProfileSettings[] = [];
  const profileRenames: ProfileRename[] = [];
  const newKeys: NewProfileKey[] = [];
  for (const [index, profileDraft] of draft.profiles.entries()) {
    const profile = parseProfile(profileDraft, index);
    if ('message' in profile) {
      errors.push(profile);
      continue;
    }
    profiles.push(profile);
    if (profileDraft.savedName !== null && profileDraft.savedName !== profile.name) profileRenames.push({ from: profileDraft.savedName, to: profile.name });
    // Saving adds a key typed but not added, so the key is not lost. The core checks it with the profile's new scheme and options.
    if (profileDraft.savedName !== null && profileDraft.newKey.trim() !== '') {
      newKeys.push({ profile: profile.name, key: profileDraft.newKey, ...(index === replaceKeysOf ? { mode: 'replace' as const } : {}) });
    }
  }

  // The fields are parsed in the order the form shows them, so the first problem is at the first field marked.
  const status = number(draft.status, 'response.status', '200');
  const delayMs = number(draft.delayMs, 'response.delayMs', '0');
  const headers = parseHeaders(draft.headersText, errors);
  const maxCount = number(draft.maxCount, 'retention.maxCount', '50000');
  const maxAgeDays = number(draft.maxAgeDays, 'retention.maxAgeDays', '30', true);
  const rateLimitPerSecond = number(draft.rateLimitPerSecond, 'protection.rateLimitPerSecond', '10');

  const [first] = errors;
  if (first !== undefined) return { ok: false, field: first.field, message: first.message, errors };
  return {
    ok: true,
    profileRenames,
    newKeys,
    settings: {
      profiles,
      response: { status, headers, body: draft.body, delayMs },
      retention: { maxCount, maxAgeDays },
      subdomain: draft.subdomain.trim() === '' ? null : draft.subdomain.trim(),
      tunnelHost: draft.tunnelHost.trim() === '' ? null : draft.tunnelHost.trim(),
      notifications: { ...draft.notifications },
      protection: { pathToken: draft.pathToken.trim() === '' ? null : draft.pathToken.trim(), rateLimitPerSecond },
    },
  };
}

/** An invalid field of the settings form, with its label and the error text shown at it. */
export interface FieldErrorText {
  /** The input's name attribute, such as `response.status`. */
  name: string;
  label: string;
  text: string;
}

/** Failures of a save, as the settings form shows them. */
export interface FailureReport {
  /** Each invalid field once, in the order of its first failure. */
  fields: FieldErrorText[];
  /**
   * Text for above the form: how many fields need fixing when more than one does, and failures
   * whose path names no field of the form, such as `profiles`. Null when neither applies.
   */
  summary: string | null;
}

/**
 * Groups failures from the form or the core by the form field they name. The failures of one
 * field, such as two header lines, share its text, each after the field's label.
 */
export function failureReport(errors: readonly SettingsFieldError[], draft: SettingsDraft): FailureReport {
  const fields = new Map<string, FieldErrorText>();
  const withoutField: string[] = [];
  for (const error of errors) {
    const target = fieldTarget(error.field, draft);
    const text = settingsErrorText(target, error.message);
    if (target === null) {
      withoutField.push(text);
      continue;
    }
    const field = fields.get(target.name);
    if (field === undefined) fields.set(target.name, { name: target.name, label: target.label, text });
    else field.text = `${field.text} ${text}`;
  }

  const invalid = [...fields.values()];
  const parts = invalid.length > 1 ? [`${invalid.length} fields need fixing: ${invalid.map((field) => field.label).join(', ')}. Nothing was saved.`] : [];
  parts.push(...withoutField);
  return { fields: invalid, summary: parts.length === 0 ? null : parts.join(' ') };
}
