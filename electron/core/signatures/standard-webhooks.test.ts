import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { standardWebhooksKey, standardWebhooksVerifier } from './standard-webhooks';
import type { SignedRequest, VerifyContext } from './types';

// Source: standard-webhooks libraries/javascript/src/webhook.test.ts ("sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT_VECTOR: VerifyContext = { now: 1_614_265_330_000 };

function headers(prefix = 'webhook-', overrides: Partial<Record<'id' | 'timestamp' | 'signature', string | null>> = {}): HeaderPair[] {
  const values = { id: VECTOR.id, timestamp: VECTOR.timestamp, signature: VECTOR.signature, ...overrides };
  return (['id', 'timestamp', 'signature'] as const).flatMap((name): HeaderPair[] => (values[name] === null ? [] : [[`${prefix}${name}`, values[name]]]));
}

function verify(headerPairs: HeaderPair[], body: string, keys: string[], context: VerifyContext = AT_VECTOR) {
  const request: SignedRequest = { method: 'POST', path: '/sw', headers: headerPairs, body: Buffer.from(body), decodedBody: null, publicUrl: null };
  return standardWebhooksVerifier.verify(request, keys, standardWebhooksVerifier.optionsSchema.parse({}), context);
}

describe('standard webhooks verifier', () => {
  it('accepts the library test vector', () => {
    const verdict = verify(headers(), VECTOR.payload, [VECTOR.secret]);
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('base64');
  });

  it('signs the library test vector', () => {
    const signed = standardWebhooksVerifier.sign(Buffer.from(VECTOR.payload), VECTOR.secret, {}, AT_VECTOR.now, { messageId: VECTOR.id });
    expect(signed).toEqual(headers());
  });

  it('accepts the key without whsec_', () => {
    expect(verify(headers(), VECTOR.payload, [VECTOR.secret.slice('whsec_'.length)]).status).toBe('valid');
  });

  it('accepts svix header names', () => {
    expect(verify(headers('svix-'), VECTOR.payload, [VECTOR.secret]).status).toBe('valid');
  });

  it('accepts one valid of several signatures', () => {
    // The library's "multi sig payload is valid" case, with a v2 entry that must be ignored.
    const signature = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', VECTOR.signature].join(' ');
    expect(verify(headers('webhook-', { signature }), VECTOR.payload, [VECTOR.secret]).status).toBe('valid');
  });

  it('rejects an invalid signature', () => {
    // The library's "invalid signature throws error" value.
    expect(verify(headers('webhook-', { signature: 'v1,dawfeoifkpqwoekfpqoekf' }), VECTOR.payload, [VECTOR.secret]).status).toBe('invalid');
  });

  it('rejects a partial signature', () => {
    expect(verify(headers('webhook-', { signature: VECTOR.signature.slice(0, 8) }), VECTOR.payload, [VECTOR.secret]).status).toBe('invalid');
  });

  it('reports no v1 entry as malformed', () => {
    expect(verify(headers('webhook-', { signature: 'v2,abc' }), VECTOR.payload, [VECTOR.secret]).status).toBe('malformed-header');
  });

  it('reports a missing signature', () => {
    expect(verify(headers('webhook-', { signature: null }), VECTOR.payload, [VECTOR.secret]).status).toBe('missing-signature');
  });

  it('reports a missing id', () => {
    const verdict = verify(headers('webhook-', { id: null }), VECTOR.payload, [VECTOR.secret]);
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toBe('The request has the webhook-signature header but no webhook-id header.');
  });

  it('reports a missing timestamp', () => {
    expect(verify(headers('webhook-', { timestamp: null }), VECTOR.payload, [VECTOR.secret]).status).toBe('malformed-header');
  });

  it('reports a timestamp that is not a number', () => {
    expect(verify(headers('webhook-', { timestamp: 'hello' }), VECTOR.payload, [VECTOR.secret]).status).toBe('malformed-header');
  });

  it('reports old and new timestamps', () => {
    // The library rejects timestamps more than five minutes old or new.
    const old = verify(headers(), VECTOR.payload, [VECTOR.secret], { now: AT_VECTOR.now + 301_000 });
    const early = verify(headers(), VECTOR.payload, [VECTOR.secret], { now: AT_VECTOR.now - 301_000 });
    expect(old.status).toBe('timestamp-out-of-tolerance');
    expect(early.status).toBe('timestamp-out-of-tolerance');
    expect(early.reason).toContain('ahead of');
  });

  it('cross-checks library signatures', () => {
    for (let round = 0; round < 20; round += 1) {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const payload = JSON.stringify({ type: 'invoice.paid', data: randomBytes(48).toString('base64') });
      const signature = new Webhook(secret).sign(id, new Date(AT_VECTOR.now), payload);
      const signed: HeaderPair[] = [['webhook-id', id], ['webhook-timestamp', VECTOR.timestamp], ['webhook-signature', signature]];

      expect(verify(signed, payload, [secret]).status).toBe('valid');
      expect(verify(signed, `${payload} `, [secret]).status).toBe('invalid');
    }
  });

  it('signs what the library verifies', () => {
    const now = Date.now();
    const signed = standardWebhooksVerifier.sign(Buffer.from(VECTOR.payload), VECTOR.secret, {}, now);
    expect(new Webhook(VECTOR.secret).verify(VECTOR.payload, Object.fromEntries(signed))).toEqual({ test: 2432232314 });
  });

  it('reads keys strictly', () => {
    expect(standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')?.length).toBe(24);
    expect(standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n')).toBeNull();
    expect(standardWebhooksKey('not base64!')).toBeNull();
  });
});
