import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { makeDirSync } from './make-dir';

export const SETTINGS_FILE_NAME = 'settings.json';
/** Format version of `settings.json`, which stores `{"version": 1, "settings": {...}}`. */
export const SETTINGS_FILE_VERSION = 1;

/**
 * Per-install settings kept in the data directory, as read, without validation: `settings.ts`
 * checks every field before the app uses them.
 */
export interface Settings {
  /** Tunnel subdomain: chosen by the user, or generated once per install; null or absent until then. */
  subdomain?: string | null;
  [key: string]: unknown;
}

export type SettingsReadResult =
  | { ok: true; settings: Settings }
  | { ok: false; code: 'settings-unreadable' | 'settings-invalid'; message: string };

export function settingsPath(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE_NAME);
}

/** Reads the settings in the data directory; a missing file gives an empty object, not an error. */
export function readSettings(dataDir: string): SettingsReadResult {
  return readSettingsFile(settingsPath(dataDir));
}

/** Reads a settings file; a missing file gives an empty object, not an error. */
export function readSettingsFile(file: string): SettingsReadResult {
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
  const wrapper = json as { version?: unknown; settings?: unknown } | null;
  const inner = wrapper?.settings;
  if (typeof wrapper !== 'object' || wrapper === null || wrapper.version !== SETTINGS_FILE_VERSION || typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    return {
      ok: false,
      code: 'settings-invalid',
      message: `The settings file ${file} is not {"version": ${SETTINGS_FILE_VERSION}, "settings": {...}}; fix it or delete it to start from defaults.`,
    };
  }
  return { ok: true, settings: inner as Settings };
}

/**
 * Writes the settings atomically: a temporary file in the same folder, then a rename, so a
 * crash or power cut leaves either the old file or the new one, never half of it.
 */
export function writeSettings(dataDir: string, settings: Settings): void {
  writeSettingsFile(settingsPath(dataDir), settings);
}

/** Writes a settings file atomically, as `writeSettings` does. */
export function writeSettingsFile(file: string, settings: object): void {
  makeDirSync(dirname(file));
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const descriptor = openSync(temporary, 'w', 0o600);
  try {
    writeSync(descriptor, `${JSON.stringify({ version: SETTINGS_FILE_VERSION, settings }, null, 2)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
}
