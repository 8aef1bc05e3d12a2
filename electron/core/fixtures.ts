import type { ExportFormat, ExportProgress, ExportRequest, ExportResult, ExportSkip } from './contract';
import { curlScript } from './export/curl';
import type { FixtureIndexEntry } from './export/fixture';
import type { FixtureRecord } from './export/fixture';
import { FIXTURE_VERSION, fixtureRecord } from './export/fixture';
import type { HooktrayHarEntry } from './export/har';
import { harEntry, harLog } from './export/har';
import type { PrepareOptions, PreparedDelivery } from './export/prepare';
import { DEFAULT_REDACTED_HEADERS, prepareDelivery } from './export/prepare';
import { SecretScanner } from './export/secret-scanner';
import type { ExportSource } from './export/select';
import { selectIds } from './export/select';
import type { ExportSink } from './export/sinks';
import { TooManyFilesError } from './export/sinks';
import type { SnippetTarget } from './export/snippets';
import type { Profile } from './signatures/types';
import { DEFAULT_SNIPPET_LANGUAGE, resolveSnippetTarget, snippet } from './export/snippets';

export const DEFAULT_BASE_URL = 'http://localhost:3000';
export const HAR_FILE = 'deliveries.har';
export const NDJSON_FILE = 'deliveries.ndjson';
export const INDEX_FILE = 'index.json';

/** Indent of an entry in `log.entries`, as JSON.stringify with 2 spaces writes it. */
const HAR_ENTRY_INDENT = '      ';

/** Deliveries exported between progress reports and event-loop yields. */
const PROGRESS_EVERY = 250;

/** Time after which a progress report is due anyway, so an export of large deliveries reports too. */
const PROGRESS_INTERVAL_MS = 1000;

export interface ExportContext {
  source: ExportSource;
  sink: ExportSink;
  /** Every configured key; no exported file may contain one. */
  keys: Iterable<string>;
  /** Profiles whose scheme options re-signing and signature redaction need. */
  profiles?: readonly Profile[];
  /** Hooktray's version, written into HAR and index files. */
  version: string;
  /** Time written as `exportedAt`, passed in so output is reproducible in tests. */
  now: Date;
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: ExportProgress) => void;
}

/** Collects one format's output while deliveries are exported one by one. */
interface FormatWriter {
  add(prepared: PreparedDelivery): Promise<ExportSkip | null>;
  finish(skipped: ExportSkip[]): Promise<void>;
}

/**
 * Exports the selected deliveries in one format through the sink. Expected failures (an
 * unknown language, an empty selection, a failed write) come back as typed results.
 */
