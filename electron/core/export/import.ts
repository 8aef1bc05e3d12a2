import { basename } from 'node:path';
import type { DeliveryDetail, ImportRequest, ImportResult } from '../contract';
import { decodeContent } from '../content-encoding';
import { findHeader } from '../headers';
import type { CapturedRequest } from '../ingest';
import type { NewDelivery } from '../store';
import { FIXTURE_FORMAT } from './fixture';
import type { FileSet } from './import-files';
import { fileSetFromMemory, fileSetFromPath, parseJson, readJsonFile, splitLines, utf16ByteOrder } from './import-files';
import type { ImportedRequest } from './import-parse';
import { ImportFormatError, KEY_PART_NOT_SHOWN, parseFixtureRecord, quoteValue, requestFromFixture, requestsFromHar, sha256 } from './import-parse';
import { containsKeyPart } from '../signatures/key-spellings';
import { UlidGenerator } from '../ulid';

/** The store methods an import writes through; DeliveryStore provides them. */
export interface ImportTarget {
  get(id: string): DeliveryDetail | null;
  add(delivery: NewDelivery): Promise<DeliveryDetail>;
}

/** Computes a delivery's verdict and Spike summary, as the core does for received requests. */
export type Analyze = (request: CapturedRequest) => Pick<DeliveryDetail, 'verdict' | 'spike'>;

/** Deliveries queued for the store before waiting for their commit. */
const ADD_BATCH = 500;

/** Body bytes queued for the store before waiting for their commit, so large bodies are held a few at a time. */
const ADD_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Largest HAR file imported. A HAR file is one JSON document, parsed whole, and parsing takes
 * a few times the file's size in memory.
 */
export const MAX_HAR_BYTES = 256 * 1024 * 1024;

/** Largest fixture file or NDJSON line: one delivery, read as one JavaScript string. */
const MAX_RECORD_BYTES = 512 * 1024 * 1024;

const HAR_ADVICE = 'Export the deliveries as NDJSON instead (hooktray export --format ndjson), which is imported a line at a time, or split the HAR file.';
const RECORD_ADVICE = 'Hooktray cannot import a delivery this large.';

/** One file of an import and how to read it. */
type ImportSource = { kind: 'fixture' | 'har' | 'ndjson'; name: string };

/**
 * An import whose every record was read and validated, ready for `storeImport`. The records
 * are read again from the files as they are stored, so only a batch is held in memory.
 */
export interface ParsedImport {
  ok: true;
  files: FileSet;
  sources: ImportSource[];
  /** Deliveries found in the files. */
  count: number;
}

export interface ReadImportOptions {
  /** Called after each record is checked, with the count so far. */
  onChecked?: (checked: number) => void;
  /** Stops the check before its next record by throwing the signal's reason. */
  signal?: AbortSignal;
  /** Configured keys: a message leaves out any value from the files that contains part of one. */
  keys?: readonly string[];
}

export interface StoreImportOptions {
  /** Called after each committed batch with the deliveries stored so far. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the import before its next batch; the batches already committed stay stored. */
  signal?: AbortSignal;
  /** Configured keys: a message leaves out any value from the files that contains part of one. */
  keys?: readonly string[];
}

/**
 * Imports a fixture folder, a HAR file or an NDJSON file into the store. A delivery whose id
 * is already stored or is not a ULID gets a new id, and every verdict reason starts with where
 * it came from. Messages leave out values from the files that contain part of one of `keys`.
 */
export async function importDeliveries(request: ImportRequest, target: ImportTarget, analyze: Analyze, keys: readonly string[] = []): Promise<ImportResult> {
  const parsed = await readImport(request, { keys });
  if (!parsed.ok) return parsed;
  return storeImport(parsed, target, analyze, { keys });
}

/**
 * Reads and validates every record of an import without touching a store, so a caller can
 * reject a file that is not an export before it opens or creates the store. Records are read
 * one at a time and not kept.
 */
export async function readImport(request: ImportRequest, options: ReadImportOptions = {}): Promise<ParsedImport | Extract<ImportResult, { ok: false }>> {
  const files = request.path !== undefined ? fileSetFromPath(request.path) : fileSetFromMemory(request.files ?? []);
  if (files === null) return { ok: false, code: 'not-found', message: `Nothing to import at ${request.path ?? '(no files)'}: the path does not exist. Choose a fixture folder, a .har or an .ndjson file.` };

  const keys = options.keys ?? [];
  let sources: ImportSource[];
  let count = 0;
  try {
    sources = await findSources(files, keys);
    for await (const _ of readRequests(files, sources, [], keys)) {
      options.signal?.throwIfAborted();
      count += 1;
      options.onChecked?.(count);
    }
  } catch (error) {
    if (error instanceof ImportFormatError) return { ok: false, code: 'invalid-file', message: error.message };
    throw error;
  }
  if (count === 0) {
    return { ok: false, code: 'unrecognized-format', message: `No deliveries found to import at ${files.label}: expected a fixture folder with index.json, a .har file or an .ndjson file from hooktray export.` };
  }
  return { ok: true, files, sources, count };
}

