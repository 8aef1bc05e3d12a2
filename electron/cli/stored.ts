import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { KeyVault } from '../core/signatures/verify';
import { DeliveryStore } from '../core/store';
import { UsageError } from './args';

/** Delivery ids are ULIDs: 26 characters of Crockford base 32. */
export const DELIVERY_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Opens the store in `dataDir` (the default data folder when undefined) for a command that
 * reads stored deliveries. It may run beside `hooktray listen` on the same folder: SQLite's
 * WAL mode lets both use the database at once.
 */
export function openStore(dataDir: string | undefined): DeliveryStore {
  const folder = resolve(dataDir ?? defaultDataDir());
  if (!existsSync(join(folder, 'hooktray.db'))) {
    throw new UsageError(`No Hooktray store in ${folder}: pass the --data-dir that "hooktray listen" used.`);
  }
  return new DeliveryStore({ dataDir: folder });
}

/** Loads profiles and keys from `--config`, or none when it is absent. */
export function loadSigning(configFile: string | undefined): { config: HooktrayConfig; vault: KeyVault } {
  const file = configFile === undefined ? null : resolve(configFile);
  const config = file === null ? parseConfig({}, 'defaults') : loadConfigFile(file);
  return { config, vault: resolveKeys(config.keyRefs, file) };
}
