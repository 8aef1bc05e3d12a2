import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { NewDelivery } from '../../electron/core/store-writer';
import { UlidGenerator } from '../../electron/core/ulid';

const ulids = new UlidGenerator();

/**
 * Returns an unverified delivery that arrived now, with a new id, ready for DeliveryStore.add.
 * `body` sets the body bytes, and the size and hash follow from it; `fields` overrides the rest.
 */
export function testDelivery(body: Buffer, fields: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: ulids.next(Date.now()),
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/hook',
    size: body.length,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'unverified', scheme: null, profile: null, reason: 'No profile covers this path.' },
    spike: null,
    bodySha256: createHash('sha256').update(body).digest('hex'),
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers: [['Content-Type', 'application/json']],
    contentEncoding: null,
    body,
    decodedBody: null,
    decodeError: null,
    monotonicNs: '0',
    ...fields,
  };
}

/** Returns the schema version (`PRAGMA user_version`) of a database file, opened read-only. */
export function schemaVersionOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}