export async function exportDeliveries(request: ExportRequest, context: ExportContext): Promise<ExportResult> {
  const baseUrl = (request.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const target = request.format === 'snippet' ? resolveSnippetTarget(request.language ?? DEFAULT_SNIPPET_LANGUAGE) : null;
  if (target !== null && 'error' in target) return { ok: false, code: 'unknown-language', message: target.error };

  const ids = selectIds(context.source, request);
  if (ids.length === 0) {
    return { ok: false, code: 'nothing-selected', message: 'No stored delivery matches the selection; widen the filters or pick deliveries.' };
  }

  const scanner = new SecretScanner(context.keys);
  const redactHeaders = new Set((request.redactHeaders ?? DEFAULT_REDACTED_HEADERS).map((name) => name.toLowerCase()));
  const prepareOptions: PrepareOptions = {
    redactHeaders,
    signatures: request.signatures ?? 'keep',
    scanner,
    ...(context.profiles === undefined ? {} : { profiles: context.profiles }),
    ...(context.env === undefined ? {} : { env: context.env }),
  };
  const writer = createWriter(request.format, { ...context, scanner }, baseUrl, target);
  const skipped: ExportSkip[] = [];
  const warnings: string[] = [];
  let exported = 0;
  let lastReport = Date.now();

  try {
    for (const [index, id] of ids.entries()) {
      const delivery = context.source.get(id);
      const result = delivery === null ? null : prepareDelivery(delivery, prepareOptions);
      if (result === null) {
        skipped.push({ id, code: 'not-found', reason: 'no longer stored', message: `Delivery ${id} was not found in the store; it may have been pruned by retention.` });
      } else if (!result.ok) {
        skipped.push(result.skip);
      } else {
        warnings.push(...result.prepared.warnings);
        const skip = await writer.add(result.prepared);
        if (skip === null) exported += 1;
        else skipped.push(skip);
      }
      if ((index + 1) % PROGRESS_EVERY === 0 || Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = Date.now();
        context.onProgress?.({ done: index + 1, total: ids.length, finished: false });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await writer.finish(skipped);
    await context.sink.finish();
  } catch (error) {
    if (error instanceof TooManyFilesError) return { ok: false, code: 'too-many-files', message: error.message };
    return { ok: false, code: 'write-failed', message: exportFailure(error) };
  }

  context.onProgress?.({ done: ids.length, total: ids.length, finished: true });
  return { ok: true, folder: context.sink.folder, files: context.sink.files(), exported, skipped, warnings };
}

/** What a format writer needs: the export's context and the scanner that checks each file before it is written. */
type WriterContext = ExportContext & { scanner: SecretScanner };

function createWriter(format: ExportFormat, context: WriterContext, baseUrl: string, target: SnippetTarget | null): FormatWriter {
  switch (format) {
    case 'fixture':
      return fixtureWriter(context);
    case 'har':
      return harWriter(context, baseUrl);
    case 'ndjson':
      return ndjsonWriter(context);
    case 'curl':
      return curlWriter(context, baseUrl);
    case 'snippet':
      return snippetWriter(context, baseUrl, target as SnippetTarget);
  }
}

function fixtureWriter({ sink, version, now, scanner }: WriterContext): FormatWriter {
  const index: FixtureIndexEntry[] = [];
  const signatures = new Set<string>();
  return {
    async add(prepared) {
      const bodyFile = `${prepared.baseName}.body`;
      const file = `${prepared.baseName}.json`;
      const record = fixtureRecord(prepared, bodyFile);
      if (scanner.containsText(file) || scanner.containsText(JSON.stringify(withoutBodyText(record)))) return keySkip(prepared, 'fixture');
      const json = `${JSON.stringify(record, null, 2)}\n`;
      await sink.write(bodyFile, prepared.delivery.body);
      await sink.write(file, utf8(json));
      const { delivery } = prepared;
      index.push({ id: delivery.id, file, bodyFile, receivedAt: delivery.receivedAt, method: delivery.method, path: delivery.path, bodySha256: delivery.bodySha256 });
      signatures.add(prepared.signatures);
      return null;
    },
    async finish(skipped) {
      const document = {
        format: 'hooktray-fixture-index',
        version: FIXTURE_VERSION,
        hooktrayVersion: version,
        exportedAt: now.toISOString(),
        count: index.length,
        signatures: [...signatures].sort(),
        fixtures: index,
        skipped,
      };
      const json = `${JSON.stringify(document, null, 2)}\n`;
      // Every field of the index also appears in a fixture that passed the check, so this only guards against a future field.
      if (scanner.containsText(json)) throw new Error(`${INDEX_FILE} would contain a configured key`);
      await sink.write(INDEX_FILE, utf8(json));
    },
  };
}

function harWriter({ sink, version, scanner }: WriterContext, baseUrl: string): FormatWriter {
  // The log as JSON.stringify would indent it, written around the entries one at a time.
  const empty = `${JSON.stringify(harLog([], version), null, 2)}\n`;
  const [head, tail] = empty.split('"entries": []') as [string, string];
  let count = 0;
  return {
    async add(prepared) {
      const entry = harEntry(prepared, baseUrl);
      if (scanner.containsText(JSON.stringify(withoutPostText(entry)))) return keySkip(prepared, 'HAR');
      const json = JSON.stringify(entry, null, 2).replace(/\n/g, `\n${HAR_ENTRY_INDENT}`);
      await sink.write(HAR_FILE, utf8(`${count === 0 ? `${head}"entries": [` : ','}\n${HAR_ENTRY_INDENT}${json}`));
      count += 1;
      return null;
    },
    async finish() {
      const end = `"entries": []${tail}`;
      await sink.write(HAR_FILE, utf8(count === 0 ? `${head}${end}` : `\n${HAR_ENTRY_INDENT.slice(2)}]${tail}`));
    },
  };
}

function ndjsonWriter({ sink, scanner }: WriterContext): FormatWriter {
  let count = 0;
  return {
    async add(prepared) {
      const record = fixtureRecord(prepared);
      if (scanner.containsText(JSON.stringify(withoutBodyText(record)))) return keySkip(prepared, 'NDJSON');
      await sink.write(NDJSON_FILE, utf8(`${JSON.stringify(record)}\n`));
      count += 1;
      return null;
    },
    async finish() {
      // An export that wrote no line still leaves its (empty) file.
      if (count === 0) await sink.write(NDJSON_FILE, new Uint8Array(0));
    },
  };
}

function curlWriter({ sink, scanner }: WriterContext, baseUrl: string): FormatWriter {
  return {
    async add(prepared) {
      const bodyFile = prepared.delivery.body.byteLength > 0 ? `${prepared.baseName}.body` : null;
      const file = `${prepared.baseName}.sh`;
      const script = curlScript(prepared, bodyFile, baseUrl);
      if (scanner.containsText(file) || scanner.containsText(script)) return keySkip(prepared, 'cURL');
      if (bodyFile !== null) await sink.write(bodyFile, prepared.delivery.body);
      await sink.write(file, scriptBytes(script));
      return null;
    },
    async finish() {},
  };
}

function snippetWriter({ sink, scanner }: WriterContext, baseUrl: string, target: SnippetTarget): FormatWriter {
  return {
    async add(prepared) {
      const result = snippet(prepared, target, baseUrl);
      if ('skip' in result) return result.skip;
      const file = `${prepared.baseName}${target.extension || '.txt'}`;
      if (scanner.containsText(file) || scanner.containsText(result.code)) return keySkip(prepared, `${target.target} snippet`);
      await sink.write(file, utf8(result.code));
      return null;
    },
    async finish() {},
  };
}

/**
 * Explains why an export failed. Only a file-system error blames the destination, and its
 * advice fits the error code; any other error is reported as it is.
 */
function exportFailure(error: unknown): string {
  const { code, path } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return `The export failed: ${(error as Error).message ?? String(error)}.`;

  const where = path === undefined ? '' : ` on ${path}`;
  const advice = FILE_ERROR_ADVICE[code] ?? 'Check the destination and try again.';
  return `Writing the export failed: ${code}${where}. ${advice}`;
}

const FILE_ERROR_ADVICE: Readonly<Record<string, string>> = {
  ENOSPC: 'The destination has no free space left; free some space or choose another destination.',
  EDQUOT: 'The disk quota of this user is used up; free some space or choose another destination.',
  EACCES: 'This user cannot write there; choose another destination.',
  EPERM: 'This user cannot write there; choose another destination.',
  EROFS: 'The destination is on a read-only file system; choose another destination.',
  ENOENT: 'A folder on the way to the destination does not exist; create it or choose another destination.',
  ENOTDIR: 'A part of the destination path is a file, not a folder; choose another destination.',
  EISDIR: 'The destination is a folder where a file was expected; choose another destination.',
  EPIPE: 'The program reading the output closed it before the export finished, so it received only part of the export.',
};

/**
 * Returns the record with an empty body text, for the key check of what surrounds the body.
 * `prepareDelivery` already checked the body bytes and their unescaped forms, and the body's
 * JSON text unescapes to those same bytes, so scanning it again would only double the time.
 */
function withoutBodyText(record: FixtureRecord): FixtureRecord {
  return { ...record, body: { ...record.body, data: '' } };
}

function withoutPostText(entry: HooktrayHarEntry): HooktrayHarEntry {
  const { postData } = entry.request;
  return postData === undefined ? entry : { ...entry, request: { ...entry.request, postData: { ...postData, text: '' } as typeof postData } };
}

/**
 * Skips a delivery whose written text would contain a key that `prepareDelivery` did not find
 * in its body, path or header values, such as in a header name or the Spike summary. The
 * message names no file, because a file name is built from the delivery and could hold the key.
 */
function keySkip(prepared: PreparedDelivery, format: string): ExportSkip {
  const { id } = prepared.delivery;
  return {
    id,
    code: 'output-contains-key',
    reason: `whose ${format} output would contain a configured key`,
    message: `Delivery ${id} was not exported: its ${format} output would contain a configured key, as is or escaped. Remove the key from the delivery or export other deliveries.`,
  };
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/**
 * Node reads header values and paths as Latin-1, one character per received byte. Writing
 * such a script as Latin-1 makes curl send those bytes again; text with characters beyond
 * U+00FF (only possible in imported data) is written as UTF-8.
 */
function scriptBytes(script: string): Buffer {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u00ff]*$/.test(script) ? Buffer.from(script, 'latin1') : utf8(script);
}
