import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { DeliveryDetail, DeliveryPage, DeliveryQuery, DeliverySummary, HeaderPair, SpikeEvent, SpikeSummary, TruncatedReason, Verdict, VerdictChange } from './contract';
import { spikeSummaryOf, summarizeSpike } from './spike-summary';
import type { WriteBackend } from './store-write-queue';
import { findWriterScript, InlineWriteBackend, StoreWriteError, WorkerWriteBackend } from './store-write-queue';
import type { AnalysisContext, Capture } from './ingest';
import type { DatabaseOptions, NewDelivery, WriteItem, WriteResult } from './store-writer';
import { DeliveryWriter, itemBytes, openDatabase, toWriteRow } from './store-writer';
import { BODY_SEARCH_TEXT_FUNCTION, IndexScheduler, SEARCH_BODY_BYTES, SearchIndexer } from './store-search-index';
import type { Logger } from './logger';
import { makeDirSync } from './make-dir';
import { unescapeSearch } from './escape-control';

export type { NewDelivery };

/** A stored delivery whose Spike summary leaves out the events. */
export type DeliveryWithoutEvents = Omit<DeliveryDetail, 'spike'> & { spike: SpikeSummary | null };

export interface StoreOptions extends DatabaseOptions {
  /** Folder for `hooktray.db`; created when missing. */
  dataDir: string;
  /**
   * Thread that commits writes: `worker` is a writer thread (the default when the compiled
   * worker script exists beside this module), `inline` is the calling thread.
   */
  writer?: 'worker' | 'inline';
  /** Path of the compiled writer thread script, for bundles that place it elsewhere. */
  writerScript?: string;
  /**
   * How long a write waits for others to join its transaction, in ms. With 0 (the default)
   * the commit runs once the event loop has handled every request that is ready, so each
   * burst of deliveries shares one transaction and one fsync without waiting on a timer.
   */
  groupCommitMs?: number;
  /** Delay before new deliveries are added to the search index, in ms; searches catch up first. */
  indexDelayMs?: number;
  /**
   * Body bytes that may wait for a commit, queued or in flight (DEFAULT_MAX_QUEUED_BYTES by
   * default). Beyond it the receiver's writes are rejected with code STORE_BUSY, so a flood
   * of requests cannot exhaust memory.
   */
  maxQueuedBytes?: number;
  /** Logger for the warning that the writer thread failed to start and commits moved to the calling thread. */
  logger?: Pick<Logger, 'warn'>;
}

/** Bodies are copied once more on their way to the writer thread, so this costs about twice as much memory. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;

export interface RetentionPolicy {
  /** Keep at most this many newest deliveries; 0 keeps all. */
  maxCount: number;
  /** Delete deliveries older than this many days; 0 keeps all. */
  maxAgeDays: number;
}

const MAX_PAGE = 1000;
/** Bounds of one retention transaction: deleting a row with a large body frees many pages. */
const PRUNE_BATCH_ROWS = 500;
const PRUNE_BATCH_MS = 25;
/**
 * A delivery's headers as the search index stores them: one `name: value` line per header, in
 * received order, so a search matches names and values, never the JSON that stores them.
 */
const HEADER_TEXT = `(SELECT group_concat(json_extract(h.value, '$[0]') || ': ' || json_extract(h.value, '$[1]'), char(10) ORDER BY h.key)
  FROM json_each(deliveries.headers) h)`;
/**
 * Matches a delivery by a scan, as the index would: the text in its path, its header lines or
 * the first SEARCH_BODY_BYTES of a body that is text, ignoring ASCII case. It serves deliveries
 * that are not indexed yet and queries too short for the index.
 * NOTE: the trigram index also ignores the case of other letters (`ÉCOLE` matches `éco`), and
 * this scan does not. The index also stops at MAX_DELIVERY_TRIGRAMS per delivery, and this scan
 * does not, so it finds text deep in a base64 body until that delivery is indexed.
 */
const UNINDEXED_MATCH = `(instr(lower(path), lower(?)) > 0 OR instr(lower(${HEADER_TEXT}), lower(?)) > 0
  OR instr(lower((SELECT ${BODY_SEARCH_TEXT_FUNCTION}(substr(coalesce(b.decoded, b.body), 1, ${SEARCH_BODY_BYTES})) FROM bodies b WHERE b.seq = deliveries.seq)), lower(?)) > 0)`;
/** Characters (code points, not UTF-16 units) a query needs before the trigram index can match it. */
const MIN_INDEXED_QUERY_CHARS = 3;
/** Pending writes that trigger a commit without waiting for the group-commit window. */
const MAX_PENDING = 512;

interface PendingWrite {
  item: WriteItem;
  bytes: number;
  settle: (result: WriteResult) => void;
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
  truncated_reason: string | null;
  content_encoding: string | null;
  decode_error: string | null;
  body_sha256: string;
  retry_of: string | null;
  verdict: string;
  spike: string | null;
}

