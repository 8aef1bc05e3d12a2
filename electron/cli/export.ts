import { constants } from 'node:os';
import { resolve } from 'node:path';
import { appVersion, defaultDataDir } from '../core/app-info';
import { loadConfigFile, resolveKeys } from '../core/config';
import type { ExportedFile, ExportFormat, ExportProgress, ExportRequest, SignatureHandling, VerdictStatus } from '../core/contract';
import { EXPORT_FORMATS, VERDICT_STATUSES } from '../core/contract';
import type { Destination } from '../core/export/destination';
import { chooseDestination, destinationConflict } from '../core/export/destination';
import { DEFAULT_REDACTED_HEADERS } from '../core/export/prepare';
import { TEST_KEY_ENV } from '../core/export/resign';
import type { SkipAdvice } from '../core/export/skip-summary';
import { describeSkipReasons, skipAdvice } from '../core/export/skip-summary';
import type { ExportSink } from '../core/export/sinks';
import type { StagedSink } from '../core/export/staged-output';
import { removeStaleStaging, StagedFileSink, StagedFolderSink } from '../core/export/staged-output';
import type { Profile } from '../core/signatures/types';
import { rfc3339Problem, rfc3339ToNanos } from '../core/spike-summary';
import type { DeliveryStore } from '../core/store';
import { DEFAULT_BASE_URL, exportDeliveries, HAR_FILE, NDJSON_FILE } from '../core/fixtures';
import { parseCommandArgs, UsageError } from './args';
import { dataDirOption, explainStoreDamage, openStore, parseDeliveryId } from './stored';

export const EXPORT_USAGE = `Usage: hooktray export [options] [IDS...]

Exports stored deliveries (the listed ids, or all that match the filters, oldest first).

Options:
  --format F               fixture (default), har, curl, ndjson or snippet
  --language L             for snippet: an httpsnippet target, optionally with a client,
                           such as python, go or node:fetch (default node:fetch)
  --out DIR|FILE           folder for fixture, curl and snippet (default ./hooktray-export);
                           file for har and ndjson, or a folder to write deliveries.har or
                           deliveries.ndjson into (default: stdout)
  --force                  replace an existing har or ndjson file, or write into a folder
                           that holds an earlier export, replacing its files of the same
                           name; other files in the folder stay. A symbolic link, named
                           pipe or device at --out is never replaced or written through
  --path PREFIX            only deliveries whose path starts with PREFIX
  --from TIME, --to TIME   only deliveries received at or after --from and before --to,
                           as RFC 3339 times such as 2025-04-15T13:33:55Z
  --verdict S              only deliveries with this verdict status; repeat for several
  --redact NAME            also replace this header's value with [redacted]; repeat for
                           several (Authorization, Proxy-Authorization and Cookie are
                           always redacted)
  --keep-signatures        write signature headers as received (default)
  --replace-signatures     replace signature header values with [redacted]
  --resign-with-test-key   sign again with the public test key (${TEST_KEY_ENV} or the
                           documented default), keeping the provider's timestamps
  --base-url URL           where cURL scripts, snippets and HAR entries send to
                           (default ${DEFAULT_BASE_URL})
  --config FILE            configuration whose keys no exported file may contain
  --data-dir DIR           folder of the store (default: ${defaultDataDir()})
  -h, --help               show this help

The files appear at --out only once the export is complete: a failed export, or one
stopped with Ctrl-C, removes what it wrote and leaves --out as it was.
HAR keeps bodies that are not valid UTF-8 as base64 text with postData.encoding "base64".
Snippets need UTF-8 bodies and headers that the language sends as received: languages
other than node:fetch and javascript:fetch keep one header per name. Other deliveries
are skipped with a message.`;

interface ExportCliOptions {
  request: ExportRequest;
  out: string | null;
  force: boolean;
  dataDir: string;
  configFile: string | null;
}

/** Warnings and skip messages printed before the rest are only counted. */
const MAX_NOTES = 20;

