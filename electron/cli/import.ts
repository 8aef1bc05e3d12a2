import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/app-info';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { ImportErrorCode } from '../core/contract';
import type { Analyze } from '../core/export/import';
import { readImport, storeImport } from '../core/export/import';
import { findProfile, verifyDelivery } from '../core/signatures/verify';
import type { Profile } from '../core/signatures/types';
import type { KeyVault } from '../core/signatures/verify';
import { summarizeSpike } from '../core/spike-summary';
import { UsageError } from './args';
import { openStore } from './stored';

export const IMPORT_USAGE = `Usage: hooktray import PATH [options]

Loads a fixture folder, a .har file or an .ndjson file from hooktray export back into the
store. A delivery whose id is already stored gets a new id.
Exits with 0 after importing, 2 for usage and configuration errors and for a PATH that is
missing or not a Hooktray export, and 1 for any other failure, such as a failed store write.

Options:
  --data-dir DIR   folder of the store (default: ${defaultDataDir()})
  --config FILE    profiles and keys to verify the imported deliveries with
  -h, --help       show this help`;

/**
 * Exit code of each failed import. Every current code is an input error (a missing path or a
 * file that is not an export), so it exits with 2 like a usage error.
 */
const IMPORT_ERROR_EXIT_CODES: Record<ImportErrorCode, 1 | 2> = {
  'not-found': 2,
  'unrecognized-format': 2,
  'invalid-file': 2,
};

/** Runs `hooktray import`; resolves with the exit code. */
export async function runImport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`Expected one PATH to import, got ${positionals.length}; run hooktray import --help.`);
  const path = resolve(positionals[0] as string);
  if (!existsSync(path)) throw new UsageError(`Nothing to import at ${path}: the path does not exist.`);

  const configFile = values.config === undefined ? null : resolve(values.config);
  const config = configFile === null ? parseConfig({}, 'defaults') : loadConfigFile(configFile);
  const vault = resolveKeys(config.keyRefs, configFile);

  // Check every record before opening the store, because opening it creates the folder and
  // the database, and a file that is not an export must leave neither behind.
  const parsed = await readImport({ path });
  if (!parsed.ok) {
    process.stderr.write(`hooktray import: ${parsed.message}\n`);
    return IMPORT_ERROR_EXIT_CODES[parsed.code];
  }

  const store = openStore(values['data-dir'], { create: true });
  try {
    const result = await storeImport(parsed, store, analyzeWith(config.profiles, vault));
    if (!result.ok) {
      process.stderr.write(`hooktray import: ${result.message}\n`);
      return IMPORT_ERROR_EXIT_CODES[result.code];
    }
    for (const warning of result.warnings.slice(0, 20)) process.stderr.write(`hooktray import: ${warning}\n`);
    process.stderr.write(`Imported ${result.imported} deliveries from ${path}; ${result.renamed} got a new id because their id was already stored.\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** Verifies and summarizes imported requests the way the core does for received ones. */
export function analyzeWith(profiles: readonly Profile[], vault: KeyVault): Analyze {
  return (captured) => {
    const verdict = verifyDelivery({ ...captured, publicUrl: null }, profiles, vault, { now: Date.now() });
    const profile = findProfile(profiles, captured.path);
    return { verdict, spike: summarizeSpike(captured.decodedBody ?? captured.body, profile?.scheme !== 'spike') };
  };
}
