import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { parseStripeHeader, stripeVerifier } from './stripe';
import type { SignedRequest, VerifyContext } from './types';

// Source: stripe-node test/Webhook.spec.ts, whose SECRET and EVENT_PAYLOAD_STRING these are.
const SECRET = 'whsec_test_secret';
const EVENT_PAYLOAD_STRING = JSON.stringify({ id: 'evt_test_webhook', object: 'event' }, null, 2);
const webhooks = Stripe.webhooks;

function request(header: string | null, body: string): SignedRequest {
  const headers: HeaderPair[] = header === null ? [] : [['Stripe-Signature', header]];
  return { method: 'POST', path: '/stripe', headers, body: Buffer.from(body), decodedBody: null, publicUrl: null };
}

function verify(header: string | null, body: string, keys: string[], context: VerifyContext, options: Record<string, unknown> = {}) {
  return stripeVerifier.verify(request(header, body), keys, stripeVerifier.optionsSchema.parse(options), context);
}

describe('stripe verifier', () => {
  it('accepts a stripe-node test header', () => {
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_000_000 });
    const verdict = verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_010_000 });
    expect(verdict.status).toBe('valid');
    expect(verdict.keyIndex).toBe(0);
  });

  it('accepts one valid of several v1', () => {
    // stripe-node's "at least one valid signature" case appends ",v1=potato".
    const header = `${webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_000_000 })},v1=potato`;
    expect(verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 }).status).toBe('valid');
  });

  it('reports a header of the wrong format', () => {
    // stripe-node rejects "bad_header" with "Unable to extract timestamp and signatures from header".
    const verdict = verify('bad_header', EVENT_PAYLOAD_STRING, [SECRET], { now: 0 });
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain('t=');
  });

  it('ignores v0 signatures', () => {
    // stripe-node rejects a header generated with scheme "v0": "No signatures found with expected scheme".
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, scheme: 'v0', timestamp: 1_700_000_000 });
    const verdict = verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 });
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain('v1=');
  });

  it('rejects a signature it did not make', () => {
    // stripe-node's "no valid signatures for the payload" case signs with signature "bad_signature".
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, signature: 'bad_signature', timestamp: 1_700_000_000 });
    expect(verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 }).status).toBe('invalid');
  });

  it('reports a timestamp outside tolerance', () => {
    // stripe-node: receivedAt 20000000 ms, timestamp 15 s earlier, tolerance 10 s.
    const receivedAt = 20_000_000;
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: receivedAt / 1000 - 15 });
    const verdict = verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: receivedAt }, { toleranceSeconds: 10 });
    expect(verdict.status).toBe('timestamp-out-of-tolerance');
    expect(verdict.keyIndex).toBe(0);
  });

  it('accepts a timestamp inside tolerance', () => {
    const receivedAt = 20_000_000;
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: receivedAt / 1000 - 9 });
    expect(verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: receivedAt }, { toleranceSeconds: 10 }).status).toBe('valid');
  });

  it('skips the check at tolerance 0', () => {
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 12_345 });
    expect(verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 }, { toleranceSeconds: 0 }).status).toBe('valid');
  });

  it('accepts future timestamps like stripe-node', () => {
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_003_600 });
    expect(verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 }).status).toBe('valid');
  });

  it('cross-checks random bodies', () => {
    for (let round = 0; round < 20; round += 1) {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      const payload = JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, data: randomBytes(64).toString('base64') });
      const header = webhooks.generateTestHeaderString({ payload, secret, timestamp: 1_700_000_000 });

      expect(verify(header, payload, [secret], { now: 1_700_000_000_000 }).status).toBe('valid');
      expect(verify(header, payload.replace('evt_', 'evt-'), [secret], { now: 1_700_000_000_000 }).status).toBe('invalid');
    }
  });

  it('signs what stripe-node verifies', () => {
    const [[, header]] = stripeVerifier.sign(Buffer.from(EVENT_PAYLOAD_STRING), SECRET, stripeVerifier.optionsSchema.parse({}), Date.now()) as [HeaderPair];
    const event = webhooks.constructEvent(EVENT_PAYLOAD_STRING, header, SECRET);
    expect(event.id).toBe('evt_test_webhook');
  });

  it('reports a missing header', () => {
    expect(verify(null, EVENT_PAYLOAD_STRING, [SECRET], { now: 0 }).status).toBe('missing-signature');
  });

  it('reports a profile without keys', () => {
    const header = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_000_000 });
    expect(verify(header, EVENT_PAYLOAD_STRING, [], { now: 0 }).status).toBe('no-key');
  });

  it('reports different t= values', () => {
    const seconds = Math.floor(Date.now() / 1000);
    const signed = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: seconds });
    const header = `t=1,${signed}`;
    // stripe-node 23 keeps the last t=, so it accepts the header that stripe-python rejects.
    expect(webhooks.constructEvent(EVENT_PAYLOAD_STRING, header, SECRET).id).toBe('evt_test_webhook');

    const verdict = verify(header, EVENT_PAYLOAD_STRING, [SECRET], { now: seconds * 1000 });
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain(`The Stripe-Signature header has 2 different timestamps (t=1, t=${seconds}), but Stripe's format has one`);
    expect(verdict.reason).toContain(`The signature matches key 1 with t=${seconds}.`);
  });

  it('reports different t= values without a match', () => {
    const header = `t=1700000000,${webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_000_001 })}`;
    const verdict = verify(header, EVENT_PAYLOAD_STRING, ['whsec_other'], { now: 1_700_000_000_000 });
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain('The signature does not match the key with any of them.');
  });

  it('accepts a repeated identical t=', () => {
    const signed = webhooks.generateTestHeaderString({ payload: EVENT_PAYLOAD_STRING, secret: SECRET, timestamp: 1_700_000_000 });
    expect(verify(`t=1700000000,${signed}`, EVENT_PAYLOAD_STRING, [SECRET], { now: 1_700_000_000_000 }).status).toBe('valid');
  });

  it('parses every v1 entry', () => {
    expect(parseStripeHeader('t=12, v1=aa,v0=bb,v1=cc')).toEqual({ timestamps: ['12'], v1: ['aa', 'cc'] });
  });

  it('parses every t entry', () => {
    expect(parseStripeHeader('t=1,t=12,v1=aa').timestamps).toEqual(['1', '12']);
  });
});
