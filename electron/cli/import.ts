import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { defaultDataDir } from '../core/app-info';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { ImportErrorCode } from '../core/contract';
import type { Analyze } from '../core/export/import';
import { readImport, storeImport } from '../core/export/import';
import { notStoredVerdict } from '../core/ingest';
import { findProfile, verifyDelivery } from '../core/signatures/verify';
import type { Profile } from '../core/signatures/types';
import type { KeyVault } from '../core/signatures/verify';
import { summarizeSpike } from '../core/spike-summary';
import { parseCommandArgs, UsageError } from './args';
import { dataDirOption, explainStoreDamage, openStore } from './stored';

export const IMPORT_USAGE = `Usage: hooktray import PATH [options]

Loads a fixture folder, a .har file or an .ndjson file from hooktray export back into the
store. A single file with another name is read as NDJSON when it starts with a fixture
record. A delivery whose id is already stored or is not a ULID gets a new id.
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
  const { values, positionals } = parseCommandArgs('import', {
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
  const keys = config.profiles.flatMap((profile) => [...vault.keysFor(profile.name)]);

  const interrupt = new Interrupt();
  const stopListening = interrupt.listen();
  try {
    return await importPath(path, dataDirOption(values['data-dir']), analyzeWith(config.profiles, vault), keys, interrupt);
  } finally {
    stopListening();
  }
}

/**
 * Checks every record of the import, then stores them, with progress lines on stderr. Messages
 * leave out values from the files that contain part of one of `keys`.
 */
async function importPath(path: string, dataDir: string | undefined, analyze: Analyze, keys: readonly string[], interrupt: Interrupt): Promise<number> {
  // Check every record before opening the store, because opening it creates the folder and
  // the database, and a file that is not an export must leave neither behind.
  const checking = new ProgressLine(false);
  let parsed: Awaited<ReturnType<typeof readImport>>;
  try {
    parsed = await readImport({ path }, { keys, signal: interrupt.controller.signal, onChecked: (checked) => checking.update(`Checked ${checked} deliveries in ${path}…`) });
  } catch (error) {
    if (interrupt.signal === null) throw error;
    process.stderr.write(`hooktray import: interrupted by ${interrupt.signal} while checking ${path}; nothing was imported.\n`);
    return interrupt.exitCode();
  }
  if (!parsed.ok) {
    process.stderr.write(`hooktray import: ${parsed.message}\n`);
    return IMPORT_ERROR_EXIT_CODES[parsed.code];
  }

  const store = openStore(dataDir, { create: true });
  const storing = new ProgressLine(true);
  const onProgress = (done: number, total: number): void => {
    interrupt.stored = done;
    if (done < total) storing.update(`Imported ${done} of ${total} deliveries…`);
  };
  try {
    const result = await storeImport(parsed, store, analyze, { keys, signal: interrupt.controller.signal, onProgress });
    if (!result.ok) {
      process.stderr.write(`hooktray import: ${result.message}\n`);
      return IMPORT_ERROR_EXIT_CODES[result.code];
    }
    for (const warning of result.warnings.slice(0, 20)) process.stderr.write(`hooktray import: ${warning}\n`);
    if (interrupt.signal !== null && result.imported < parsed.count) {
      const rest = parsed.count - result.imported;
      process.stderr.write(
        `hooktray import: interrupted by ${interrupt.signal}; stored ${result.imported} of ${parsed.count} deliveries from ${path}, and the other ${rest} were not imported. ` +
          'Importing the same path again stores the first ones a second time, under new ids.\n',
      );
      return interrupt.exitCode();
    }
    process.stderr.write(`Imported ${result.imported} ${result.imported === 1 ? 'delivery' : 'deliveries'} from ${path}${newIdNote(result.renamed, result.invalidIds)}\n`);
    return 0;
  } catch (error) {
    throw explainStoreDamage(error, store);
  } finally {
    store.close();
  }
}

/** Returns the end of the summary line: why deliveries got a new id, with a count for each reason. */
function newIdNote(renamed: number, invalidIds: number): string {
  const notes: string[] = [];
  if (renamed > 0) notes.push(`${renamed} got a new id because ${renamed === 1 ? 'its id was' : 'their ids were'} already stored`);
  if (invalidIds > 0) notes.push(`${invalidIds} got a new id because ${invalidIds === 1 ? 'its exported id is' : 'their exported ids are'} not a valid ULID`);
  return notes.length === 0 ? '.' : `; ${notes.join(', and ')}.`;
}

/** Minimum time between two progress lines, so a fast import prints few of them. */
const PROGRESS_INTERVAL_MS = 1000;

/** Prints a progress line on stderr at most once per PROGRESS_INTERVAL_MS. */
class ProgressLine {
  private last: number;

  /** With `printFirst`, the first update prints at once; otherwise the first prints after one interval. */
  constructor(printFirst: boolean) {
    this.last = printFirst ? -Infinity : Date.now();
  }

  update(line: string): void {
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    process.stderr.write(`${line}\n`);
  }
}

/**
 * Handles SIGINT and SIGTERM during an import. The first stops the import before its next
 * batch, and the batches already committed stay stored. A second exits at once.
 */
class Interrupt {
  readonly controller = new AbortController();
  signal: NodeJS.Signals | null = null;
  /** Deliveries committed so far, for the message of a second signal. */
  stored = 0;

  /** Handles SIGINT and SIGTERM until the returned function is called. */
  listen(): () => void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.signal === null) {
        this.signal = signal;
        this.controller.abort(new Error(`interrupted by ${signal}`));
        return;
      }
      process.stderr.write(`hooktray import: stopped at once by a second ${signal}; ${this.stored} or more deliveries were stored before it.\n`);
      process.exit(this.exitCode());
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  /** Returns 128 plus the signal number, the shell's exit code for a process stopped by a signal. */
  exitCode(): number {
    return 128 + (this.signal === null ? 0 : (constants.signals[this.signal] ?? 0));
  }
}

/** Verifies and summarizes imported requests the way the core does for received ones. */
export function analyzeWith(profiles: readonly Profile[], vault: KeyVault): Analyze {
  return (captured) => {
    if (captured.truncated) return { verdict: notStoredVerdict(profiles, captured.path, captured.truncatedReason), spike: null };
    const verdict = verifyDelivery({ ...captured, publicUrl: null }, profiles, vault, { now: Date.now() });
    const profile = findProfile(profiles, captured.path);
    return { verdict, spike: summarizeSpike(captured.decodedBody ?? captured.body, profile?.scheme !== 'spike') };
  };
}
