import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appVersion, defaultDataDir } from '../core/app-info';
import { loadConfigFile, resolveKeys } from '../core/config';
import type { ExportedFile, ExportFormat, ExportProgress, ExportRequest, SignatureHandling, VerdictStatus } from '../core/contract';
import { EXPORT_FORMATS, VERDICT_STATUSES } from '../core/contract';
import type { Destination } from '../core/export/destination';
import { chooseDestination, destinationConflict } from '../core/export/destination';
import { DEFAULT_REDACTED_HEADERS } from '../core/export/prepare';
import { TEST_KEY_ENV } from '../core/export/resign';
import type { ExportSink } from '../core/export/sinks';
import type { Profile } from '../core/signatures/types';
import { FolderSink } from '../core/export/sinks';
import { DEFAULT_BASE_URL, exportDeliveries, HAR_FILE, NDJSON_FILE } from '../core/fixtures';
import { UsageError } from './args';
import { openStore, parseDeliveryId } from './stored';

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
                           name; other files in the folder stay
  --path PREFIX            only deliveries whose path starts with PREFIX
  --from ISO, --to ISO     only deliveries received at or after --from and before --to
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

/** Folder that fixture, cURL and snippet exports write into without --out. */
const DEFAULT_FOLDER = 'hooktray-export';

export function parseExportArgs(argv: string[]): ExportCliOptions | 'help' {
  const { values, positionals } = parseArgs({
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
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
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

function parseTime(option: string, text: string): string {
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) throw new UsageError(`Invalid ${option} "${text}": use an ISO 8601 time such as 2025-04-15T13:33:55Z.`);
  return new Date(millis).toISOString();
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
  try {
    const sink = createSink(destination);
    const result = await exportDeliveries(options.request, {
      source: store,
      sink,
      ...signing,
      version: appVersion(),
      now: new Date(),
      onProgress: reportProgress,
    });
    if (!result.ok) {
      process.stderr.write(`hooktray export: ${result.message}\n`);
      return result.code === 'unknown-language' ? 2 : 1;
    }
    const notes = [...result.warnings, ...result.skipped.map((skip) => skip.message)];
    for (const line of notes.slice(0, MAX_NOTES)) process.stderr.write(`hooktray export: ${line}\n`);
    if (notes.length > MAX_NOTES) process.stderr.write(`hooktray export: ${notes.length - MAX_NOTES} more warnings and skipped deliveries not shown.\n`);
    const written = destination.kind === 'stdout' ? 'stdout' : destination.path;
    process.stderr.write(`Exported ${plural(result.exported)} as ${options.request.format} to ${written}; skipped ${result.skipped.length}.\n`);
    if (options.configFile === null) process.stderr.write('hooktray export: no --config given, so no key was known to keep out of the export.\n');
    return 0;
  } finally {
    store.close();
  }
}

function configuredSigning(configFile: string | null): { profiles: Profile[]; keys: string[] } {
  if (configFile === null) return { profiles: [], keys: [] };
  const config = loadConfigFile(configFile);
  const vault = resolveKeys(config.keyRefs, configFile);
  return { profiles: config.profiles, keys: config.profiles.flatMap((profile) => [...vault.keysFor(profile.name)]) };
}

/** The file name of the formats whose output is one file, which may go to stdout; null for the others. */
function singleFileName(format: ExportFormat): string | null {
  if (format === 'har') return HAR_FILE;
  if (format === 'ndjson') return NDJSON_FILE;
  return null;
}

function createSink(destination: Destination): ExportSink {
  if (destination.kind === 'stdout') return new StdoutSink();
  if (destination.kind === 'file') return new SingleFileSink(destination.path);
  return new FolderSink(destination.path);
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

/** Writes the single file of a HAR or NDJSON export under the name given with --out. */
class SingleFileSink implements ExportSink {
  readonly folder = null;
  private readonly inner: FolderSink;

  constructor(private readonly file: string) {
    this.inner = new FolderSink(dirname(file));
  }

  async write(_name: string, data: Uint8Array): Promise<void> {
    await this.inner.write(basename(this.file), data);
  }

  async finish(): Promise<void> {
    await this.inner.finish();
  }

  files(): ExportedFile[] {
    return this.inner.files();
  }
}

function plural(count: number): string {
  return `${count} deliver${count === 1 ? 'y' : 'ies'}`;
}

function reportProgress(progress: ExportProgress): void {
  // Small exports finish before a progress line would help.
  if (progress.total < 1000 || progress.finished) return;
  process.stderr.write(`Exported ${progress.done} of ${progress.total} deliveries…\n`);
}
