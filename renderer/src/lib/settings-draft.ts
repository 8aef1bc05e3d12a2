import type { NewProfileKey, NotificationSettings, ProfileRename, ProfileSettings, Settings } from '../../../electron/core/contract';

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

/** The settings to save, the saved profiles they rename and the keys typed but not added, or the first field that is invalid. */
export type DraftResult =
  | { ok: true; settings: Settings; profileRenames: ProfileRename[]; newKeys: NewProfileKey[] }
  | { ok: false; field: string; message: string };

/** Decimal digits only, so "0x1F4", "1e3", "-1" and "2.5" are invalid where Number() would convert them. */
const WHOLE_NUMBER = /^[0-9]+$/;
/** Decimal digits with an optional fraction, such as 0.5, for a number of days. */
const DECIMAL_NUMBER = /^[0-9]+(?:\.[0-9]+)?$/;

/**
 * Parses a number field as typed, or returns its problem. The core checks the range, so a
 * number that is too large or too small still goes to it, which names the allowed range.
 */
function parseNumber(text: string, field: string, example: string, fraction = false): number | { field: string; message: string } {
  const trimmed = text.trim();
  const kind = fraction ? 'number' : 'whole number';
  if (trimmed === '') return { field, message: `Enter a ${kind}, such as ${example}.` };
  if (!(fraction ? DECIMAL_NUMBER : WHOLE_NUMBER).test(trimmed)) {
    return { field, message: `"${text}" is not a ${kind}. Enter ${fraction ? 'digits with an optional decimal point' : 'digits only'}, such as ${example}.` };
  }
  return Number(trimmed);
}

function parseProfile(draft: ProfileDraft, index: number): ProfileSettings | { field: string; message: string } {
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

function parseHeaders(text: string): { ok: true; headers: Record<string, string> } | { ok: false; field: string; message: string } {
  const headers = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, field: 'response.headers', message: `Line ${index + 1} "${line}" is not in the form "Name: value". Write one header per line.` };
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  // Object.fromEntries defines own properties, so a header named "__proto__" stays a header.
  // Assigning it to a plain object would set the object's prototype instead.
  return { ok: true, headers: Object.fromEntries(headers) };
}

/**
 * Converts the form to settings, with failures that name a field path such as `response.status`.
 * It parses what was typed, and the core checks the values, such as a status from 100 to 599.
 * The key typed for the profile at index `replaceKeysOf` replaces that profile's keys, and
 * other typed keys are added.
 */
export function fromDraft(draft: SettingsDraft, replaceKeysOf: number | null = null): DraftResult {
  const profiles: ProfileSettings[] = [];
  const profileRenames: ProfileRename[] = [];
  const newKeys: NewProfileKey[] = [];
  for (const [index, profileDraft] of draft.profiles.entries()) {
    const profile = parseProfile(profileDraft, index);
    if ('message' in profile) return { ok: false, ...profile };
    profiles.push(profile);
    if (profileDraft.savedName !== null && profileDraft.savedName !== profile.name) profileRenames.push({ from: profileDraft.savedName, to: profile.name });
    // Saving adds a key typed but not added, so the key is not lost. The core checks it with the profile's new scheme and options.
    if (profileDraft.savedName !== null && profileDraft.newKey.trim() !== '') {
      newKeys.push({ profile: profile.name, key: profileDraft.newKey, ...(index === replaceKeysOf ? { mode: 'replace' as const } : {}) });
    }
  }
  const headers = parseHeaders(draft.headersText);
  if (!headers.ok) return headers;

  const numbers = {
    status: parseNumber(draft.status, 'response.status', '200'),
    delayMs: parseNumber(draft.delayMs, 'response.delayMs', '0'),
    maxCount: parseNumber(draft.maxCount, 'retention.maxCount', '50000'),
    maxAgeDays: parseNumber(draft.maxAgeDays, 'retention.maxAgeDays', '30', true),
    rateLimitPerSecond: parseNumber(draft.rateLimitPerSecond, 'protection.rateLimitPerSecond', '10'),
  };
  for (const value of Object.values(numbers)) {
    if (typeof value !== 'number') return { ok: false, ...value };
  }
  const [status, delayMs, maxCount, maxAgeDays, rateLimitPerSecond] = [
    numbers.status,
    numbers.delayMs,
    numbers.maxCount,
    numbers.maxAgeDays,
    numbers.rateLimitPerSecond,
  ] as number[];

  return {
    ok: true,
    profileRenames,
    newKeys,
    settings: {
      profiles,
      response: { status: status as number, headers: headers.headers, body: draft.body, delayMs: delayMs as number },
      retention: { maxCount: maxCount as number, maxAgeDays: maxAgeDays as number },
      subdomain: draft.subdomain.trim() === '' ? null : draft.subdomain.trim(),
      tunnelHost: draft.tunnelHost.trim() === '' ? null : draft.tunnelHost.trim(),
      notifications: { ...draft.notifications },
      protection: { pathToken: draft.pathToken.trim() === '' ? null : draft.pathToken.trim(), rateLimitPerSecond: rateLimitPerSecond as number },
    },
  };
}
