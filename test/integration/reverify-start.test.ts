import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Capture } from '../../electron/core/ingest';
import { post, tempDir } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';
import { recordingLogger } from '../support/tunnel-harness';

const PROFILES = [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }];
const KEY = 'reverify-start-made-up-key';

/** Starts a core on `dataDir` whose Spike profile has the given keys. */
function startCore(dataDir: string, keys: string[], logger = recordingLogger()): Promise<HooktrayCore> {
  return HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: PROFILES, vault: { keysFor: () => keys }, logger, store: { synchronous: 'NORMAL' } });
}

/** Posts a Spike body signed with KEY and returns the id of the stored delivery. */
async function postSigned(core: HooktrayCore, user: string): Promise<string> {
  const body = spikeBody(user);
  const response = await post(`${core.receiver.localUrl}/spike/hook`, body, { 'Content-Type': 'application/json', 'X-Body-Signature': spikeSignature(KEY, body) });
  expect(response.status).toBe(200);
  // The receiver responds after the write commits, so the delivery is the newest one stored.
  return core.store.list({ limit: 1 }).items[0]?.id ?? '';
}

function signedCapture(index: number): Capture {
  const body = Buffer.from(spikeBody(`user-${index}`));
  return {
    id: `01JSTARTREVERIFY${String(index).padStart(10, '0')}`,
    receivedAtMs: Date.now(),
    monotonicNs: String(index),
    method: 'POST',
    path: '/spike/hook',
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    rawHeaders: ['X-Body-Signature', spikeSignature(KEY, body)],
    size: body.length,
    truncated: false,
    truncatedReason: null,
    body,
    contentEncoding: null,
    decodedBody: null,
    decodeError: null,
  };
}

