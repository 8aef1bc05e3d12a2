import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryDetail, DeliveryPage, DeliveryQuery, DeliverySummary, HeaderPair, Verdict, VerdictChange } from './contract';
import { migrate } from './store-schema';

export interface StoreOptions {
  /** Folder for `hooktray.db`; created when missing. */
  dataDir: string;
  /** Path of an Electron build of better-sqlite3's addon, when running under Electron. */
  nativeBinding?: string;
  /**
   * How long a write waits for others to join its transaction, in ms. Every delivery that
   * arrives within this window is committed by one transaction and one fsync.
   */
  groupCommitMs?: number;
  /** `FULL` (default) syncs each commit to disk; `NORMAL` survives a killed process but not a power cut. */
  synchronous?: 'FULL' | 'NORMAL';
}

export interface RetentionPolicy {
  /** Keep at most this many newest deliveries; 0 keeps all. */
  maxCount: number;
  /** Delete deliveries older than this many days; 0 keeps all. */
  maxAgeDays: number;
}

/** A delivery ready to store; `retryOf` is filled in by the store. */
export type NewDelivery = Omit<DeliveryDetail, 'retryOf'>;

/** Bytes of a body's text that go into the search index, so huge bodies do not bloat it. */
const SEARCH_BODY_BYTES = 64 * 1024;
const MAX_PAGE = 1000;
/** Pending writes that trigger a commit without waiting for the group-commit window. */
const MAX_PENDING = 512;

interface PendingWrite {
  delivery: NewDelivery;
  resolve: (stored: DeliveryDetail) => void;
  reject: (error: Error) => void;
}

interface DeliveryRow {
  seq: number;
  id: string;
  received_at: number;
  monotonic_ns: string;
  method: string;
  path: string;
  http_version: string;
  remote_address: string | null;
  forwarded_for: string | null;
  headers: string;
  size: number;
  truncated: number;
  content_encoding: string | null;
  decode_error: string | null;
  body_sha256: string;
  retry_of: string | null;
  verdict: string;
  spike: string | null;
}

const SUMMARY_COLUMNS = 'seq, id, received_at, method, path, size, truncated, body_sha256, retry_of, verdict, spike';

/**
 * SQLite store of deliveries (better-sqlite3, WAL). Writes are queued and committed in
 * groups; `add` resolves only after the delivery's transaction has committed, so a caller
 * that acknowledges after `add` never acknowledges a delivery that a crash could lose.
 */
