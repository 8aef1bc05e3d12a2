import type { SettingsDraft } from './settings-draft';

/**
 * Labels of the settings form's fields, by the field path that settings failures name. The
 * form renders these labels, so a message names a field as the user sees it.
 */
export const FIELD_LABELS = {
  'response.status': 'Status',
  'response.delayMs': 'Delay (ms)',
  'response.headers': 'Headers',
  'response.body': 'Body',
  'retention.maxCount': 'Maximum deliveries',
  'retention.maxAgeDays': 'Maximum age (days)',
  subdomain: 'Subdomain',
  tunnelHost: 'Tunnel host',
  'protection.pathToken': 'Path token',
  'protection.rateLimitPerSecond': 'Rate limit per client',
  'notifications.deliveries': 'New deliveries',
  'notifications.invalidSignatures': 'Invalid signatures',
  'notifications.tunnel': 'Tunnel down or subdomain changed',
} as const;

export type FieldPath = keyof typeof FIELD_LABELS;

/** Labels of a profile's fields, which messages follow with "of profile NAME". */
export const PROFILE_FIELD_LABELS = {
  name: 'Name',
  scheme: 'Scheme',
  pathPrefix: 'Path prefix',
  options: 'Options',
  newKey: 'New key',
} as const;

export type ProfileField = keyof typeof PROFILE_FIELD_LABELS;

/** The form field that a failure's field path points at. */
export interface FieldTarget {
  /** The input's name attribute, such as `profiles.1.name`. */
  name: string;
  /** The label as the form shows it, such as "Name of profile gh". */
  label: string;
}

/** Returns the input name of a profile's field, such as `profiles.1.name`. */
export function profileFieldName(index: number, field: ProfileField): string {
  return `profiles.${index}.${field}`;
}

/**
 * Finds the form field of a field path from the form or the core, such as `response.status` or
 * `profiles.1.options.header`. Returns null for a path that names no field, such as `profiles`.
 */
export function fieldTarget(path: string, draft: SettingsDraft): FieldTarget | null {
  const parts = path.split('.');
  if (parts[0] === 'profiles') return profileFieldTarget(parts, draft);

  for (const length of [2, 1]) {
    const name = parts.slice(0, length).join('.');
    if (!Object.hasOwn(FIELD_LABELS, name)) continue;
    const label = FIELD_LABELS[name as FieldPath];
    // A header's path continues with the header name, such as response.headers.X-Test.
    const header = parts.slice(length).join('.');
    return { name, label: header === '' ? label : `${label} (header "${header}")` };
  }
  return null;
}

function profileFieldTarget(parts: string[], draft: SettingsDraft): FieldTarget | null {
  const [, indexText = '', field = ''] = parts;
  const profile = /^[0-9]+$/.test(indexText) ? draft.profiles[Number(indexText)] : undefined;
  if (profile === undefined || !Object.hasOwn(PROFILE_FIELD_LABELS, field)) return null;

  const index = Number(indexText);
  // Messages count profiles from 1, as the form shows them, when a profile has no name yet.
  const profileName = profile.name.trim() === '' ? String(index + 1) : profile.name.trim();
  return { name: profileFieldName(index, field as ProfileField), label: `${PROFILE_FIELD_LABELS[field as ProfileField]} of profile ${profileName}` };
}

/** Returns the text of a failure for the form: the field's label, then the message. */
export function settingsErrorText(target: FieldTarget | null, message: string): string {
  return target === null ? message : `${target.label}: ${message}`;
}
