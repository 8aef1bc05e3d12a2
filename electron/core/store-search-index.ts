import type Database from 'better-sqlite3';
import type { HeaderPair } from './contract';

/** Bytes of a body's text that go into the search index, so huge bodies do not bloat it. */
export const SEARCH_BODY_BYTES = 64 * 1024;
/**
 * Deliveries added to the index per transaction. Indexing a 1 KiB Spike delivery took about
 * 0.1 ms on a 2-core test machine, so a batch holds the write lock for about 20 ms.
 */
const INDEX_BATCH = 200;
/** Indexing waits for writes to go quiet, but never longer than this after a write, in ms. */
const MAX_INDEX_DELAY_MS = 5_000;
/**
 * Pause after each batch of a backlog while writes keep arriving, in ms. A batch takes about
 * 20 ms, so under steady traffic indexing takes about 5% of the writer thread and keeps up with
 * about 450 deliveries a second (estimates). Indexing back to back cut bench/ingest by a third.
 */
const BACKLOG_PAUSE_MS = 400;

/**
 * Adds stored deliveries to the trigram text index (`delivery_text`). Indexing costs more
 * than storing a delivery, so it runs outside the write path, in batches, and `search_state`
 * records how far it got.
 */
export class SearchIndexer {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insertText: db.prepare('INSERT INTO delivery_text (rowid, path, headers, body) VALUES (?, ?, ?, ?)'),
      unindexed: db.prepare(`SELECT d.seq, d.path, d.headers, substr(coalesce(b.decoded, b.body), 1, ${SEARCH_BODY_BYTES}) AS text
        FROM deliveries d JOIN bodies b ON b.seq = d.seq WHERE d.seq > ? ORDER BY d.seq LIMIT ?`),
      indexedSeq: db.prepare('SELECT indexed_seq FROM search_state').pluck(),
      setIndexedSeq: db.prepare('UPDATE search_state SET indexed_seq = ?'),
    };
  }

  /**
   * Indexes up to `limit` unindexed deliveries in one transaction; returns true when more may
   * remain. The transaction is immediate because the store and its writer thread both index.
   */
  indexBatch(limit = INDEX_BATCH): boolean {
    return this.db.transaction(() => {
      const from = this.indexedSeq();
      // SQLite's substr() returns NULL, not an empty blob, for an empty body.
      const rows = this.statements.unindexed.all(from, limit) as { seq: number; path: string; headers: string; text: Buffer | null }[];
      for (const row of rows) {
        const headers = (JSON.parse(row.headers) as HeaderPair[]).map(([name, value]) => `${name}: ${value}`).join('\n');
        const bodyText = row.text === null ? '' : Buffer.from(row.text).toString('utf8');
        this.statements.insertText.run(row.seq, row.path, headers, bodyText);
      }
      if (rows.length > 0) this.statements.setIndexedSeq.run((rows.at(-1) as { seq: number }).seq);
      return rows.length === limit;
    }).immediate();
  }

  /** Returns the seq of the newest delivery in the index. */
  indexedSeq(): number {
    return this.statements.indexedSeq.get() as number;
  }
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