/** Advice for skipped deliveries in this command's words, which name its options. */
const CLI_SKIP_ADVICE: SkipAdvice = {
  'binary-body': 'Export those with --format curl or --format fixture, which keep the body bytes.',
  'snippet-failed': 'Export those with --format curl or --format fixture, which keep every header, or with another --language.',
};

/** Folder that fixture, cURL and snippet exports write into without --out. */
const DEFAULT_FOLDER = 'hooktray-export';

export function parseExportArgs(argv: string[]): ExportCliOptions | 'help' {
  const { values, positionals } = parseCommandArgs('export', {
    args: argv,
    options: {
      format: { type: 'string', default: 'fixture' },
      language: { type: 'string' },
      out: { type: 'string' },
      path: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      verdict: { type: 'string', multiple: true },
      redact: { type: 'string', multiple: true },
      'keep-signatures': { type: 'boolean', default: false },
      'replace-signatures': { type: 'boolean', default: false },
      'resign-with-test-key': { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';

  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`Invalid --format "${values.format}": use one of ${EXPORT_FORMATS.join(', ')}.`);
  if (values.language !== undefined && format !== 'snippet') throw new UsageError('--language applies to --format snippet only; add --format snippet or drop --language.');

  const request: ExportRequest = {
    format,
    signatures: signatureHandling(values['keep-signatures'], values['replace-signatures'], values['resign-with-test-key']),
    redactHeaders: [...DEFAULT_REDACTED_HEADERS, ...(values.redact ?? [])],
    baseUrl: parseBaseUrl(values['base-url']),
    ...(positionals.length > 0 ? { ids: positionals.map((text) => parseDeliveryId(text) ?? text) } : {}),
    ...(values.language === undefined ? {} : { language: values.language }),
    ...(values.path === undefined ? {} : { pathPrefix: values.path }),
    ...(values.from === undefined ? {} : { from: parseTime('--from', values.from) }),
    ...(values.to === undefined ? {} : { to: parseTime('--to', values.to) }),
    ...(values.verdict === undefined ? {} : { verdicts: values.verdict.map(parseVerdict) }),
  };
  return {
    request,
    out: values.out === undefined ? null : resolve(values.out),
    force: values.force,
    dataDir: dataDirOption(values['data-dir']),
    configFile: values.config === undefined ? null : resolve(values.config),
  };
}

function signatureHandling(keep: boolean, replace: boolean, resign: boolean): SignatureHandling {
  if ([keep, replace, resign].filter(Boolean).length > 1) {
    throw new UsageError('Choose one of --keep-signatures, --replace-signatures and --resign-with-test-key.');
  }
  if (replace) return 'redact';
  return resign ? 'resign' : 'keep';
}

/**
 * Reads an RFC 3339 time into the store's millisecond form, rounded up so that a fraction
 * finer than a millisecond keeps "at or after --from" and "before --to" exact.
 */
function parseTime(option: string, text: string): string {
  const problem = rfc3339Problem(text);
  const nanos = problem === null ? rfc3339ToNanos(text) : null;
  if (nanos === null) {
    throw new UsageError(`Invalid ${option} "${text}": ${problem ?? 'it is not a valid time'}. Use an RFC 3339 time such as 2025-04-15T13:33:55Z.`);
  }
  // BigInt division truncates toward zero, which rounds a negative value up already.
  const millis = nanos > 0n ? (nanos + 999_999n) / 1_000_000n : nanos / 1_000_000n;
  return new Date(Number(millis)).toISOString();
}

function parseVerdict(text: string): VerdictStatus {
  if (!(VERDICT_STATUSES as readonly string[]).includes(text)) {
    throw new UsageError(`Invalid --verdict "${text}": use one of ${VERDICT_STATUSES.join(', ')}.`);
  }
  return text as VerdictStatus;
}

function parseBaseUrl(text: string | undefined): string {
  if (text === undefined) return DEFAULT_BASE_URL;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text.replace(/\/+$/, '');
  } catch {
    // Reported below with the expected form.
  }
  throw new UsageError(`Invalid --base-url "${text}": use an http or https URL such as ${DEFAULT_BASE_URL}.`);
}

/** Runs `hooktray export`; resolves with the exit code. */
export async function runExport(argv: string[]): Promise<number> {
  const options = parseExportArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const destination = chooseDestination(options.out, singleFileName(options.request.format), resolve(DEFAULT_FOLDER));
  const conflict = destinationConflict(destination, options.force);
  if (conflict !== null) throw new UsageError(conflict);

  const signing = configuredSigning(options.configFile);
  const store = openStore(options.dataDir);
  let missing: string[];
  try {
    missing = missingIds(store, options.request.ids ?? []);
  } catch (error) {
    store.close();
    throw explainStoreDamage(error, store);
  }
  if (missing.length > 0) {
    store.close();
    throw new UsageError(
      `No delivery is stored with the ${missing.length === 1 ? 'id' : 'ids'} ${missing.join(', ')} in ${options.dataDir}, so nothing was exported: ` +
        'check the ids (hooktray listen --json and the app list them) or the --data-dir.',
    );
  }
  if (destination.kind !== 'stdout') reportStaleStaging(destination.path);
  const output = createSink(destination);
  const sink = new InterruptibleSink(output);
  const stopListening = sink.listen();
  try {
    const result = await exportDeliveries(options.request, {
      source: store,
      sink,
      ...signing,
      version: appVersion(),
      now: new Date(),
      onProgress: progressReporter(),
    });
    if (!result.ok) {
      await output.discard?.();
      if (sink.signal !== null) {
        process.stderr.write(`hooktray export: interrupted by ${sink.signal}; ${leftBehind(destination, options.request.format)}.\n`);
        return 128 + (constants.signals[sink.signal] ?? 0);
      }
      process.stderr.write(`hooktray export: ${result.message}\n`);
      if (result.code === 'write-failed' && destination.kind !== 'stdout') process.stderr.write(`hooktray export: ${leftBehind(destination, options.request.format)}.\n`);
      return result.code === 'unknown-language' ? 2 : 1;
    }
    const notes = [...result.warnings, ...result.skipped.map((skip) => skip.message)];
    for (const line of notes.slice(0, MAX_NOTES)) process.stderr.write(`hooktray export: ${line}\n`);
    if (notes.length > MAX_NOTES) process.stderr.write(`hooktray export: ${notes.length - MAX_NOTES} more warnings and skipped deliveries not shown.\n`);
    const written = destination.kind === 'stdout' ? 'stdout' : destination.path;
    const reasons = result.skipped.length === 0 ? '' : `: ${describeSkipReasons(result.skipped)}`;
    process.stderr.write(`Exported ${plural(result.exported)} as ${options.request.format} to ${written}; skipped ${result.skipped.length}${reasons}.\n`);
    const advice = skipAdvice(result.skipped, CLI_SKIP_ADVICE);
    if (advice !== '') process.stderr.write(`hooktray export: ${advice}\n`);
    if (options.configFile === null) process.stderr.write('hooktray export: no --config given, so no key was known to keep out of the export.\n');
    return 0;
  } catch (error) {
    await output.discard?.();
    throw explainStoreDamage(error, store);
  } finally {
    stopListening();
    store.close();
  }
}

/** Returns the ids given on the command line that name no stored delivery, in the order given. */
function missingIds(store: DeliveryStore, ids: readonly string[]): string[] {
  return [...new Set(ids)].filter((id) => store.getWithoutEvents(id) === null);
}

/** Describes what an export that failed or was interrupted left at its destination. */
function leftBehind(destination: Destination, format: ExportFormat): string {
  if (destination.kind === 'stdout') return `the ${format} written to stdout is incomplete`;
  return `removed the partial output and left ${destination.path} as it was`;
}

function configuredSigning(configFile: string | null): { profiles: Profile[]; keys: string[] } {
  if (configFile === null) return { profiles: [], keys: [] };
  const config = loadConfigFile(configFile);
  const vault = resolveKeys(config.keyRefs, configFile);
  return { profiles: config.profiles, keys: config.profiles.flatMap((profile) => [...vault.keysFor(profile.name)]) };
}

/** Returns the file name of a format whose output is one file, which may go to stdout; null for the other formats. */
function singleFileName(format: ExportFormat): string | null {
  if (format === 'har') return HAR_FILE;
  if (format === 'ndjson') return NDJSON_FILE;
  return null;
}

/** Removes the partial output that earlier exports to `path` left when they were killed, and reports each on stderr. */
function reportStaleStaging(path: string): void {
  const { removed, failed } = removeStaleStaging(path);
  for (const stale of removed) process.stderr.write(`hooktray export: removed ${stale}, the partial output of an earlier export that did not finish.\n`);
  for (const { path: stale, error } of failed) {
    process.stderr.write(`hooktray export: could not remove ${stale}, the partial output of an earlier export that did not finish: ${error}. Remove it by hand.\n`);
  }
}

/** Returns the sink for a destination; files and folders are staged, so they appear only when complete. */
function createSink(destination: Destination): ExportSink & Partial<StagedSink> {
  if (destination.kind === 'stdout') return new StdoutSink();
  if (destination.kind === 'file') return new StagedFileSink(destination.path);
  return new StagedFolderSink(destination.path);
}

/** Thrown by a write after SIGINT or SIGTERM, so the export stops at its next write. */
class ExportInterruptedError extends Error {
  override name = 'ExportInterruptedError';
}

/**
 * Wraps the sink so that SIGINT or SIGTERM stops the export at its next write, after which
 * `runExport` removes the partial output. A second signal removes it and exits at once.
 */
class InterruptibleSink implements ExportSink {
  /** The signal received, or null while the export runs. */
  signal: NodeJS.Signals | null = null;

  constructor(private readonly inner: ExportSink & Partial<StagedSink>) {}

  get folder(): string | null {
    return this.inner.folder;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    if (this.signal !== null) throw new ExportInterruptedError(`interrupted by ${this.signal}`);
    await this.inner.write(name, data);
  }

  async finish(): Promise<void> {
    if (this.signal !== null) throw new ExportInterruptedError(`interrupted by ${this.signal}`);
    await this.inner.finish();
  }

  files(): ExportedFile[] {
    return this.inner.files();
  }

  /** Handles SIGINT and SIGTERM until the returned function is called. */
  listen(): () => void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.signal === null) {
        this.signal = signal;
        return;
      }
      this.inner.discardNow?.();
      process.stderr.write(`hooktray export: stopped at once by a second ${signal}; removed the partial output.\n`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }
}

/** Writes the single file of a HAR or NDJSON export to stdout, a delivery at a time. */
class StdoutSink implements ExportSink {
  readonly folder = null;
  private readonly written = new Map<string, ExportedFile>();

  async write(name: string, data: Uint8Array): Promise<void> {
    // Waiting for each write to be flushed keeps at most one delivery in memory when stdout is slow.
    await new Promise<void>((resolveWrite, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolveWrite())));
    this.written.set(name, { name, size: (this.written.get(name)?.size ?? 0) + data.byteLength });
  }

  async finish(): Promise<void> {}

  files(): ExportedFile[] {
    return [...this.written.values()];
  }
}

function plural(count: number): string {
  return `${count} deliver${count === 1 ? 'y' : 'ies'}`;
}

/** Minimum time between two progress lines, as `hooktray import` prints them. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Returns a progress callback that prints at most one line per PROGRESS_INTERVAL_MS, the first
 * one interval after the start, so a fast export prints none. The summary line ends every export.
 */
function progressReporter(): (progress: ExportProgress) => void {
  let last = Date.now();
  return (progress) => {
    const now = Date.now();
    if (progress.finished || now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    process.stderr.write(`Exported ${progress.done} of ${progress.total} deliveries…\n`);
  };
}
