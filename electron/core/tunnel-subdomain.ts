import { randomInt } from 'node:crypto';
import { readSettings, settingsPath, writeSettings } from './settings-file';

/** 4 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit: one DNS label. */
const SUBDOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$/;
const GENERATED_PREFIX = 'hooktray-';
const GENERATED_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_LENGTH = 6;

export type SubdomainResult =
  | { ok: true; subdomain: string; generated: boolean }
  | { ok: false; code: 'invalid-subdomain' | 'settings-unreadable'; message: string };

/** Returns null for a valid subdomain, or a message naming the value and the rule it breaks. */
export function checkSubdomain(subdomain: string): string | null {
  if (SUBDOMAIN_PATTERN.test(subdomain)) return null;
  return (
    `Invalid tunnel subdomain "${subdomain}": use 4 to 63 lowercase letters, digits and hyphens, ` +
    `starting and ending with a letter or digit, such as "${GENERATED_PREFIX}abc123".`
  );
}

/** Creates a readable subdomain: `hooktray-` and six random lowercase letters or digits. */
export function generateSubdomain(): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_LENGTH; i++) suffix += GENERATED_ALPHABET[randomInt(GENERATED_ALPHABET.length)];
  return GENERATED_PREFIX + suffix;
}

/**
 * Picks the subdomain to request: the user's choice when given (validated, not saved), else
 * the one saved in the settings file, else a new one that is saved there for every later start.
 */
export function resolveSubdomain(dataDir: string, requested: string | undefined): SubdomainResult {
  if (requested !== undefined) {
    const problem = checkSubdomain(requested);
    if (problem !== null) return { ok: false, code: 'invalid-subdomain', message: problem };
    return { ok: true, subdomain: requested, generated: false };
  }

  const read = readSettings(dataDir);
  // A damaged file is reported, not overwritten, because it contains the URL the user pasted into providers.
  if (!read.ok) return { ok: false, code: 'settings-unreadable', message: read.message };

  const saved = read.settings.subdomain;
  if (typeof saved === 'string') {
    const problem = checkSubdomain(saved);
    if (problem !== null) {
      return { ok: false, code: 'invalid-subdomain', message: `${problem} It is the "subdomain" in ${settingsPath(dataDir)}; fix it or remove the field.` };
    }
    return { ok: true, subdomain: saved, generated: false };
  }

  const subdomain = generateSubdomain();
  writeSettings(dataDir, { ...read.settings, subdomain });
  return { ok: true, subdomain, generated: true };
}

/** Replaces the first label of a URL's host, such as `https://old.loca.lt` to `https://new.loca.lt`. */
export function urlWithSubdomain(url: string, subdomain: string): string {
  const parsed = new URL(url);
  const labels = parsed.hostname.split('.');
  labels[0] = subdomain;
  parsed.hostname = labels.join('.');
  return parsed.origin;
}
