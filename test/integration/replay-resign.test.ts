import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeaderPair } from '../../electron/core/contract';
import { findHeader } from '../../electron/core/headers';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import { silentLogger } from '../../electron/core/logger';
import type { EchoedRequest, EchoServer } from '../support/echo-server';
import { postRaw, startEchoServer } from '../support/echo-server';
import { tempDir } from '../support/listen-process';

const STRIPE_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const STANDARD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const stripe = new Stripe('sk_test_not_used_for_requests');

let core: HooktrayCore;
let verifier: EchoServer;

/** Verifies with the providers' own libraries: 200 when accepted, 400 with the library's message otherwise. */
function verifyWithProviderLibrary(request: EchoedRequest): { status: number; body: string } {
  const headers = Object.fromEntries(request.headers.map(([name, value]) => [name.toLowerCase(), value]));
  try {
    if (request.url.startsWith('/stripe')) {
      stripe.webhooks.constructEvent(request.body.toString('utf8'), headers['stripe-signature'] ?? '', STRIPE_SECRET);
    } else {
      new Webhook(STANDARD_SECRET).verify(request.body.toString('utf8'), headers);
    }
    return { status: 200, body: '{"accepted":true}' };
  } catch (error) {
    return { status: 400, body: JSON.stringify({ error: (error as Error).message }) };
  }
}

beforeAll(async () => {
  core = await HooktrayCore.start({
    version: 'test',
    dataDir: tempDir('hooktray-resign-'),
    port: 0,
    profiles: [
      { name: 'stripe', scheme: 'stripe', pathPrefix: '/hooks/stripe', options: {} },
      { name: 'standard', scheme: 'standard-webhooks', pathPrefix: '/hooks/standard', options: {} },
    ],
    vault: new MutableVault({ stripe: [STRIPE_SECRET], standard: [STANDARD_SECRET] }),
    logger: silentLogger,
  });
  verifier = await startEchoServer(verifyWithProviderLibrary);
});

afterAll(async () => {
  await core?.stop();
  await verifier?.close();
});

const HOUR_S = 3600;
// Written as text so the number beyond 2^53 reaches the wire unrounded.
const body = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"amount":9007199254740993}}}';

async function captureSigned(path: string, signature: HeaderPair[]): Promise<string> {
  const headers: HeaderPair[] = [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json'], ...signature];
  const posted = await postRaw(`${core.receiver.localUrl}${path}`, headers, Buffer.from(body));
  expect(posted.status).toBe(200);
  return posted.deliveryId as string;
}

describe('re-send with --resign', () => {
  it('passes stripe.webhooks.constructEvent with a fresh timestamp', async () => {
    const staleTimestamp = Math.floor(Date.now() / 1000) - HOUR_S;
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET, timestamp: staleTimestamp });
    const id = await captureSigned('/hooks/stripe/events', [['Stripe-Signature', header]]);
    const stored = await core.handlers['deliveries.get']({ id });
    expect(stored?.verdict.status).toBe('timestamp-out-of-tolerance');

    const plain = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/stripe` });
    expect(plain.ok).toBe(true);
    if (plain.ok) expect(plain.response.status).toBe(400);

    const resigned = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/stripe`, resign: true });
    expect(resigned.ok).toBe(true);
    if (!resigned.ok) return;
    expect(resigned.response.status).toBe(200);
    expect(resigned.response.resigned).toBe(true);
    const sent = verifier.requests.at(-1);
    const timestamp = Number(/t=(\d+)/.exec(findHeader(sent?.headers ?? [], 'stripe-signature') ?? '')?.[1]);
    expect(timestamp).toBeGreaterThan(staleTimestamp + HOUR_S - 60);
    expect(sent?.body.toString()).toBe(body);
  });

  it('passes standardwebhooks Webhook.verify with a fresh timestamp', async () => {
    const staleDate = new Date(Date.now() - HOUR_S * 1000);
    const messageId = 'msg_resign_test';
    const signature = new Webhook(STANDARD_SECRET).sign(messageId, staleDate, body);
    const id = await captureSigned('/hooks/standard/messages', [
      ['webhook-id', messageId],
      ['webhook-timestamp', String(Math.floor(staleDate.getTime() / 1000))],
      ['webhook-signature', signature],
    ]);

    const plain = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/standard` });
    expect(plain.ok).toBe(true);
    if (plain.ok) expect(plain.response.status).toBe(400);

    const resigned = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/standard`, resign: true });
    expect(resigned.ok).toBe(true);
    if (resigned.ok) expect(resigned.response.status).toBe(200);
    const sent = verifier.requests.at(-1)?.headers ?? [];
    expect(findHeader(sent, 'webhook-id')).toBe(messageId);
    expect(Number(findHeader(sent, 'webhook-timestamp'))).toBeGreaterThan(Math.floor(staleDate.getTime() / 1000) + HOUR_S - 60);
    expect(sent.map(([name]) => name)).toEqual(['Host', 'Content-Type', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'Content-Length', 'Connection']);
  });

  it('signs an edited body', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
    const id = await captureSigned('/hooks/stripe/edited', [['Stripe-Signature', header]]);
    const edited = Buffer.from(body.replace('9007199254740993', '9007199254740995'));

    const result = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/stripe`, resign: true, edits: { body: edited } });

    expect(result.ok).toBe(true);

    if (result.ok) expect(result.response.status).toBe(200);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.response.edited).toBe(true);
    expect(verifier.requests.at(-1)?.body.equals(edited)).toBe(true);
  });

  it('names the missing profile', async () => {
    const id = await captureSigned('/unprofiled', []);
    const result = await core.handlers['deliveries.replay']({ id, target: `${verifier.url}/stripe`, resign: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('no-profile');
      expect(result.message).toContain('/unprofiled');
    }
  });
});
