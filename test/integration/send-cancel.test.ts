import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInvokeRequest } from '../../electron/core/contract-schemas';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import { silentLogger } from '../../electron/core/logger';
import type { RawAnswerServer } from '../support/echo-server';
import { startRawAnswerServer } from '../support/echo-server';
import { tempDir } from '../support/listen-process';

const PROFILES = [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }];

const startCore = (): Promise<HooktrayCore> =>
  HooktrayCore.start({
    version: 'test',
    dataDir: tempDir('hooktray-send-cancel-'),
    port: 0,
    profiles: PROFILES,
    vault: new MutableVault({ spike: ['made-up-send-cancel-key'] }),
    logger: silentLogger,
  });

/** Resolves once the silent target has read the head of `count` requests. */
async function receivedRequests(target: RawAnswerServer, count: number): Promise<void> {
  while (target.requests() < count) await new Promise((wait) => setTimeout(wait, 10));
}

let core: HooktrayCore;
let silent: RawAnswerServer;

beforeAll(async () => {
  core = await startCore();
  // Accepts the connection, reads the request and never sends a response.
  silent = await startRawAnswerServer('');
});

afterAll(async () => {
  await core?.stop();
  await silent?.close();
});

describe('cancelling a test delivery', () => {
  it('stops waiting for a silent target', async () => {
    const sendId = 'test-cancel-0001';
    const sending = core.handlers['testEvents.send']({ kind: 'spike', target: `${silent.url}/spike`, sendId });
    await receivedRequests(silent, 1);

    expect(await core.handlers['testEvents.send.cancel']({ sendId })).toEqual({ ok: true });
    const result = await sending;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.status).toBeNull();
    expect(result.profile).toBe('spike');
    expect(result.error?.code).toBe('aborted');
    expect(result.error?.message).toBe(`The request to ${silent.url}/spike was cancelled before the target answered; the target may still have received it.`);

    // The send has ended, so there is nothing left to cancel.
    const again = await core.handlers['testEvents.send.cancel']({ sendId });
    expect(again).toMatchObject({ ok: false, code: 'not-found' });
    if (!again.ok) expect(again.message).toContain(`No test delivery ${sendId} is waiting`);
  });

  it('leaves test deliveries to their own channel', async () => {
    const before = silent.requests();
    const sendId = 'test-cancel-0002';
    const sending = core.handlers['testEvents.send']({ kind: 'spike', target: `${silent.url}/spike`, sendId });
    await receivedRequests(silent, before + 1);

    // The re-send channel cancels only re-sends, so the test delivery keeps waiting.
    expect(await core.handlers['deliveries.replay.cancel']({ sendId })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await core.handlers['testEvents.send.cancel']({ sendId })).toEqual({ ok: true });
    const result = await sending;
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.error?.code).toBe('aborted');
  });

  it('names the unknown sendId', async () => {
    const result = await core.handlers['testEvents.send.cancel']({ sendId: 'never-sent-0003' });
    expect(result).toEqual({ ok: false, code: 'not-found', message: 'No test delivery never-sent-0003 is waiting for its target; it may have finished already.' });
  });

  it('is aborted when the core stops', async () => {
    const stopping = await startCore();
    const before = silent.requests();
    const sending = stopping.handlers['testEvents.send']({ kind: 'spike', target: `${silent.url}/spike` });
    await receivedRequests(silent, before + 1);

    await stopping.stop();
    const result = await sending;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.error?.code).toBe('aborted');
    expect(result.error?.message).toContain('because Hooktray stopped');
  });
});

describe('test delivery sendId schema', () => {
  it('accepts a UUID on both channels', () => {
    const sendId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(parseInvokeRequest('testEvents.send', { kind: 'spike', target: 'http://127.0.0.1:3000/spike', sendId }).ok).toBe(true);
    expect(parseInvokeRequest('testEvents.send.cancel', { sendId }).ok).toBe(true);
  });

  it('rejects a malformed sendId', () => {
    const check = parseInvokeRequest('testEvents.send.cancel', { sendId: 'a b' });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toBe('Invalid request on channel "testEvents.send.cancel": field "sendId": expected 8 to 64 letters, digits, "-" or "_".');
    expect(parseInvokeRequest('testEvents.send', { kind: 'spike', target: 'http://127.0.0.1:3000/spike', sendId: 'short' }).ok).toBe(false);
  });
});
