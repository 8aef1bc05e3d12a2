import type Database from 'better-sqlite3';
import type { HeaderPair, TargetResponse, TargetResponseKind } from './contract';

/** A target response ready to store; the store assigns `id`. */
export type NewTargetResponse = Omit<TargetResponse, 'id'>;

interface TargetResponseRow {
  seq: number;
  delivery_id: string;
  kind: TargetResponseKind;
  target: string;
  sent_at: number;
  duration_ms: number;
  status: number | null;
  headers: string;
  body: Buffer;
  body_size: number;
  resigned: number;
  edited: number;
  error_code: string | null;
  error_message: string | null;
}

/**
 * Reads and writes the responses of targets to re-sent and forwarded deliveries, in the
 * `target_responses` table of the delivery store's database. Rows go when their delivery is
 * deleted (foreign key with ON DELETE CASCADE).
 */
export class TargetResponseStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare(`INSERT INTO target_responses (delivery_id, kind, target, sent_at, duration_ms, status, headers, body, body_size,
        resigned, edited, error_code, error_message) VALUES (@delivery_id, @kind, @target, @sent_at, @duration_ms, @status, @headers,
        @body, @body_size, @resigned, @edited, @error_code, @error_message)`),
      byDelivery: db.prepare('SELECT * FROM target_responses WHERE delivery_id = ? ORDER BY seq'),
      countByKind: db.prepare('SELECT count(*) AS n FROM target_responses WHERE kind = ?'),
    };
  }

  /** Stores a response and returns it with its row number. Throws when the delivery no longer exists. */
  add(response: NewTargetResponse): TargetResponse {
    const info = this.statements.insert.run({
      delivery_id: response.deliveryId,
      kind: response.kind,
      target: response.target,
      sent_at: Date.parse(response.sentAt),
      duration_ms: response.durationMs,
      status: response.status,
      headers: JSON.stringify(response.headers),
      body: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength),
      body_size: response.bodySize,
      resigned: response.resigned ? 1 : 0,
      edited: response.edited ? 1 : 0,
      error_code: response.error?.code ?? null,
      error_message: response.error?.message ?? null,
    });
    return { ...response, id: Number(info.lastInsertRowid) };
  }

  /** Returns a delivery's recorded responses, oldest first. */
  forDelivery(deliveryId: string): TargetResponse[] {
    const rows = this.statements.byDelivery.all(deliveryId) as TargetResponseRow[];
    return rows.map(fromRow);
  }

  count(kind: TargetResponseKind): number {
    return (this.statements.countByKind.get(kind) as { n: number }).n;
  }
}

function fromRow(row: TargetResponseRow): TargetResponse {
  return {
    id: row.seq,
    deliveryId: row.delivery_id,
    kind: row.kind,
    target: row.target,
    sentAt: new Date(row.sent_at).toISOString(),
    durationMs: row.duration_ms,
    status: row.status,
    headers: JSON.parse(row.headers) as HeaderPair[],
    body: row.body,
    bodySize: row.body_size,
    resigned: row.resigned === 1,
    edited: row.edited === 1,
    error: row.error_code === null ? null : { code: row.error_code as NonNullable<TargetResponse['error']>['code'], message: row.error_message ?? '' },
  };
}