export class DeliveryStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly groupCommitMs: number;
  private pending: PendingWrite[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly statements;

  constructor(options: StoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.file = join(options.dataDir, 'hooktray.db');
    this.db = new Database(this.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.groupCommitMs = options.groupCommitMs ?? 2;

    this.statements = {
      insert: this.db.prepare(`INSERT INTO deliveries (id, received_at, monotonic_ns, method, path, http_version, remote_address,
        forwarded_for, headers, size, truncated, content_encoding, decode_error, body_sha256, retry_of, verdict_status, verdict, spike)
        VALUES (@id, @received_at, @monotonic_ns, @method, @path, @http_version, @remote_address, @forwarded_for, @headers, @size,
        @truncated, @content_encoding, @decode_error, @body_sha256, @retry_of, @verdict_status, @verdict, @spike)`),
      insertBody: this.db.prepare('INSERT INTO bodies (seq, body, decoded) VALUES (?, ?, ?)'),
      insertText: this.db.prepare('INSERT INTO delivery_text (rowid, path, headers, body) VALUES (?, ?, ?, ?)'),
      findRetry: this.db.prepare(
        "SELECT id, retry_of FROM deliveries WHERE body_sha256 = ? AND method = ? AND path = ? AND truncated = 0 ORDER BY seq LIMIT 1",
      ),
      byId: this.db.prepare('SELECT * FROM deliveries WHERE id = ?'),
      bodyBySeq: this.db.prepare('SELECT body, decoded FROM bodies WHERE seq = ?'),
      seqById: this.db.prepare('SELECT seq FROM deliveries WHERE id = ?'),
      count: this.db.prepare('SELECT count(*) AS n FROM deliveries'),
      updateVerdict: this.db.prepare('UPDATE deliveries SET verdict_status = ?, verdict = ? WHERE id = ?'),
    };
  }

  /** Queues a delivery and resolves with it, `retryOf` filled in, once its transaction commits. */
  add(delivery: NewDelivery): Promise<DeliveryDetail> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery, resolve, reject });
      if (this.pending.length >= MAX_PENDING) {
        this.flush();
      } else if (this.timer === null) {
        this.timer = setTimeout(() => this.flush(), this.groupCommitMs);
      }
    });
  }

  /** Commits every queued write now, in one transaction. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;

    let stored: DeliveryDetail[];
    try {
      stored = this.db.transaction(() => batch.map((write) => this.insertOne(write.delivery)))();
    } catch (error) {
      for (const write of batch) write.reject(error as Error);
      return;
    }
    batch.forEach((write, index) => write.resolve(stored[index] as DeliveryDetail));
  }

  private insertOne(delivery: NewDelivery): DeliveryDetail {
    const retryOf = this.findRetryOf(delivery);
    const info = this.statements.insert.run({
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
    const seq = Number(info.lastInsertRowid);
    this.statements.insertBody.run(seq, delivery.body, delivery.decodedBody);

    const searchable = delivery.decodedBody ?? delivery.body;
    const bodyText = Buffer.from(searchable.buffer, searchable.byteOffset, Math.min(searchable.byteLength, SEARCH_BODY_BYTES)).toString('utf8');
    this.statements.insertText.run(seq, delivery.path, headerText(delivery.headers), bodyText);
    return { ...delivery, retryOf };
  }

  /** A retry repeats an earlier delivery's method, path and body; Spike retries carry no id. */
  private findRetryOf(delivery: NewDelivery): string | null {
    if (delivery.truncated || delivery.size === 0) return null;
    const first = this.statements.findRetry.get(delivery.bodySha256, delivery.method, delivery.path) as
      | { id: string; retry_of: string | null }
      | undefined;
    if (first === undefined) return null;
    return first.retry_of ?? first.id;
  }

  get(id: string): DeliveryDetail | null {
    const row = this.statements.byId.get(id) as DeliveryRow | undefined;
    if (row === undefined) return null;
    const bodies = this.statements.bodyBySeq.get(row.seq) as { body: Buffer; decoded: Buffer | null } | undefined;
    return {
      ...summaryFromRow(row),
      httpVersion: row.http_version,
      remoteAddress: row.remote_address,
      forwardedFor: row.forwarded_for,
      headers: JSON.parse(row.headers) as HeaderPair[],
      contentEncoding: row.content_encoding,
      decodeError: row.decode_error,
      monotonicNs: row.monotonic_ns,
      body: bodies?.body ?? Buffer.alloc(0),
      decodedBody: bodies?.decoded ?? null,
    };
  }

  /** Returns one page of summaries, newest first, matching every filter in the query. */
  list(query: DeliveryQuery = {}): DeliveryPage {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_PAGE);
    const { where, params } = this.filterClause(query);

    const pageWhere = [...where];
    const pageParams = [...params];
    if (query.before !== undefined) {
      const cursor = this.statements.seqById.get(query.before) as { seq: number } | undefined;
      pageWhere.push('seq < ?');
      pageParams.push(cursor?.seq ?? Number.MAX_SAFE_INTEGER);
    }

    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries ${whereSql(pageWhere)} ORDER BY seq DESC LIMIT ?`)
      .all(...pageParams, limit + 1) as DeliveryRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM deliveries ${whereSql(where)}`).get(...params) as { n: number }).n;

    const items = rows.slice(0, limit).map(summaryFromRow);
    return { items, nextBefore: rows.length > limit ? (items.at(-1)?.id ?? null) : null, total };
  }

  private filterClause(query: DeliveryQuery): { where: string[]; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const text = query.text?.trim() ?? '';
    if (text.length >= 3) {
      where.push('seq IN (SELECT rowid FROM delivery_text WHERE delivery_text MATCH ?)');
      params.push(`"${text.replace(/"/g, '""')}"`);
    } else if (text.length > 0) {
      // The trigram index cannot match fewer than three characters: scan path and headers.
      where.push("(instr(lower(path), lower(?)) > 0 OR instr(lower(headers), lower(?)) > 0)");
      params.push(text, text);
    }
    if (query.verdicts !== undefined && query.verdicts.length > 0) {
      where.push(`verdict_status IN (${query.verdicts.map(() => '?').join(', ')})`);
      params.push(...query.verdicts);
    }
    if (query.from !== undefined) {
      where.push('received_at >= ?');
      params.push(Date.parse(query.from));
    }
    if (query.to !== undefined) {
      where.push('received_at < ?');
      params.push(Date.parse(query.to));
    }
    return { where, params };
  }

  count(): number {
    return (this.statements.count.get() as { n: number }).n;
  }

  /** Stores new verdicts, such as after a key change, and returns the ones that changed. */
  updateVerdicts(changes: readonly VerdictChange[]): VerdictChange[] {
    const changed: VerdictChange[] = [];
    this.db.transaction(() => {
      for (const change of changes) {
        const info = this.statements.updateVerdict.run(change.verdict.status, JSON.stringify(change.verdict), change.id);
        if (info.changes > 0) changed.push(change);
      }
    })();
    return changed;
  }

  /** Iterates over every stored delivery id with its path, oldest first, in pages. */
  *ids(pageSize = 500): Generator<string> {
    let after = 0;
    const page = this.db.prepare('SELECT seq, id FROM deliveries WHERE seq > ? ORDER BY seq LIMIT ?');
    for (;;) {
      const rows = page.all(after, pageSize) as { seq: number; id: string }[];
      if (rows.length === 0) return;
      for (const row of rows) yield row.id;
      after = (rows.at(-1) as { seq: number }).seq;
    }
  }

  /** Deletes deliveries beyond the retention policy and returns how many were deleted. */
  prune(policy: RetentionPolicy, now = Date.now()): number {
    const conditions: string[] = [];
    const params: number[] = [];
    if (policy.maxAgeDays > 0) {
      conditions.push('received_at < ?');
      params.push(now - policy.maxAgeDays * 86_400_000);
    }
    if (policy.maxCount > 0) {
      conditions.push('seq <= (SELECT seq FROM deliveries ORDER BY seq DESC LIMIT 1 OFFSET ?)');
      params.push(policy.maxCount);
    }
    if (conditions.length === 0) return 0;

    return this.db.transaction(() => {
      const doomed = this.db.prepare(`SELECT seq FROM deliveries WHERE ${conditions.join(' OR ')}`).pluck().all(...params) as number[];
      const deleteText = this.db.prepare('DELETE FROM delivery_text WHERE rowid = ?');
      const deleteDelivery = this.db.prepare('DELETE FROM deliveries WHERE seq = ?');
      for (const seq of doomed) {
        deleteText.run(seq);
        deleteDelivery.run(seq);
      }
      return doomed.length;
    })();
  }

  /** Commits queued writes and closes the database. */
  close(): void {
    this.flush();
    this.db.close();
  }
}

function headerText(headers: readonly HeaderPair[]): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n');
}

function whereSql(conditions: string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function summaryFromRow(row: DeliveryRow): DeliverySummary {
  return {
    id: row.id,
    receivedAt: new Date(row.received_at).toISOString(),
    method: row.method,
    path: row.path,
    size: row.size,
    truncated: row.truncated === 1,
    verdict: JSON.parse(row.verdict) as Verdict,
    spike: row.spike === null ? null : (JSON.parse(row.spike) as DeliverySummary['spike']),
    retryOf: row.retry_of,
    bodySha256: row.body_sha256,
  };
}