const SUMMARY_COLUMNS = 'seq, id, received_at, method, path, size, truncated, truncated_reason, body_sha256, retry_of, verdict, spike';

/**
 * SQLite store of deliveries (better-sqlite3, WAL), with writes queued and committed in groups.
 * `ingest` and `add` resolve only after the delivery's transaction has committed. A caller that
 * acknowledges after them therefore never acknowledges a delivery that a crash could lose.
 */
export class DeliveryStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly groupCommitMs: number;
  private readonly backend: WriteBackend;
  private inFlight = new Set<Promise<void>>();
  private pending: PendingWrite[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly maxQueuedBytes: number;
  private queuedBytes = 0;
  private readonly indexer: SearchIndexer;
  /** Schedules indexing on this thread; null when the writer thread indexes. */
  private indexScheduler: IndexScheduler | null;
  private readonly statements;

  constructor(options: StoreOptions) {
    // Owner-only: the folder holds every captured body, the logs and the settings.
    makeDirSync(options.dataDir, 0o700);
    this.file = join(options.dataDir, 'hooktray.db');
    this.db = openDatabase(this.file, options);
    const script = options.writerScript ?? findWriterScript();
    const indexDelayMs = options.indexDelayMs ?? 250;
    this.indexer = new SearchIndexer(this.db);
    if (options.writer !== 'inline' && script !== null) {
      const commitHere = (error: Error): WriteBackend => {
        options.logger?.warn('store: the writer thread failed to start; committing on this thread instead', { script, error: String(error) });
        this.indexScheduler = new IndexScheduler(this.indexer, indexDelayMs);
        return new InlineWriteBackend(new DeliveryWriter(this.db));
      };
      this.backend = new WorkerWriteBackend(script, this.file, { synchronous: options.synchronous, nativeBinding: options.nativeBinding, indexDelayMs }, commitHere);
      this.indexScheduler = null;
    } else {
      this.backend = new InlineWriteBackend(new DeliveryWriter(this.db));
      this.indexScheduler = new IndexScheduler(this.indexer, indexDelayMs);
    }
    this.groupCommitMs = options.groupCommitMs ?? 0;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;

    this.statements = {
      byId: this.db.prepare('SELECT * FROM deliveries WHERE id = ?'),
      bodyBySeq: this.db.prepare('SELECT body, decoded FROM bodies WHERE seq = ?'),
      seqById: this.db.prepare('SELECT seq FROM deliveries WHERE id = ?'),
      publicUrlById: this.db.prepare('SELECT public_url FROM deliveries WHERE id = ?').pluck(),
      count: this.db.prepare('SELECT count(*) AS n FROM deliveries'),
      updateVerdict: this.db.prepare('UPDATE deliveries SET verdict_status = ?, verdict = ? WHERE id = ?'),
    };
  }

  /**
   * Queues a delivery that is analyzed already, such as an imported one, and resolves with it,
   * `retryOf` filled in, once its transaction commits.
   */
  add(delivery: NewDelivery, options: { rejectWhenBusy?: boolean } = {}): Promise<DeliveryDetail> {
    return this.enqueue({ kind: 'row', row: toWriteRow(delivery, delivery) }, options, ({ retryOf }) => ({ ...delivery, retryOf }));
  }

  /**
   * Queues a capture from the receiver: the writer verifies and summarizes it with the context
   * of `setAnalysisContext`, stores it, and the summary resolves once its transaction commits.
   */
  ingest(capture: Capture, options: { rejectWhenBusy?: boolean } = {}): Promise<DeliverySummary> {
    return this.enqueue({ kind: 'capture', capture }, options, ({ retryOf, derived }) => {
      if (derived === null) throw new StoreWriteError(`The writer stored capture ${capture.id} but returned no verdict for it.`, 'WRITER_REPLY');
      return {
        id: capture.id,
        receivedAt: new Date(capture.receivedAtMs).toISOString(),
        method: capture.method,
        path: capture.path,
        size: capture.size,
        truncated: capture.truncated,
        truncatedReason: capture.truncatedReason,
        ...derived,
        retryOf,
      };
    });
  }

  /** True when captures are analyzed on the writer thread, false when on the calling thread. */
  get analyzesOffThread(): boolean {
    return this.backend instanceof WorkerWriteBackend && this.backend.offThread;
  }

  /** Sets the profiles, keys and public URL that captures are verified with from now on. */
  setAnalysisContext(context: AnalysisContext): void {
    // Captures queued so far keep the context they arrived under.
    void this.flush();
    this.backend.configure(context);
  }

  /**
   * Queues an item for the next group commit. With `rejectWhenBusy`, it rejects at once with
   * StoreWriteError code STORE_BUSY when the item's bytes would bring those waiting for a commit
   * over `maxQueuedBytes`. An empty queue accepts an item of any size. Imports leave the option
   * off and wait for their batches.
   */
  private enqueue<T>(item: WriteItem, options: { rejectWhenBusy?: boolean }, result: (written: WriteResult) => T): Promise<T> {
    const bytes = itemBytes(item);
    if (options.rejectWhenBusy === true && this.isBusyFor(bytes)) {
      const total = this.queuedBytes + bytes;
      const message = `The store is busy: ${this.queuedBytes} body bytes are waiting for a commit, and this delivery's ${bytes} would bring them to ${total}, over the limit of ${this.maxQueuedBytes}; retry shortly.`;
      return Promise.reject(new StoreWriteError(message, 'STORE_BUSY'));
    }
    this.queuedBytes += bytes;
    return new Promise<T>((resolve, reject) => {
      const settle = (written: WriteResult): void => {
        try {
          resolve(result(written));
        } catch (error) {
          reject(error as Error);
        }
      };
      this.pending.push({ item, bytes, settle, reject });
      if (this.pending.length >= MAX_PENDING) {
        void this.flush();
      } else if (this.timer === null) {
        this.timer = this.groupCommitMs > 0 ? setTimeout(() => this.flush(), this.groupCommitMs) : setImmediate(() => this.flush());
      }
    });
  }

  /** Returns true when an item of `bytes` body bytes would be rejected with STORE_BUSY now. */
  isBusyFor(bytes: number): boolean {
    return this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes;
  }

  /** Body bytes queued or in flight to the writer. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Sends every queued write to the writer now, as one transaction, and resolves when it has committed. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return Promise.resolve();

    const done = this.backend.write(batch.map((write) => write.item)).then(
      (results) => {
        for (const [index, write] of batch.entries()) {
          this.queuedBytes -= write.bytes;
          write.settle(results[index] ?? { retryOf: null, derived: null });
        }
        this.indexScheduler?.written();
      },
      (error: unknown) => {
        for (const write of batch) {
          this.queuedBytes -= write.bytes;
          write.reject(error as Error);
        }
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return done;
  }

  /** Adds a batch of unindexed deliveries to the search index; returns true when more may remain. */
  indexPending(): boolean {
    return this.indexer.indexBatch();
  }

  /** Returns a delivery with its bodies and, for a Spike body, each of its events. */
  get(id: string): DeliveryDetail | null {
    const delivery = this.getWithoutEvents(id);
    if (delivery === null) return null;
    const spike = delivery.spike === null ? null : { ...delivery.spike, events: spikeEventsOf(delivery.decodedBody ?? delivery.body) };
    return { ...delivery, spike };
  }

  /** Returns a delivery with its bodies but without Spike events, which cost a parse of the body. */
  getWithoutEvents(id: string): DeliveryWithoutEvents | null {
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

  /**
   * Returns the public URL, path token included, that a delivery was verified with when it
   * arrived. Returns null when it arrived without a tunnel, and undefined when that is not
   * recorded, as for deliveries stored before Hooktray recorded it and for imported ones.
   */
  publicUrlAtArrival(id: string): string | null | undefined {
    const stored = this.statements.publicUrlById.get(id) as string | null | undefined;
    // The writer stores an empty text for a capture that arrived without a tunnel.
    if (stored === '') return null;
    return stored ?? undefined;
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

  /** Returns the condition that a delivery's path, header lines or body text contains `text`. */
  private textMatch(text: string): { sql: string; params: unknown[] } {
    if ([...text].length >= MIN_INDEXED_QUERY_CHARS) {
      // Indexed deliveries match through the trigram index and newer ones through a scan, so a
      // search never waits for indexing and still finds what arrived a moment ago.
      return {
        sql: `(seq IN (SELECT rowid FROM delivery_text WHERE delivery_text MATCH ?) OR (seq > ? AND ${UNINDEXED_MATCH}))`,
        params: [`"${text.replace(/"/g, '""')}"`, this.indexer.indexedSeq(), text, text, text],
      };
    }
    // The trigram index matches nothing shorter than three characters, so every delivery is scanned.
    return { sql: UNINDEXED_MATCH, params: [text, text, text] };
  }

  private filterClause(query: DeliveryQuery): { where: string[]; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const text = query.text?.trim() ?? '';
    if (text.length > 0) {
      // The inspector shows a control or invisible character as an escape such as `\u200b`, so
      // the text with its escapes turned into characters is searched as well as the text typed.
      // NOTE: `\r` also finds the carriage return of a CRLF line break, which Find in a body skips.
      const variants = [...new Set([text, unescapeSearch(text)])];
      const matches = variants.map((variant) => this.textMatch(variant));
      where.push(`(${matches.map((match) => match.sql).join(' OR ')})`);
      params.push(...matches.flatMap((match) => match.params));
    }
    if (query.verdicts !== undefined && query.verdicts.length > 0) {
      where.push(`verdict_status IN (${query.verdicts.map(() => '?').join(', ')})`);
      params.push(...query.verdicts);
    }
    if (query.ids !== undefined) {
      // SQLite accepts an empty `IN ()`, which matches nothing.
      where.push(`id IN (${query.ids.map(() => '?').join(', ')})`);
      params.push(...query.ids);
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

  /** Returns how many deliveries `prune` would delete under the retention policy now. */
  countPrunable(policy: RetentionPolicy, now = Date.now()): number {
    const beyond = beyondRetention(policy, now);
    if (beyond === null) return 0;
    return this.db.prepare(`SELECT count(*) FROM deliveries WHERE ${beyond.where}`).pluck().get(...beyond.params) as number;
  }

  /** Deletes every delivery beyond the retention policy, one batch after another, and returns how many were deleted. */
  prune(policy: RetentionPolicy, now = Date.now(), keepIds: readonly string[] = []): number {
    let deleted = 0;
    for (;;) {
      const batch = this.pruneBatch(policy, now, keepIds);
      deleted += batch.deleted;
      if (!batch.more) return deleted;
    }
  }

  /**
   * Deletes the oldest deliveries beyond the retention policy, up to PRUNE_BATCH_ROWS of them or
   * as many as fit in PRUNE_BATCH_MS, in one transaction. Each transaction holds the write lock,
   * which the writer thread needs to acknowledge new deliveries, so a large backlog is deleted
   * in batches with other commits between them. The transaction is immediate, so that no indexer
   * commits between its read of the indexed seq and its deletes. Deliveries in `keepIds`, such
   * as those still to be forwarded, are kept however old they are.
   */
  pruneBatch(policy: RetentionPolicy, now = Date.now(), keepIds: readonly string[] = []): { deleted: number; more: boolean } {
    const beyond = beyondRetention(policy, now);
    if (beyond === null) return { deleted: 0, more: false };

    const prune = this.db.transaction(() => {
      const doomed = this.db
        .prepare(`SELECT seq FROM deliveries WHERE (${beyond.where}) AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`)
        .pluck()
        .all(...beyond.params, JSON.stringify(keepIds), PRUNE_BATCH_ROWS) as number[];
      const indexedSeq = this.indexer.indexedSeq();
      const deleteText = this.db.prepare('DELETE FROM delivery_text WHERE rowid = ?');
      const deleteDelivery = this.db.prepare('DELETE FROM deliveries WHERE seq = ?');
      const started = performance.now();
      let deleted = 0;
      for (const seq of doomed) {
        if (seq <= indexedSeq) deleteText.run(seq);
        deleteDelivery.run(seq);
        deleted += 1;
        if (performance.now() - started > PRUNE_BATCH_MS) break;
      }
      this.indexer.forgetDeletedSeqs();
      return { deleted, more: deleted < doomed.length || doomed.length === PRUNE_BATCH_ROWS };
    });
    return prune.immediate();
  }

  /** The open database, for modules that keep their own tables in it, such as the target responses. */
  get database(): Database.Database {
    return this.db;
  }

  /** Sends queued writes to the writer and resolves once they and every write in flight have settled. */
  async drain(): Promise<void> {
    void this.flush();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Commits queued and in-flight writes, stops the writer and closes the database. */
  async close(): Promise<void> {
    await this.drain();
    await this.backend.close();
    this.indexScheduler?.stop();
    this.db.close();
  }
}

/** Reads the events of a Spike body for a delivery's detail; the stored summary leaves them out. */
function spikeEventsOf(body: Uint8Array): SpikeEvent[] {
  return summarizeSpike(body, false)?.events ?? [];
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
    truncatedReason: truncatedReasonOf(row),
    verdict: JSON.parse(row.verdict) as Verdict,
    // Rows stored by earlier versions still carry the events; lists leave them out.
    spike: row.spike === null ? null : spikeSummaryOf(JSON.parse(row.spike) as SpikeSummary),
    retryOf: row.retry_of,
    bodySha256: row.body_sha256,
  };
}

/** Returns why a row's body was not stored. The migration that added the column marked earlier truncated rows `body-limit`. */
function truncatedReasonOf(row: DeliveryRow): TruncatedReason | null {
  if (row.truncated !== 1) return null;
  return row.truncated_reason === 'memory-cap' ? 'memory-cap' : 'body-limit';
}

/** Returns the SQL condition that matches deliveries beyond the retention policy, or null when the policy keeps everything. */
function beyondRetention(policy: RetentionPolicy, now: number): { where: string; params: number[] } | null {
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
  return conditions.length === 0 ? null : { where: conditions.join(' OR '), params };
}
