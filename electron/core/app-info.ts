import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const APP_NAME = 'Hooktray';

/** Reads the version from the package.json above this file, in source and in every build. */
export function appVersion(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hooktray' && pkg.version !== undefined) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/**
 * The platform's app-data folder for Hooktray, the same one Electron's `userData` path
 * names, so the CLI and the app open the same store by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}
