import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeliveryDetail, HeaderPair } from '../contract';
import { prepareDelivery, REDACTED_VALUE } from './prepare';
import type { PrepareOptions } from './prepare';
import { DEFAULT_TEST_KEY } from './resign';
import { SecretScanner } from './secret-scanner';

const PRODUCTION_KEY = 'prod-key-0123456789';

function delivery(headers: HeaderPair[], body: string | Buffer, scheme: string | null = 'spike'): DeliveryDetail {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    id: '01JRXYZ0000000000000000000',
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/webhooks/spike',
    size: bytes.length,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'valid', scheme, profile: scheme, reason: 'ok' },
    spike: null,
    retryOf: null,
    bodySha256: createHash('sha256').update(bytes).digest('hex'),
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers,
    contentEncoding: null,
    body: bytes,
    decodedBody: null,
    decodeError: null,
    monotonicNs: '1',
  };
}

function options(overrides: Partial<PrepareOptions> = {}): PrepareOptions {
  return { redactHeaders: new Set(['authorization', 'cookie']), signatures: 'keep', scanner: new SecretScanner([PRODUCTION_KEY]), env: {}, ...overrides };
}

const body = '[{"n":12345678901234567890}]';
const signature = createHmac('sha256', PRODUCTION_KEY).update(body).digest('hex');
const headers: HeaderPair[] = [
  ['Host', 'x.loca.lt'],
  ['authorization', 'Bearer abc'],
  ['X-Body-Signature', signature],
  ['Cookie', 'a=1'],
  ['content-type', 'application/json'],
];

describe('prepareDelivery', () => {
  it('redacts Authorization and Cookie by default', () => {
    const result = prepareDelivery(delivery(headers, body), options());
    if (!result.ok) throw new Error(result.skip.message);
    expect(result.prepared.headers.map(([name]) => name)).toEqual(headers.map(([name]) => name));
    expect(result.prepared.headers[1]).toEqual(['authorization', REDACTED_VALUE]);
    expect(result.prepared.headers[3]).toEqual(['Cookie', REDACTED_VALUE]);
    expect(result.prepared.headers[2]).toEqual(['X-Body-Signature', signature]);
    expect(result.prepared.signatures).toBe('kept');
  });

  it('redacts signature headers on request', () => {
    const result = prepareDelivery(delivery(headers, body), options({ signatures: 'redact' }));
    if (!result.ok) throw new Error(result.skip.message);
    expect(result.prepared.headers[2]).toEqual(['X-Body-Signature', REDACTED_VALUE]);
    expect(result.prepared.signatures).toBe('redacted');
  });

  it('re-signs in place with the test key', () => {
    const result = prepareDelivery(delivery(headers, body), options({ signatures: 'resign' }));
    if (!result.ok) throw new Error(result.skip.message);
    const expected = createHmac('sha256', DEFAULT_TEST_KEY).update(body).digest('hex');
    expect(result.prepared.headers[2]).toEqual(['X-Body-Signature', expected]);
    expect(result.prepared.headers.map(([name]) => name)).toEqual(headers.map(([name]) => name));
    expect(result.prepared.signatures).toBe('resigned');
    expect(result.prepared.resignedScheme).toBe('spike');
  });

  it('re-signs with the key from the environment', () => {
    const result = prepareDelivery(delivery(headers, body), options({ signatures: 'resign', env: { HOOKTRAY_TEST_KEY: 'other-test-key' } }));
    if (!result.ok) throw new Error(result.skip.message);
    expect(result.prepared.headers[2]?.[1]).toBe(createHmac('sha256', 'other-test-key').update(body).digest('hex'));
  });

  it('redacts any header quoting a key', () => {
    const result = prepareDelivery(delivery([['X-Debug', `key=${PRODUCTION_KEY}`]], body, null), options({ redactHeaders: new Set() }));
    if (!result.ok) throw new Error(result.skip.message);
    expect(result.prepared.headers[0]).toEqual(['X-Debug', REDACTED_VALUE]);
    expect(result.prepared.redactedHeaders).toEqual(['X-Debug']);
  });

  it('skips a body containing a key', () => {
    const result = prepareDelivery(delivery([], `{"secret":"${PRODUCTION_KEY}"}`), options());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.skip.code).toBe('body-contains-key');
    expect(result.skip.message).not.toContain(PRODUCTION_KEY);
  });

  it('falls back to redaction without a scheme', () => {
    const result = prepareDelivery(delivery([['X-Twilio-Signature', 'abc']], body, null), options({ signatures: 'resign' }));
    if (!result.ok) throw new Error(result.skip.message);
    expect(result.prepared.headers[0]).toEqual(['X-Twilio-Signature', REDACTED_VALUE]);
    expect(result.prepared.signatures).toBe('redacted');
    expect(result.prepared.warnings).toHaveLength(1);
  });
});
