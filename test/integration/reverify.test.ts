import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Capture } from '../../electron/core/ingest';
import { silentLogger } from '../../electron/core/logger';
import { tempDir } from '../support/listen-process';

const COMPILED_WORKER = resolve(__dirname, '..', '..', 'out', 'node', 'core', 'store-writer-worker.js');
const PROFILES = [{ name: 'spike', scheme: 'spike', pathPrefix: '/', options: {} }];
const OLD_KEY = 'reverify-old-key';
const NEW_KEY = 'reverify-new-key';

function signedCapture(id: string, key: string): Capture {
  const body = Buffer.from('[{"event_type":"record_change","application_user_id":"u-1"}]');
  return {
    id,
    receivedAtMs: Date.now(),
    monotonicNs: '1',
    method: 'POST',
    path: '/spike',
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    rawHeaders: ['X-Body-Signature', createHmac('sha256', key).update(body).digest('hex')],
    size: body.length,
    truncated: false,
    truncatedReason: null,
    body,
    contentEncoding: null,
    decodedBody: null,
    decodeError: null,
  };
}

let core: HooktrayCore | null = null;

/** Starts a core whose store analyzes captures on the compiled writer thread, with the old key. */
function startCore(): Promise<HooktrayCore> {
  return HooktrayCore.start({
    version: 'test',
    dataDir: tempDir(),
    port: 0,
    profiles: PROFILES,
    vault: { keysFor: () => [OLD_KEY] },
    logger: silentLogger,
    store: { writerScript: COMPILED_WORKER },
  });
}

afterEach(async () => {
  await core?.stop();
  core = null;
});

describe.skipIf(!existsSync(COMPILED_WORKER))('re-verification with the writer thread (needs npm run build:cli)', () => {
  it('includes deliveries still being written', async () => {
    core = await startCore();

    // Signed with the key the user is about to paste; the writer still checks it with the old one.
    const inFlight = core.store.ingest(signedCapture('01JREVERIFYINFLIGHT0000000', NEW_KEY));
    const changed = await core.setProfiles(PROFILES, { keysFor: () => [NEW_KEY] });

    expect((await inFlight).verdict.status).toBe('invalid');
    expect(changed).toBe(1);
    expect(core.store.get('01JREVERIFYINFLIGHT0000000')?.verdict.status).toBe('valid');
  });

  it('verifies new deliveries with new keys at once', async () => {
    core = await startCore();

    core.useProfiles(PROFILES, { keysFor: () => [NEW_KEY] });
    const stored = await core.store.ingest(signedCapture('01JREVERIFYNEWKEY000000000', NEW_KEY));

    expect(stored.verdict.status).toBe('valid');
  });
});
