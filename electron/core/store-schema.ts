import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds the number applied, so
 * a migration runs once per database. Append new ones; never edit a released one.
 */
const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  (db) => {
    db.exec(`
      CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        received_at INTEGER NOT NULL,
        monotonic_ns TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        http_version TEXT NOT NULL,
        remote_address TEXT,
        forwarded_for TEXT,
        headers TEXT NOT NULL,
        size INTEGER NOT NULL,
        truncated INTEGER NOT NULL,
        content_encoding TEXT,
        decode_error TEXT,
        body_sha256 TEXT NOT NULL,
        retry_of TEXT,
        verdict_status TEXT NOT NULL,
        verdict TEXT NOT NULL,
        spike TEXT
      );
      CREATE INDEX deliveries_received_at ON deliveries (received_at);
      CREATE INDEX deliveries_body ON deliveries (body_sha256, method, path);
      CREATE INDEX deliveries_verdict ON deliveries (verdict_status, seq);
      CREATE TABLE bodies (
        seq INTEGER PRIMARY KEY REFERENCES deliveries (seq) ON DELETE CASCADE,
        body BLOB NOT NULL,
        decoded BLOB
      );
      CREATE VIRTUAL TABLE delivery_text USING fts5 (path, headers, body, tokenize = 'trigram', content = '', contentless_delete = 1);
      -- Deliveries up to this seq are in delivery_text; the indexer works outside the write path.
      CREATE TABLE search_state (indexed_seq INTEGER NOT NULL);
      INSERT INTO search_state (indexed_seq) VALUES (0);
    `);
  },
  // Responses of targets to re-sent and forwarded deliveries; deleted with their delivery.
  (db) => {
    db.exec(`
      CREATE TABLE target_responses (
        seq INTEGER PRIMARY KEY,
        delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('replay', 'forward')),
        target TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        status INTEGER,
        headers TEXT NOT NULL,
        body BLOB NOT NULL,
        body_size INTEGER NOT NULL,
        resigned INTEGER NOT NULL,
        edited INTEGER NOT NULL,
        error_code TEXT,
        error_message TEXT
      );
      CREATE INDEX target_responses_delivery ON target_responses (delivery_id, seq);
    `);
  },
  // Retries are looked up by a 52-bit integer from the body's SHA-256, not by its 64 hex digits
  // with method and path. Each insert lands at a random place in this index, so small entries matter.
  (db) => {
    db.function('hooktray_body_key', { deterministic: true }, (sha256: unknown) => bodyKey(String(sha256)));
    db.exec(`
      ALTER TABLE deliveries ADD COLUMN body_key INTEGER;
      UPDATE deliveries SET body_key = hooktray_body_key(body_sha256);
      DROP INDEX deliveries_body;
      CREATE INDEX deliveries_body_key ON deliveries (body_key);
    `);
  },
  // The public URL, path token included, that a delivery was verified with when it arrived.
  // Twilio signs that URL, and re-verification after a restart must not use the tunnel's new one.
  (db) => {
    db.exec('ALTER TABLE deliveries ADD COLUMN public_url TEXT');
  },
  // Why a truncated delivery's body was not stored (a TruncatedReason), null for the others.
  // Before the receiver's memory cap, a body over the body limit was the only cause.
  // NOTE: a row that the memory cap truncated before this migration also becomes `body-limit`,
  // because nothing recorded the difference then.
  (db) => {
    db.exec(`
      ALTER TABLE deliveries ADD COLUMN truncated_reason TEXT;
      UPDATE deliveries SET truncated_reason = 'body-limit' WHERE truncated = 1;
    `);
  },
];

/** Returns the retry lookup's key of a body: the first 52 bits of its SHA-256, exact as a JS number. */
export function bodyKey(sha256Hex: string): number {
  const key = parseInt(sha256Hex.slice(0, 13), 16);
  // SQLite would store NaN as NULL. A non-hex digest gets key 0, and the lookup compares the full digest anyway.
  return Number.isNaN(key) ? 0 : key;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to the newest schema; refuses a database written by a newer Hooktray. */
export function migrate(db: Database.Database): void {
  if (schemaVersion(db) === SCHEMA_VERSION) return;

  // Several processes can open an older database at once, such as hooktray listen and hooktray
  // ui after an update. Each migration reads the version after taking the write lock (IMMEDIATE),
  // so it runs in one process and the others find it applied.
  const migrateOnce = db.transaction((): boolean => {
    const version = schemaVersion(db);
    if (version === SCHEMA_VERSION) return false;
    (MIGRATIONS[version] as (db: Database.Database) => void)(db);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  let applied = true;
  while (applied) applied = migrateOnce.immediate();
}

/** A database written by a newer Hooktray, whose schema this version does not know. */
export class NewerSchemaError extends Error {
  override name = 'NewerSchemaError';
  readonly code = 'NEWER_SCHEMA';

  constructor(readonly version: number) {
    super(`The database has schema version ${version}, newer than this Hooktray's ${SCHEMA_VERSION}: update Hooktray or choose another --data-dir.`);
  }
}

/** Returns the database's schema version; throws NewerSchemaError for a database written by a newer Hooktray. */
function schemaVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new NewerSchemaError(version);
  return version;
}