describe('re-verification when the core starts', () => {
  let dataDir: string;
  let core: HooktrayCore | null = null;

  beforeEach(() => {
    dataDir = tempDir('hooktray-reverify-start-');
  });

  afterEach(async () => {
    await core?.stop();
    core = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('updates verdicts made without the key', async () => {
    const first = await startCore(dataDir, []);
    const oldId = await postSigned(first, 'user-old');
    expect(first.store.get(oldId)?.verdict.status).toBe('no-key');
    await first.stop();

    const logger = recordingLogger();
    core = await startCore(dataDir, [KEY], logger);
    await core.settings.whenReverified();
    const newId = await postSigned(core, 'user-old');

    expect(core.store.get(oldId)?.verdict.status).toBe('valid');
    expect(core.store.get(newId)?.verdict.status).toBe('valid');
    const finished = logger.entries.find((entry) => entry.message === 'settings: re-verified stored deliveries');
    expect(finished?.context).toMatchObject({ reason: 'start', done: 1, total: 1, changed: 1 });
    expect(JSON.stringify(logger.entries)).not.toContain(KEY);
  });

  it('leaves unchanged verdicts as they are', async () => {
    const first = await startCore(dataDir, [KEY]);
    const id = await postSigned(first, 'user-same');
    await first.stop();

    const logger = recordingLogger();
    core = await startCore(dataDir, [KEY], logger);
    await core.settings.whenReverified();

    expect(core.store.get(id)?.verdict.status).toBe('valid');
    const finished = logger.entries.find((entry) => entry.message === 'settings: re-verified stored deliveries');
    expect(finished?.context).toMatchObject({ reason: 'start', total: 1, changed: 0 });
  });

  it('stops cleanly when the core stops first', async () => {
    const first = await startCore(dataDir, []);
    const ids: string[] = [];
    for (let index = 0; index < 1000; index += 1) ids.push((await first.store.ingest(signedCapture(index))).id);
    await first.stop();

    const stoppedLogger = recordingLogger();
    const stopped = await startCore(dataDir, [KEY], stoppedLogger);
    await stopped.stop();
    expect(stoppedLogger.entries.filter((entry) => entry.level === 'error')).toEqual([]);

    core = await startCore(dataDir, [KEY]);
    await core.settings.whenReverified();
    expect(ids.filter((id) => core?.store.get(id)?.verdict.status !== 'valid')).toEqual([]);
  });
});

describe('re-verification of a Twilio delivery after a restart', () => {
  const TWILIO_PROFILES = [{ name: 'twilio', scheme: 'twilio', pathPrefix: '/twilio', options: {} }];
  const AUTH_TOKEN = 'reverify-made-up-auth-token';
  const TUNNEL_URL = 'https://reverify-test.loca.lt';
  const PATH_TOKEN = 'reverify-path-token';
  let dataDir: string;
  let core: HooktrayCore | null = null;

  function startTwilioCore(): Promise<HooktrayCore> {
    return HooktrayCore.start({
      version: 'test',
      dataDir,
      port: 0,
      profiles: TWILIO_PROFILES,
      vault: { keysFor: () => [AUTH_TOKEN] },
      logger: recordingLogger(),
      store: { synchronous: 'NORMAL' },
      guard: { pathToken: PATH_TOKEN, rateLimitPerSecond: 0 },
    });
  }

  beforeEach(() => {
    dataDir = tempDir('hooktray-reverify-twilio-');
  });

  afterEach(async () => {
    await core?.stop();
    core = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-verifies with the arrival URL', async () => {
    const first = await startTwilioCore();
    first.setTunnelStatus({ state: 'online', url: TUNNEL_URL, reason: null });
    // Twilio signs the URL it posted to, path token included, followed by the sorted form fields.
    const signedUrl = `${TUNNEL_URL}/${PATH_TOKEN}/twilio/sms`;
    const signature = createHmac('sha1', AUTH_TOKEN).update(`${signedUrl}Bodyhello`).digest('base64');
    const response = await post(`${first.receiver.localUrl}/${PATH_TOKEN}/twilio/sms`, 'Body=hello', {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signature,
    });
    expect(response.status).toBe(200);
    const id = first.store.list({ limit: 1 }).items[0]?.id ?? '';
    expect(first.store.get(id)?.verdict.status).toBe('valid');
    await first.stop();

    // Started again without a tunnel: re-verification must use the URL of the delivery's arrival.
    core = await startTwilioCore();
    await core.settings.whenReverified();
    expect(core.store.get(id)?.verdict.status).toBe('valid');
    expect(core.store.publicUrlAtArrival(id)).toBe(`${TUNNEL_URL}/${PATH_TOKEN}`);
  });

  it('re-verifies older deliveries with the current URL', async () => {
    core = await startTwilioCore();
    core.setTunnelStatus({ state: 'online', url: TUNNEL_URL, reason: null });
    const signature = createHmac('sha1', AUTH_TOKEN).update(`${TUNNEL_URL}/${PATH_TOKEN}/twilio/old-sms` + 'Bodyhello').digest('base64');
    const response = await post(`${core.receiver.localUrl}/${PATH_TOKEN}/twilio/old-sms`, 'Body=hello', {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signature,
    });
    expect(response.status).toBe(200);
    const id = core.store.list({ limit: 1 }).items[0]?.id ?? '';
    // As stored by a Hooktray that did not record the URL yet.
    core.store.database.prepare('UPDATE deliveries SET public_url = NULL WHERE id = ?').run(id);
    expect(core.store.publicUrlAtArrival(id)).toBeUndefined();

    await core.setProfiles(TWILIO_PROFILES, { keysFor: () => [AUTH_TOKEN] });
    expect(core.store.get(id)?.verdict.status).toBe('valid');
  });

  it('records an arrival without a tunnel', async () => {
    core = await startTwilioCore();
    const response = await post(`${core.receiver.localUrl}/${PATH_TOKEN}/twilio/local`, 'Body=hello', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    const id = core.store.list({ limit: 1 }).items[0]?.id ?? '';
    expect(core.store.publicUrlAtArrival(id)).toBeNull();
  });
});
