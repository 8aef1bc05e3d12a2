import Database from 'better-sqlite3';
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import type { DeliveryDetail, TruncatedReason, Verdict } from './contract';
import type { Analysis, AnalysisContext, Capture, CapturedRequest, Derived } from './ingest';
import { ingestCapture } from './ingest';
import { spikeSummaryOf } from './spike-summary';
import { bodyKey, migrate, SCHEMA_VERSION } from './store-schema';

/** A delivery ready to store; `retryOf` is filled in by the writer. */
export type NewDelivery = Omit<DeliveryDetail, 'retryOf'>;

/**
 * A delivery as the writer stores it: the columns of `deliveries` in insert order, JSON already
 * serialized, then the body bytes. A flat list of strings, numbers and bytes is several times
 * cheaper to copy to the writer thread than the delivery object it comes from.
 */
export type WriteRow = [
  id: string,
  receivedAtMs: number,
  monotonicNs: string,
  method: string,
  path: string,
  httpVersion: string,
  remoteAddress: string | null,
  forwardedFor: string | null,
  headersJson: string,
  size: number,
  truncated: 0 | 1,
  truncatedReason: TruncatedReason | null,
  contentEncoding: string | null,
  decodeError: string | null,
  bodySha256: string,
  verdictStatus: string,
  verdictJson: string,
  spikeJson: string | null,
  body: Uint8Array,
  decodedBody: Uint8Array | null,
  /**
   * The public URL the delivery was verified with when it arrived, an empty text when it
   * arrived without one, or null when that is not known, as for imported deliveries.
   */
  publicUrl: string | null,
];

/** A delivery to store: analyzed already (imports, tests), or a capture that the writer analyzes. */
export type WriteItem = { kind: 'row'; row: WriteRow } | { kind: 'capture'; capture: Capture };

/** Result of storing one item: the delivery it repeats, and the fields derived from a capture. */
export interface WriteResult {
  retryOf: string | null;
  derived: Derived | null;
}

