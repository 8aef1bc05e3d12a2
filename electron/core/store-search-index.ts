import type Database from 'better-sqlite3';
import type { HeaderPair } from './contract';

/** Bytes of a body's text that go into the search index, so huge bodies do not bloat it. */
const SEARCH_BODY_BYTES = 64 * 1024;
/**
 * Deliveries added to the index per transaction. A trigram index costs about 0.1 ms (measured here) per
 * kilobyte-sized delivery, so a batch holds the write lock for a few tens of milliseconds.
 */
const INDEX_BATCH = 200;
/** Indexing waits for writes to go quiet, but never longer than this after a write, in ms. */
const MAX_INDEX_DELAY_MS = 5_000;

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

  /** Indexes everything stored so far, so a search also finds what arrived a moment ago. */
  catchUp(): void {
    while (this.indexBatch(1_000));
  }

  /** Returns the seq of the newest delivery in the index. */
  indexedSeq(): number {
    return this.statements.indexedSeq.get() as number;
  }
}

/**
 * Runs a SearchIndexer after writes go quiet for `delayMs`, or at the latest MAX_INDEX_DELAY_MS
 * after the first unindexed write, one batch per event-loop turn so that writes arriving in
 * between are committed first.
 */
export class IndexScheduler {
  private timer: NodeJS.Timeout | null = null;
  private firstUnindexedWriteAt: number | null = null;

  constructor(
    private readonly indexer: SearchIndexer,
    private readonly delayMs: number,
  ) {}

  /** Notes a committed write; indexing is postponed until writes go quiet. */
  written(): void {
    const now = Date.now();
    this.firstUnindexedWriteAt ??= now;
    const deadline = this.firstUnindexedWriteAt + MAX_INDEX_DELAY_MS;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), Math.max(0, Math.min(this.delayMs, deadline - now)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.timer = null;
    this.firstUnindexedWriteAt = null;
    let more: boolean;
    try {
      more = this.indexer.indexBatch();
    } catch {
      // A failed batch (disk full, closed database) is retried after the next write.
      return;
    }
    if (!more) return;
    // A write that arrived meanwhile restarts the wait through written(); otherwise go on.
    this.timer = setTimeout(() => this.run(), 0);
    this.timer.unref();
  }
}
