import Database from 'better-sqlite3';
import type { DeliveryDetail } from './contract';
import { migrate } from './store-schema';

/** A delivery ready to store; `retryOf` is filled in by the writer. */
export type NewDelivery = Omit<DeliveryDetail, 'retryOf'>;

/** Outcome the writer reports back for each stored delivery. */
export interface WriteResult {
  id: string;
  retryOf: string | null;
}

export interface DatabaseOptions {
  /** Path of an Electron build of better-sqlite3's addon, when running under Electron. */
  nativeBinding?: string;
  /** `FULL` (default) syncs each commit to disk; `NORMAL` survives a killed process but not a power cut. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Opens the database with the store's settings and brings its schema up to date. */
export function openDatabase(file: string, options: DatabaseOptions): Database.Database {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
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
      forwarded_for, headers, size, truncated, content_encoding, decode_error, body_sha256, retry_of, verdict_status, verdict, spike)
      VALUES (@id, @received_at, @monotonic_ns, @method, @path, @http_version, @remote_address, @forwarded_for, @headers, @size,
      @truncated, @content_encoding, @decode_error, @body_sha256, @retry_of, @verdict_status, @verdict, @spike)`);
    this.insertBody = db.prepare('INSERT INTO bodies (seq, body, decoded) VALUES (?, ?, ?)');
    this.findRetry = db.prepare('SELECT id, retry_of FROM deliveries WHERE body_sha256 = ? AND method = ? AND path = ? AND truncated = 0 ORDER BY seq LIMIT 1');
    this.insertBatchTransaction = db.transaction((deliveries: readonly NewDelivery[]) => deliveries.map((delivery) => this.insertOne(delivery)));
  }

  /** Stores every delivery in one transaction; throws, storing none, when any insert fails. */
  insertBatch(deliveries: readonly NewDelivery[]): WriteResult[] {
    return this.insertBatchTransaction.immediate(deliveries);
  }

  private insertOne(delivery: NewDelivery): WriteResult {
    const retryOf = this.findRetryOf(delivery);
    const info = this.insert.run({
      id: delivery.id,
      received_at: Date.parse(delivery.receivedAt),
      monotonic_ns: delivery.monotonicNs,
      method: delivery.method,
      path: delivery.path,
      http_version: delivery.httpVersion,
      remote_address: delivery.remoteAddress,
      forwarded_for: delivery.forwardedFor,
      headers: JSON.stringify(delivery.headers),
      size: delivery.size,
      truncated: delivery.truncated ? 1 : 0,
      content_encoding: delivery.contentEncoding,
      decode_error: delivery.decodeError,
      body_sha256: delivery.bodySha256,
      retry_of: retryOf,
      verdict_status: delivery.verdict.status,
      verdict: JSON.stringify(delivery.verdict),
      spike: delivery.spike === null ? null : JSON.stringify(delivery.spike),
    });
    this.insertBody.run(info.lastInsertRowid, asBuffer(delivery.body), delivery.decodedBody === null ? null : asBuffer(delivery.decodedBody));
    return { id: delivery.id, retryOf };
  }

  /** A retry repeats an earlier delivery's method, path and body; Spike retries carry no id. */
  private findRetryOf(delivery: NewDelivery): string | null {
    if (delivery.truncated || delivery.size === 0) return null;
    const first = this.findRetry.get(delivery.bodySha256, delivery.method, delivery.path) as { id: string; retry_of: string | null } | undefined;
    if (first === undefined) return null;
    return first.retry_of ?? first.id;
  }
}

/** Bodies cross to the worker thread as plain Uint8Arrays; better-sqlite3 binds only Buffers. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