export interface DatabaseOptions {
  /** Path of an Electron build of better-sqlite3's addon, when running under Electron. */
  nativeBinding?: string;
  /** `FULL` (default) syncs each commit to disk; `NORMAL` survives a killed process but not a power cut. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Time a statement waits for another connection's lock before it fails with SQLITE_BUSY, in ms. */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens the database with the store's settings and brings its schema up to date. */
export function openDatabase(file: string, options: DatabaseOptions): Database.Database {
  // Owner-only, as the data folder Hooktray creates: the file contains every captured body, and the
  // folder may be one the user made. SQLite gives its -wal and -shm files the database's mode.
  let created = false;
  try {
    closeSync(openSync(file, 'wx', 0o600));
    created = true;
  } catch {
    // It exists already, or cannot be created: SQLite then opens it, or reports why it cannot.
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    switchToWal(db);
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    assertWritable(db);
    return db;
  } catch (error) {
    db?.close();
    // On a full disk the switch to WAL, the first write, fails. The empty file would then stay behind.
    if (created) removeEmptyFile(file);
    throw error;
  }
}

/**
 * Throws SQLITE_READONLY when the connection cannot write. SQLite opens a database read-only,
 * without an error, when the file system is read-only but an earlier process that crashed left
 * the -wal and -shm files. The probe writes nothing, because its transaction is rolled back.
 * SQLite checks for a read-only database before it takes the write lock (btreeBeginTrans and
 * sqlite3WalBeginWriteTransaction in its source), so SQLITE_BUSY means this connection can write.
 */
function assertWritable(db: Database.Database): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN');
    try {
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw error;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Deletes `file` when it is still empty. An empty file contains no data, because a connection
 * writes SQLite's header before it stores anything.
 * NOTE: a process that opened the file a moment ago and writes after the deletion would write
 * to the deleted file. Two processes creating the same store at once, one of them failing, is
 * the only way to get there.
 */
function removeEmptyFile(file: string): void {
  try {
    if (statSync(file).size === 0) unlinkSync(file);
  } catch {
    // It is gone already or cannot be deleted. An empty file is a valid empty database, so it may stay.
  }
}

/** Time a new file's switch to WAL is retried while other connections switch it, in ms. */
const WAL_SWITCH_TIMEOUT_MS = 5_000;

/**
 * Switches the database to WAL. Connections that switch a new file at the same moment can each
 * get SQLITE_BUSY at once, without the busy timeout, because waiting could deadlock them. So
 * the switch is retried, 20 ms apart, until one of them has made it.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + WAL_SWITCH_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** Turns a delivery, or a captured request and its analysis, into the row the writer stores. */
export function toWriteRow(delivery: CapturedRequest, analysis: Analysis, publicUrl: string | null = null): WriteRow {
  return [
    delivery.id,
    Date.parse(delivery.receivedAt),
    delivery.monotonicNs,
    delivery.method,
    delivery.path,
    delivery.httpVersion,
    delivery.remoteAddress,
    delivery.forwardedFor,
    JSON.stringify(delivery.headers),
    delivery.size,
    delivery.truncated ? 1 : 0,
    delivery.truncated ? delivery.truncatedReason : null,
    delivery.contentEncoding,
    delivery.decodeError,
    delivery.bodySha256,
    analysis.verdict.status,
    JSON.stringify(analysis.verdict),
    // Events are read from the body again when the delivery's detail is fetched.
    analysis.spike === null ? null : JSON.stringify(spikeSummaryOf(analysis.spike)),
    delivery.body,
    delivery.decodedBody,
    publicUrl,
  ];
}

/** Body bytes an item holds, for the store's bound on what waits for a commit. */
export function itemBytes(item: WriteItem): number {
  if (item.kind === 'capture') return item.capture.body.byteLength + (item.capture.decodedBody?.byteLength ?? 0);
  return item.row[18].byteLength + (item.row[19]?.byteLength ?? 0);
}

/**
 * Analyzes the captures among the items, then stores them all in one transaction. Analysis
 * runs before the transaction begins, so it never holds the write lock.
 */
export function writeItems(writer: DeliveryWriter, items: readonly WriteItem[], context: AnalysisContext): WriteResult[] {
  const now = Date.now();
  const prepared = items.map((item) => (item.kind === 'row' ? { row: item.row, derived: null } : prepareCapture(item.capture, context, now)));
  const retryOfs = writer.insertBatch(prepared.map((entry) => entry.row));
  return prepared.map((entry, index) => ({ retryOf: retryOfs[index] ?? null, derived: entry.derived }));
}

/**
 * Analyzes a capture and builds its row. A verdict or summary that cannot be serialized must
 * not fail the other deliveries of the batch, so the delivery is then stored without them.
 */
function prepareCapture(capture: Capture, context: AnalysisContext, now: number): { row: WriteRow; derived: Derived } {
  const { captured, analysis, derived } = ingestCapture(capture, context, now);
  try {
    return { row: toWriteRow(captured, analysis, context.publicUrl ?? ''), derived };
  } catch (error) {
    const reason = `Hooktray failed to store this delivery's verdict and summary (${String(error)}); change the profile's keys or options to check it again.`;
    const verdict: Verdict = { status: 'unverified', scheme: null, profile: null, reason };
    return { row: toWriteRow(captured, { verdict, spike: null }, context.publicUrl ?? ''), derived: { bodySha256: captured.bodySha256, verdict, spike: null } };
  }
}

/**
 * Inserts deliveries, one transaction per batch. It runs on the main thread or inside the
 * store's worker thread, so it holds nothing but the database handle and its statements.
 */
export class DeliveryWriter {
  private readonly insert;
  private readonly insertBody;
  private readonly findRetry;
  private readonly insertBatchTransaction;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`INSERT INTO deliveries (id, received_at, monotonic_ns, method, path, http_version, remote_address,
      forwarded_for, headers, size, truncated, truncated_reason, content_encoding, decode_error, body_sha256, verdict_status, verdict, spike, retry_of, body_key,
      public_url)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertBody = db.prepare('INSERT INTO bodies (seq, body, decoded) VALUES (?, ?, ?)');
    this.findRetry = db.prepare(
      'SELECT id, retry_of FROM deliveries WHERE body_key = ? AND body_sha256 = ? AND method = ? AND path = ? AND truncated = 0 ORDER BY seq LIMIT 1',
    );
    this.insertBatchTransaction = db.transaction((rows: readonly WriteRow[]) => rows.map((row) => this.insertOne(row)));
  }

  /** Stores every row in one transaction and returns, for each, the delivery it repeats; stores none when any insert fails. */
  insertBatch(rows: readonly WriteRow[]): (string | null)[] {
    return this.insertBatchTransaction.immediate(rows);
  }

  private insertOne(row: WriteRow): string | null {
    const [id, receivedAtMs, monotonicNs, method, path, httpVersion, remoteAddress, forwardedFor, headersJson, size, truncated, truncatedReason, contentEncoding,
      decodeError, bodySha256, verdictStatus, verdictJson, spikeJson, body, decodedBody, publicUrl] = row;
    const key = bodyKey(bodySha256);
    const retryOf = truncated === 1 || size === 0 ? null : this.findRetryOf(key, bodySha256, method, path);
    const info = this.insert.run(id, receivedAtMs, monotonicNs, method, path, httpVersion, remoteAddress, forwardedFor, headersJson, size, truncated,
      truncatedReason, contentEncoding, decodeError, bodySha256, verdictStatus, verdictJson, spikeJson, retryOf, key, publicUrl);
    this.insertBody.run(info.lastInsertRowid, asBuffer(body), decodedBody === null ? null : asBuffer(decodedBody));
    return retryOf;
  }

  /** A retry repeats an earlier delivery's method, path and body; Spike retries carry no id. */
  private findRetryOf(key: number, bodySha256: string, method: string, path: string): string | null {
    const first = this.findRetry.get(key, bodySha256, method, path) as { id: string; retry_of: string | null } | undefined;
    if (first === undefined) return null;
    return first.retry_of ?? first.id;
  }
}

/** Bodies cross to the worker thread as plain Uint8Arrays; better-sqlite3 binds only Buffers. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
