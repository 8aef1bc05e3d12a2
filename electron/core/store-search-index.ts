import type Database from 'better-sqlite3';
import type { HeaderPair } from './contract';
import { bodySearchText, MAX_DELIVERY_TRIGRAMS, SEARCH_BODY_BYTES, TrigramBudget } from './store-search-text';

export { MAX_DELIVERY_TRIGRAMS, SEARCH_BODY_BYTES };

/** SQL function that returns a body prefix's searchable text, or NULL for a body that is not text. */
export const BODY_SEARCH_TEXT_FUNCTION = 'hooktray_body_search_text';

/**
 * Bounds on one indexing batch. The batch's deliveries are read and prepared before its
 * transaction begins, and the transaction only inserts them, so these bound both the time the
 * writer thread spends on a batch and the time the batch holds the database's write lock.
 */
export interface IndexBatchLimits {
  /** Deliveries per batch. */
  rows: number;
  /**
   * Stored body bytes read per batch. SQLite reads a whole body to return its first
   * SEARCH_BODY_BYTES, so a large body costs time even when little of it is indexed.
   */
  readBytes: number;
  /** Characters added to the index per batch. */
  chars: number;
  /** Distinct trigrams per batch, counted per delivery and summed. They dominate FTS5's commit. */
  trigrams: number;
  /** Time spent reading and preparing a batch, in ms. */
  ms: number;
}

/**
 * A batch stops at the first limit it reaches, so it can pass `chars` and `trigrams` by one
 * delivery's worth, which MAX_DELIVERY_TRIGRAMS and SEARCH_BODY_BYTES bound. bench/search-index.js
 * measures how long batches take under these limits (docs/benchmarks.md).
 */
export const INDEX_BATCH_LIMITS: IndexBatchLimits = { rows: 200, readBytes: 16 * 1024 * 1024, chars: 256 * 1024, trigrams: MAX_DELIVERY_TRIGRAMS, ms: 20 };
/** Indexing waits for writes to go quiet, but never longer than this after a write, in ms. */
const MAX_INDEX_DELAY_MS = 5_000;
/**
 * Pause after each batch of a backlog while writes keep arriving, in ms. The limits keep a batch
 * to a few tens of ms (bench/search-index.js), so under steady traffic indexing takes about 5 to
 * 10% of the writer thread (an estimate). Indexing back to back cut bench/ingest by a third.
 */
const BACKLOG_PAUSE_MS = 400;

/** A delivery's share of a batch's limits. */
export interface IndexCost {
  readBytes: number;
  chars: number;
  trigrams: number;
}

/** Counts what a batch has read and prepared, so that the batch stops at its first limit. */
export class IndexBatchBudget {
  private rows = 0;
  private readBytes = 0;
  private chars = 0;
  private trigrams = 0;
  private readonly startedAt: number;

  constructor(
    private readonly limits: IndexBatchLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Returns true when a body of `storedBytes` may be read. The first delivery of a batch always may. */
  mayRead(storedBytes: number): boolean {
    return this.rows === 0 || this.readBytes + storedBytes <= this.limits.readBytes;
  }

  /** Counts a prepared delivery and returns true when the batch is full. */
  add(cost: IndexCost): boolean {
    this.rows += 1;
    this.readBytes += cost.readBytes;
    this.chars += cost.chars;
    this.trigrams += cost.trigrams;
    return (
      this.rows >= this.limits.rows ||
      this.readBytes >= this.limits.readBytes ||
      this.chars >= this.limits.chars ||
      this.trigrams >= this.limits.trigrams ||
      this.now() - this.startedAt >= this.limits.ms
    );
  }
}

/** A delivery's text, ready for the index. */
interface IndexEntry extends IndexCost {
  seq: number;
  id: string;
  path: string;
  headers: string;
  body: string;
}

interface UnindexedRow {
  seq: number;
  id: string;
  path: string;
  headers: string;
  stored_bytes: number;
}

/**
 * Adds stored deliveries to the trigram text index (`delivery_text`). Indexing costs more
 * than storing a delivery, so it runs outside the write path, in batches, and `search_state`
 * records how far it got. Bodies that are not text are left out, but their path and headers are indexed.
 */
export class SearchIndexer {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = () => performance.now(),
  ) {
    // The search's scan of unindexed deliveries calls this, so it matches what the index holds.
    db.function(BODY_SEARCH_TEXT_FUNCTION, { deterministic: true }, (prefix: unknown) => bodySearchText(prefix instanceof Uint8Array ? prefix : null));
    this.statements = {
      insertText: db.prepare('INSERT INTO delivery_text (rowid, path, headers, body) VALUES (?, ?, ?, ?)'),
      // length() of a column reads no blob content, so this reads no bodies.
      unindexed: db.prepare(`SELECT d.seq, d.id, d.path, d.headers, coalesce(length(b.decoded), length(b.body)) AS stored_bytes
        FROM deliveries d JOIN bodies b ON b.seq = d.seq WHERE d.seq > ? ORDER BY d.seq LIMIT ?`),
      // SQLite's substr() returns NULL, not an empty blob, for an empty body.
      bodyPrefix: db.prepare(`SELECT substr(coalesce(decoded, body), 1, ${SEARCH_BODY_BYTES}) FROM bodies WHERE seq = ?`).pluck(),
      exists: db.prepare('SELECT 1 FROM deliveries WHERE seq = ? AND id = ?').pluck(),
      indexedSeq: db.prepare('SELECT indexed_seq FROM search_state').pluck(),
      setIndexedSeq: db.prepare('UPDATE search_state SET indexed_seq = ?'),
      lowerIndexedSeq: db.prepare('UPDATE search_state SET indexed_seq = min(indexed_seq, (SELECT coalesce(max(seq), 0) FROM deliveries))'),
    };
  }

