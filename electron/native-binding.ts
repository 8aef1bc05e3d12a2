import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Folder of the Electron build of better-sqlite3's addon, relative to the app's root.
 * scripts/electron-native.js writes it, electron-builder.config.js unpacks it from the asar
 * archive, and node_modules keeps the Node build that the CLI and the tests load.
 */
export const ELECTRON_NATIVE_DIR = join('out', 'native', 'electron');
export const SQLITE_ADDON_FILE = 'better_sqlite3.node';

export interface AppLocation {
  /** `app.getAppPath()`: the project folder in development, `resources/app.asar` when packaged. */
  appPath: string;
  /** `process.resourcesPath`, which contains `app.asar.unpacked` in a packaged app. */
  resourcesPath: string;
  isPackaged: boolean;
}

export type NativeBindingResult = { ok: true; path: string } | { ok: false; code: 'native-module-missing'; message: string };

/** Returns the path of the addon a packaged app or `npm start` loads; native code cannot load from inside an asar archive. */
export function electronAddonPath(location: AppLocation): string {
  if (location.isPackaged) return join(location.resourcesPath, 'app.asar.unpacked', ELECTRON_NATIVE_DIR, SQLITE_ADDON_FILE);
  return join(location.appPath, ELECTRON_NATIVE_DIR, SQLITE_ADDON_FILE);
}

/** Finds the Electron build of the SQLite addon, or returns a message on how to build it. */
export function findNativeBinding(location: AppLocation, exists: (path: string) => boolean = existsSync): NativeBindingResult {
  const path = electronAddonPath(location);
  if (exists(path)) return { ok: true, path };
  const fix = location.isPackaged
    ? 'Reinstall Hooktray; the package is incomplete.'
    : 'Run "node scripts/electron-native.js" once (it downloads Electron\'s headers), or use "npx hooktray ui" instead.';
  return { ok: false, code: 'native-module-missing', message: `The Electron build of the SQLite module is missing at ${path}. ${fix}` };
}
