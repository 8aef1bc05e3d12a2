import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DeliveryDetail, ImportRequest, ImportResult } from '../contract';
import { decodeContent } from '../content-encoding';
import { findHeader } from '../headers';
import type { CapturedRequest } from '../ingest';
import type { NewDelivery } from '../store';
import { resolveInside } from './file-names';
import type { ImportedRequest } from './import-parse';
import { ImportFormatError, parseFixtureRecord, requestFromFixture, requestsFromHar, sha256 } from './import-parse';
import { UlidGenerator } from '../ulid';

/** Files to import from: a folder on disk or files picked in a browser. */
interface FileSet {
  label: string;
  names(): string[];
  read(name: string): Buffer | null;
  /** Returns how messages name a file of the set: its path on disk, or its name when picked in a browser. */
  describe(name: string): string;
}

/** The store methods an import writes through; DeliveryStore provides them. */
export interface ImportTarget {
  get(id: string): DeliveryDetail | null;
  add(delivery: NewDelivery): Promise<DeliveryDetail>;
}

/** Computes a delivery's verdict and Spike summary, as the core does for received requests. */
export type Analyze = (request: CapturedRequest) => Pick<DeliveryDetail, 'verdict' | 'spike'>;

/** Deliveries queued for the store before waiting for their commit. */
const ADD_BATCH = 500;

/** Requests read and validated from an export, ready for `storeImport`. */
export interface ParsedImport {
  ok: true;
  requests: ImportedRequest[];
  warnings: string[];
}

/**
 * Imports a fixture folder, a HAR file or an NDJSON file into the store. A delivery whose id
 * is already stored gets a new id, and every verdict reason starts with where it came from.
 */
export async function importDeliveries(request: ImportRequest, target: ImportTarget, analyze: Analyze): Promise<ImportResult> {
  const parsed = readImport(request);
  if (!parsed.ok) return parsed;
  return storeImport(parsed, target, analyze);
}

/**
 * Reads and validates every record of an import without touching a store, so a caller can
 * reject a file that is not an export before it opens or creates the store.
 */
export function readImport(request: ImportRequest): ParsedImport | Extract<ImportResult, { ok: false }> {
  const warnings: string[] = [];
  let requests: ImportedRequest[];
  try {
    const files = request.path !== undefined ? fileSetFromPath(request.path) : fileSetFromMemory(request.files ?? []);
    if (files === null) return { ok: false, code: 'not-found', message: `Nothing to import at ${request.path ?? '(no files)'}: the path does not exist. Choose a fixture folder, a .har or an .ndjson file.` };
    requests = readRequests(files, warnings);
  } catch (error) {
    if (error instanceof ImportFormatError) return { ok: false, code: 'invalid-file', message: error.message };
    throw error;
  }
  if (requests.length === 0) {
    return { ok: false, code: 'unrecognized-format', message: 'No deliveries found to import: expected a fixture folder with index.json, a .har file or an .ndjson file from hooktray export.' };
  }
  return { ok: true, requests, warnings };
}

/** Stores the requests that `readImport` returned. */
export async function storeImport(parsed: ParsedImport, target: ImportTarget, analyze: Analyze): Promise<Extract<ImportResult, { ok: true }>> {
  const stored = await storeRequests(parsed.requests, target, analyze);
  return { ok: true, imported: stored.ids.length, ids: stored.ids, renamed: stored.renamed, warnings: parsed.warnings };
}

function fileSetFromPath(path: string): FileSet | null {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return null;
  }
  const folder = isFolder ? path : dirname(path);
  const names = isFolder ? readdirSync(folder).sort() : [basename(path)];
  return {
    label: path,
    names: () => names,
    describe: (name) => join(folder, name),
    read: (name) => {
      try {
        return readFileSync(resolveInside(folder, name));
      } catch {
        return null;
      }
    },
  };
}

function fileSetFromMemory(files: { name: string; data: Uint8Array }[]): FileSet {
  const byName = new Map(files.map((file) => [basename(file.name), Buffer.from(file.data)]));
  return { label: 'the chosen files', names: () => [...byName.keys()].sort(), read: (name) => byName.get(name) ?? null, describe: (name) => name };
}

/** Picks the reader by content: index.json or fixture files, HAR (`log`), or NDJSON lines. */
function readRequests(files: FileSet, warnings: string[]): ImportedRequest[] {
  const names = files.names();
  const index = names.includes('index.json') ? parseJson(files.read('index.json'), files.describe('index.json')) : null;
  if (isRecord(index) && Array.isArray(index.fixtures)) {
    return index.fixtures.map((entry: unknown) => readFixtureFile(files, isRecord(entry) ? String(entry.file) : '', warnings));
  }

  const requests: ImportedRequest[] = [];
  for (const name of names) {
    const origin = files.describe(name);
    if (name.endsWith('.har')) requests.push(...requestsFromHar(parseJson(files.read(name), origin), origin));
    else if (name.endsWith('.ndjson')) requests.push(...readNdjson(files.read(name) ?? Buffer.alloc(0), origin, warnings));
    else if (name.endsWith('.json') && name !== 'index.json') requests.push(readFixtureFile(files, name, warnings));
  }
  return requests;
}

function readFixtureFile(files: FileSet, name: string, warnings: string[]): ImportedRequest {
  const origin = files.describe(name);
  const record = parseFixtureRecord(parseJson(files.read(name), origin), origin);
  const bodyFile = typeof record.bodyFile === 'string' ? files.read(basename(record.bodyFile)) : null;
  return requestFromFixture(record, origin, bodyFile, warnings);
}

function readNdjson(bytes: Buffer, name: string, warnings: string[]): ImportedRequest[] {
  const requests: ImportedRequest[] = [];
  for (const [index, line] of bytes.toString('utf8').split('\n').entries()) {
    if (line.trim() === '') continue;
    const origin = `${name} line ${index + 1}`;
    requests.push(requestFromFixture(parseFixtureRecord(parseJson(Buffer.from(line), origin), origin), origin, null, warnings));
  }
  return requests;
}

function parseJson(bytes: Buffer | null, origin: string): unknown {
  if (bytes === null) throw new ImportFormatError(`${origin} is missing or unreadable; check the export folder is complete.`);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new ImportFormatError(`${origin} is not valid JSON: ${(error as Error).message}.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function storeRequests(requests: ImportedRequest[], target: ImportTarget, analyze: Analyze): Promise<{ ids: string[]; renamed: number }> {
  const ulids = new UlidGenerator();
  const nextId = (time: number): string => ulids.next(time);
  const usedIds = new Set<string>();
  const ids: string[] = [];
  let renamed = 0;

  for (let start = 0; start < requests.length; start += ADD_BATCH) {
    const batch = requests.slice(start, start + ADD_BATCH).map((request) => {
      const keep = request.originalId !== null && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(request.originalId) && !usedIds.has(request.originalId) && target.get(request.originalId) === null;
      const id = keep ? (request.originalId as string) : nextId(Date.parse(request.receivedAt) || Date.now());
      if (!keep && request.originalId !== null) renamed += 1;
      usedIds.add(id);
      return target.add(toNewDelivery(request, id, analyze));
    });
    for (const stored of await Promise.all(batch)) ids.push(stored.id);
  }
  return { ids, renamed };
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
