import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SETTINGS_FILE_NAME = 'settings.json';

/**
 * Per-install settings kept in the data directory. Keys this version does not know are
 * kept as they are, so an older and a newer Hooktray can share one data directory.
 */
export interface Settings {
  /** Subdomain generated once per install and requested on every tunnel start. */
  tunnelSubdomain?: string;
  [key: string]: unknown;
}

export type SettingsReadResult =
  | { ok: true; settings: Settings }
  | { ok: false; code: 'settings-unreadable' | 'settings-invalid'; message: string };

export function settingsPath(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE_NAME);
}

/** Reads the settings file; a missing file is an empty object, not an error. */
export function readSettings(dataDir: string): SettingsReadResult {
  const file = settingsPath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, settings: {} };
    return { ok: false, code: 'settings-unreadable', message: `Cannot read the settings file ${file}: ${code ?? String(error)}; check its permissions.` };
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'settings-invalid', message: `The settings file ${file} is not valid JSON (${(error as Error).message}); fix it or delete it to start from defaults.` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'settings-invalid', message: `The settings file ${file} does not contain a JSON object; fix it or delete it to start from defaults.` };
  }
  return { ok: true, settings: json as Settings };
}

/**
 * Writes the settings atomically: a temporary file in the same folder, then a rename, so a
 * crash or power cut leaves either the old file or the new one, never half of it.
 */
export function writeSettings(dataDir: string, settings: Settings): void {
  mkdirSync(dataDir, { recursive: true });
  const file = settingsPath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  const descriptor = openSync(temporary, 'w', 0o600);
  try {
    writeSync(descriptor, `${JSON.stringify(settings, null, 2)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
}