  /**
   * Indexes the next unindexed deliveries, as many as `limits` allow and at least one, in one
   * transaction. Returns true when more may remain.
   */
  indexBatch(limits: IndexBatchLimits = INDEX_BATCH_LIMITS): boolean {
    const { entries, more } = this.prepareBatch(limits);
    if (entries.length > 0) this.insertBatch(entries);
    return more;
  }

  /** Returns the seq of the newest delivery in the index. */
  indexedSeq(): number {
    return this.statements.indexedSeq.get() as number;
  }

  /**
   * Lowers the indexed seq to the newest stored delivery's. Call it in the transaction that
   * deletes deliveries: SQLite gives a new row the seq after the newest one, so once the newest
   * deliveries are deleted, new ones reuse seqs that the index has passed already.
   */
  forgetDeletedSeqs(): void {
    this.statements.lowerIndexedSeq.run();
  }

  /** Reads and prepares the next batch's deliveries, outside any write transaction. */
  private prepareBatch(limits: IndexBatchLimits): { entries: IndexEntry[]; more: boolean } {
    const budget = new IndexBatchBudget(limits, this.now);
    const rows = this.statements.unindexed.all(this.indexedSeq(), limits.rows) as UnindexedRow[];
    const entries: IndexEntry[] = [];
    for (const row of rows) {
      if (!budget.mayRead(row.stored_bytes)) return { entries, more: true };
      const entry = this.prepareEntry(row);
      entries.push(entry);
      if (budget.add(entry)) return { entries, more: true };
    }
    return { entries, more: false };
  }

  private prepareEntry(row: UnindexedRow): IndexEntry {
    const trigrams = new TrigramBudget(MAX_DELIVERY_TRIGRAMS);
    const path = trigrams.take(row.path);
    const headers = trigrams.take(headerLines(row.headers));
    const prefix = this.statements.bodyPrefix.get(row.seq) as Buffer | null | undefined;
    const body = trigrams.take(bodySearchText(prefix ?? null) ?? '');
    return { seq: row.seq, id: row.id, path, headers, body, readBytes: row.stored_bytes, chars: path.length + headers.length + body.length, trigrams: trigrams.count };
  }

  /**
   * Inserts prepared deliveries in one transaction. It is immediate because the store, its writer
   * thread and other processes on the same data folder may all index. One of them may have indexed
   * these deliveries since they were read, and a retention pass may have deleted some, after which
   * a new delivery can have the seq of a deleted one.
   */
  private insertBatch(entries: readonly IndexEntry[]): void {
    this.db
      .transaction(() => {
        const indexedSeq = this.indexedSeq();
        let last = indexedSeq;
        for (const entry of entries) {
          if (entry.seq <= indexedSeq || this.statements.exists.get(entry.seq, entry.id) === undefined) continue;
          this.statements.insertText.run(entry.seq, entry.path, entry.headers, entry.body);
          last = entry.seq;
        }
        if (last > indexedSeq) this.statements.setIndexedSeq.run(last);
      })
      .immediate();
  }
}

/** Returns a delivery's headers as the index stores them: one `name: value` line per header, in received order. */
function headerLines(headersJson: string): string {
  return (JSON.parse(headersJson) as HeaderPair[]).map(([name, value]) => `${name}: ${value}`).join('\n');
}

/**
 * Runs a SearchIndexer after writes go quiet for `delayMs`, or at the latest `maxDelayMs`
 * after the first unindexed write. It then indexes the backlog batch by batch, back to back while
 * no writes arrive. While they do, it pauses BACKLOG_PAUSE_MS after each batch, so indexing
 * takes a small share of the writer's time and still catches up with moderate steady traffic.
 */
export class IndexScheduler {
  private timer: NodeJS.Timeout | null = null;
  private firstUnindexedWriteAt: number | null = null;
  /** True from the first batch until the backlog is empty; writes no longer postpone indexing then. */
  private catchingUp = false;
  private writtenSinceBatch = false;
  private lastBatchEndedAt = 0;

  constructor(
    private readonly indexer: Pick<SearchIndexer, 'indexBatch'>,
    private readonly delayMs: number,
    private readonly maxDelayMs = MAX_INDEX_DELAY_MS,
  ) {}

  /** Notes a committed write; indexing waits until writes go quiet, up to the deadline. */
  written(): void {
    this.writtenSinceBatch = true;
    if (this.catchingUp) return;
    const now = Date.now();
    this.firstUnindexedWriteAt ??= now;
    const deadline = this.firstUnindexedWriteAt + this.maxDelayMs;
    this.schedule(Math.max(0, Math.min(this.delayMs, deadline - now)));
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    this.timer = null;
    // A write committed since the last batch means traffic goes on: keep the pause.
    if (this.catchingUp && this.writtenSinceBatch) {
      const wait = this.lastBatchEndedAt + BACKLOG_PAUSE_MS - Date.now();
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
    }

    this.writtenSinceBatch = false;
    let more: boolean;
    try {
      more = this.indexer.indexBatch();
    } catch {
      // A failed batch (disk full, closed database) is retried after the next write.
      more = false;
    }
    this.lastBatchEndedAt = Date.now();
    this.catchingUp = more;
    if (!more) {
      this.firstUnindexedWriteAt = null;
      return;
    }
    // Writes that arrived during the batch are committed before the next run, which then pauses.
    this.schedule(0);
  }
}