/**
 * Stores the deliveries of an import that `readImport` validated, reading them again one at
 * a time. A file that changed in between and is no longer valid stops the import, and the
 * message gives how many deliveries were stored before it.
 */
export async function storeImport(parsed: ParsedImport, target: ImportTarget, analyze: Analyze, options: StoreImportOptions = {}): Promise<ImportResult> {
  const warnings: string[] = [];
  const stored: StoredSoFar = { ids: [], renamed: 0, invalidIds: 0 };
  try {
    await storeRequests(readRequests(parsed.files, parsed.sources, warnings, options.keys ?? []), target, analyze, parsed.count, options, stored);
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    return { ok: false, code: 'invalid-file', message: `${error.message} It changed after it was checked; ${stored.ids.length} deliveries were imported before it.` };
  }
  return { ok: true, imported: stored.ids.length, ids: stored.ids, renamed: stored.renamed, invalidIds: stored.invalidIds, warnings };
}

/**
 * Picks the files to read by name: the fixtures index.json lists, or every .har, .ndjson and
 * fixture .json file. A single file with another name, such as an NDJSON export written to
 * an --out path without an extension, is read as NDJSON when it starts like a fixture record.
 */
async function findSources(files: FileSet, keys: readonly string[]): Promise<ImportSource[]> {
  const names = files.names();
  const index = names.includes('index.json') ? readJsonFile(files, 'index.json', MAX_RECORD_BYTES, RECORD_ADVICE, keys) : null;
  if (isRecord(index) && Array.isArray(index.fixtures)) return indexSources(index.fixtures, files.describe('index.json'), keys);

  const sources: ImportSource[] = [];
  for (const name of names) {
    if (name.endsWith('.har')) sources.push({ kind: 'har', name });
    else if (name.endsWith('.ndjson')) sources.push({ kind: 'ndjson', name });
    else if (name.endsWith('.json') && name !== 'index.json') sources.push({ kind: 'fixture', name });
    else if (names.length === 1 && (await startsWithFixtureRecord(files, name))) sources.push({ kind: 'ndjson', name });
  }
  return sources;
}

/**
 * Returns the fixture files that index.json lists. Throws ImportFormatError for an entry
 * without a "file" name and for an index that lists no fixtures.
 */
function indexSources(entries: unknown[], origin: string, keys: readonly string[]): ImportSource[] {
  if (entries.length === 0) {
    throw new ImportFormatError(`${origin} lists no fixtures, so there is nothing to import; export the deliveries again with hooktray export.`);
  }
  return entries.map((entry, index): ImportSource => {
    const file = isRecord(entry) ? entry.file : undefined;
    if (typeof file === 'string' && file !== '') {
      checkNamedFile(file, `fixture entry ${index + 1}`, origin, keys);
      return { kind: 'fixture', name: file };
    }
    const id = isRecord(entry) && typeof entry.id === 'string' ? ` (id ${quoteValue(entry.id, keys)})` : '';
    throw new ImportFormatError(`${origin}: fixture entry ${index + 1}${id} has no "file" field naming its fixture .json file; add it, or export the deliveries again with hooktray export.`);
  });
}

/**
 * Throws ImportFormatError for a file name from a file that contains part of one of `keys`,
 * because every later message, and the reason of each imported delivery, names the file.
 * `field` names where the name is, such as `fixture entry 3`.
 */
function checkNamedFile(name: string, field: string, origin: string, keys: readonly string[]): void {
  if (keys.length === 0 || !containsKeyPart(name, keys)) return;
  throw new ImportFormatError(
    `${origin}: ${field} names a file ${KEY_PART_NOT_SHOWN}, so it is not read. Rename that file, and the name in ${field}, so that no key is part of it.`,
  );
}

/**
 * The start of a fixture record as `hooktray export --format ndjson` writes each line, after an
 * optional UTF-8 byte order mark. Only the file's first piece is read to check it, and
 * readNdjson then validates every line.
 */
const FIXTURE_RECORD_START = new RegExp(`^(?:\\xef\\xbb\\xbf)?\\s*\\{\\s*"format"\\s*:\\s*"${FIXTURE_FORMAT}"`);

/**
 * Returns true when the file's first bytes are the start of a fixture record. Throws
 * ImportFormatError for UTF-16 text, which would otherwise be reported as no deliveries found.
 */
async function startsWithFixtureRecord(files: FileSet, name: string): Promise<boolean> {
  for await (const chunk of files.chunks(name)) {
    const utf16 = utf16ByteOrder(chunk);
    if (utf16 !== null) {
      throw new ImportFormatError(`${files.describe(name)} is UTF-16 text (${utf16}), but Hooktray reads exports as UTF-8: save the file as UTF-8 and import it again.`);
    }
    return FIXTURE_RECORD_START.test(chunk.subarray(0, 4096).toString('latin1'));
  }
  return false;
}

