import type { NotificationSettings, ProfileRename, ProfileSettings, Settings } from '../../../electron/core/contract';

/** One profile as the form edits it: options as JSON text. */
export interface ProfileDraft {
  /** The name the profile is saved under, which its keys belong to, or null for a profile added in the form. */
  savedName: string | null;
  name: string;
  scheme: string;
  pathPrefix: string;
  optionsText: string;
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

/** The settings to save and the saved profiles they rename, or the first field that is invalid. */
export type DraftResult = { ok: true; settings: Settings; profileRenames: ProfileRename[] } | { ok: false; field: string; message: string };

function parseNumber(text: string, field: string, label: string): number | { field: string; message: string } {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return { field, message: `${label} "${text}" is not a number: enter digits only.` };
  return value;
}

function parseProfile(draft: ProfileDraft, index: number): ProfileSettings | { field: string; message: string } {
  let options: unknown;
  try {
    options = draft.optionsText.trim() === '' ? {} : JSON.parse(draft.optionsText);
  } catch (error) {
    return { field: `profiles.${index}.options`, message: `The options of profile "${draft.name}" are not valid JSON (${(error as Error).message}): enter an object such as {}.` };
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return { field: `profiles.${index}.options`, message: `The options of profile "${draft.name}" must be a JSON object such as {}.` };
  }
  return { name: draft.name.trim(), scheme: draft.scheme, pathPrefix: draft.pathPrefix.trim(), options: options as Record<string, unknown> };
}

function parseHeaders(text: string): { ok: true; headers: Record<string, string> } | { ok: false; field: string; message: string } {
  const headers = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, field: 'response.headers', message: `Response header line ${index + 1} "${line}" has no "Name: value" form.` };
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  // Object.fromEntries defines own properties, so a header named "__proto__" stays a header.
  // Assigning it to a plain object would set the object's prototype instead.
  return { ok: true, headers: Object.fromEntries(headers) };
}

/** Converts the form to settings; the bridge and the core check the values again. */
export function fromDraft(draft: SettingsDraft): DraftResult {
  const profiles: ProfileSettings[] = [];
  const profileRenames: ProfileRename[] = [];
  for (const [index, profileDraft] of draft.profiles.entries()) {
    const profile = parseProfile(profileDraft, index);
    if ('message' in profile) return { ok: false, ...profile };
    profiles.push(profile);
    if (profileDraft.savedName !== null && profileDraft.savedName !== profile.name) profileRenames.push({ from: profileDraft.savedName, to: profile.name });
  }
  const headers = parseHeaders(draft.headersText);
  if (!headers.ok) return headers;

  const numbers = {
    status: parseNumber(draft.status, 'response.status', 'Status'),
    delayMs: parseNumber(draft.delayMs, 'response.delayMs', 'Delay'),
    maxCount: parseNumber(draft.maxCount, 'retention.maxCount', 'Maximum count'),
    maxAgeDays: parseNumber(draft.maxAgeDays, 'retention.maxAgeDays', 'Maximum age'),
    rateLimitPerSecond: parseNumber(draft.rateLimitPerSecond, 'protection.rateLimitPerSecond', 'Rate limit'),
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
