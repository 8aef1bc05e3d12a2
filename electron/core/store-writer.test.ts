import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from './contract';
import type { Capture } from './ingest';
import { EMPTY_ANALYSIS_CONTEXT } from './ingest';
import { DeliveryWriter, openDatabase, writeItems } from './store-writer';

function capture(id: string, verdict?: Verdict): Capture {
  const body = Buffer.from(`{"id":"${id}"}`);
  return {
    id,
    receivedAtMs: Date.now(),
    monotonicNs: '1',
    method: 'POST',
    path: `/${id}`,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    rawHeaders: ['Content-Type', 'application/json'],
    size: body.length,
    truncated: false,
    truncatedReason: null,
    body,
    contentEncoding: null,
    decodedBody: null,
    decodeError: null,
    ...(verdict === undefined ? {} : { verdict }),
  };
}

describe('writeItems', () => {
  it('stores the batch when one verdict cannot be serialized', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hooktray-writer-items-'));
    const db = openDatabase(join(dir, 'hooktray.db'), {});
    // JSON.stringify throws on a BigInt, as it does on a circular value.
    const broken = { status: 'valid', scheme: 'spike', profile: 'spike', reason: 'checked', keyIndex: 0n } as unknown as Verdict;

    const results = writeItems(new DeliveryWriter(db), [{ kind: 'capture', capture: capture('01JWRITERITEMSGOOD00000000') }, { kind: 'capture', capture: capture('01JWRITERITEMSBROKEN000000', broken) }], EMPTY_ANALYSIS_CONTEXT);

    const stored = db.prepare('SELECT id, verdict_status FROM deliveries ORDER BY seq').all();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    expect(stored).toEqual([
      { id: '01JWRITERITEMSGOOD00000000', verdict_status: 'unverified' },
      { id: '01JWRITERITEMSBROKEN000000', verdict_status: 'unverified' },
    ]);
    expect(results[1]?.derived?.verdict.reason).toMatch(/failed to store this delivery's verdict and summary/);
  });
});