/**
 * Yields every request of the sources in order; `warnings` collects .body files that do not
 * match. Messages leave out values that contain part of one of `keys`.
 */
async function* readRequests(files: FileSet, sources: readonly ImportSource[], warnings: string[], keys: readonly string[]): AsyncGenerator<ImportedRequest> {
  for (const source of sources) {
    const origin = files.describe(source.name);
    if (source.kind === 'har') {
      yield* requestsFromHar(readJsonFile(files, source.name, MAX_HAR_BYTES, HAR_ADVICE, keys), origin, warnings, keys);
    } else if (source.kind === 'ndjson') {
      yield* readNdjson(files, source.name, warnings, keys);
    } else {
      yield readFixtureFile(files, source.name, warnings, keys);
    }
  }
}

function readFixtureFile(files: FileSet, name: string, warnings: string[], keys: readonly string[]): ImportedRequest {
  const origin = files.describe(name);
  const record = parseFixtureRecord(readJsonFile(files, name, MAX_RECORD_BYTES, RECORD_ADVICE, keys), origin, keys);
  if (typeof record.bodyFile === 'string') checkNamedFile(record.bodyFile, 'field "bodyFile"', origin, keys);
  const bodyFile = typeof record.bodyFile === 'string' ? files.read(basename(record.bodyFile)) : null;
  return requestFromFixture(record, origin, bodyFile, warnings);
}

async function* readNdjson(files: FileSet, name: string, warnings: string[], keys: readonly string[]): AsyncGenerator<ImportedRequest> {
  const file = files.describe(name);
  for await (const line of splitLines(files.chunks(name), file, MAX_RECORD_BYTES)) {
    if (isBlank(line.bytes)) continue;
    const origin = `${file} line ${line.number}`;
    yield requestFromFixture(parseFixtureRecord(parseJson(line.bytes, origin, keys), origin, keys), origin, null, warnings);
  }
}

/** True when the bytes are only spaces, tabs and line breaks; stops at the first other byte. */
function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

interface StoredSoFar {
  ids: string[];
  renamed: number;
  invalidIds: number;
}

/** A ULID in Crockford's base32, the form of every id the store assigns. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Adds requests to the store in batches of at most ADD_BATCH deliveries or ADD_BATCH_BYTES
 * of bodies, waiting for each batch to commit before reading the next.
 */
async function storeRequests(requests: AsyncIterable<ImportedRequest>, target: ImportTarget, analyze: Analyze, total: number, options: StoreImportOptions, stored: StoredSoFar): Promise<void> {
  const ulids = new UlidGenerator();
  const usedIds = new Set<string>();
  let batch: Promise<DeliveryDetail>[] = [];
  let batchBytes = 0;

  const commit = async (): Promise<void> => {
    for (const delivery of await Promise.all(batch)) stored.ids.push(delivery.id);
    batch = [];
    batchBytes = 0;
    options.onProgress?.(stored.ids.length, total);
  };

  for await (const request of requests) {
    if (options.signal?.aborted === true) break;
    const validId = request.originalId !== null && ULID.test(request.originalId);
    const keep = validId && !usedIds.has(request.originalId as string) && target.get(request.originalId as string) === null;
    const id = keep ? (request.originalId as string) : ulids.next(Date.parse(request.receivedAt) || Date.now());
    if (!keep && validId) stored.renamed += 1;
    else if (!validId && request.originalId !== null) stored.invalidIds += 1;
    usedIds.add(id);
    batch.push(target.add(toNewDelivery(request, id, analyze)));
    batchBytes += request.body.byteLength;
    if (batch.length >= ADD_BATCH || batchBytes >= ADD_BATCH_BYTES) await commit();
  }
  if (batch.length > 0) await commit();
}

function toNewDelivery(request: ImportedRequest, id: string, analyze: Analyze): NewDelivery {
  const contentEncoding = findHeader(request.headers, 'content-encoding')?.trim().toLowerCase() || null;
  const decoded = request.truncated || contentEncoding === null ? { bytes: null, error: null } : decodeContent(request.body, contentEncoding);
  const captured: CapturedRequest = {
    id,
    receivedAt: request.receivedAt,
    monotonicNs: '0',
    method: request.method,
    path: request.path,
    httpVersion: request.httpVersion,
    remoteAddress: null,
    forwardedFor: findHeader(request.headers, 'x-forwarded-for') ?? null,
    headers: request.headers,
    size: request.size,
    truncated: request.truncated,
    truncatedReason: request.truncatedReason,
    contentEncoding,
    body: request.body,
    decodedBody: decoded.bytes,
    decodeError: decoded.error,
    bodySha256: sha256(request.body),
  };
  const { verdict, spike } = analyze(captured);
  const from = request.originalId === null ? request.origin : `${request.origin}, exported as ${request.originalId}`;
  // NOTE: re-verifying after a profile or key change writes a new reason without this mark.
  return { ...captured, verdict: { ...verdict, reason: `Imported from ${from}. ${verdict.reason}` }, spike };
}
