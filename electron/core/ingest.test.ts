import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalysisContext, Capture } from './ingest';
import { EMPTY_ANALYSIS_CONTEXT, ingestCapture, quickVerdict } from './ingest';

const KEY = 'ingest-test-key';
const CONTEXT: AnalysisContext = {
  profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', options: {} }],
  keys: new Map([['spike', [KEY]]]),
  publicUrl: null,
};

function capture(body: string, signedBody = body): Capture {
  const bytes = Buffer.from(body);
  return {
    id: '01JTESTTESTTESTTESTTESTTES',
    receivedAtMs: Date.parse('2026-12-04T10:00:00.000Z'),
    monotonicNs: '1',
    method: 'POST',
    path: '/spike',
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    rawHeaders: ['Content-Type', 'application/json', 'X-Body-Signature', createHmac('sha256', KEY).update(signedBody).digest('hex')],
    size: bytes.length,
    truncated: false,
    truncatedReason: null,
    body: bytes,
    contentEncoding: null,
    decodedBody: null,
    decodeError: null,
  };
}

const SPIKE_BODY = JSON.stringify([{ application_user_id: 'user-1', event_type: 'record_change', metrics: ['steps'] }]);

describe('quickVerdict', () => {
  it('verifies a valid signature', () => {
    expect(quickVerdict(capture(SPIKE_BODY), CONTEXT, Date.now())).toMatchObject({ status: 'valid', profile: 'spike', encoding: 'hex' });
  });

  it('leaves the diagnosis out', () => {
    const verdict = quickVerdict(capture(`${SPIKE_BODY}\n`, SPIKE_BODY), CONTEXT, Date.now());
    expect(verdict?.status).toBe('invalid');
    expect(verdict?.diagnosis).toBeUndefined();
  });
});

describe('ingestCapture', () => {
  it('keeps a valid quick verdict', () => {
    const valid = capture(SPIKE_BODY);
    const known = { status: 'valid' as const, scheme: 'spike', profile: 'spike', keyIndex: 0, encoding: 'hex' as const, reason: 'checked on the receiver' };
    const { derived } = ingestCapture({ ...valid, verdict: known }, CONTEXT, Date.now());
    expect(derived.verdict).toBe(known);
    expect(derived.spike).toMatchObject({ users: ['user-1'], metrics: ['steps'] });
    expect(derived.spike).not.toHaveProperty('events');
  });

  it('diagnoses an invalid quick verdict', () => {
    const mismatched = capture(`${SPIKE_BODY}\n`, SPIKE_BODY);
    const verdict = quickVerdict(mismatched, CONTEXT, Date.now());
    const { derived } = ingestCapture({ ...mismatched, ...(verdict === undefined ? {} : { verdict }) }, CONTEXT, Date.now());
    expect(derived.verdict.status).toBe('invalid');
    expect(derived.verdict.diagnosis).toMatch(/without its final newline/);
  });

  it('keeps the decoded body', () => {
    const json = Buffer.from('{"a":1}');
    const gzipped = { ...capture(''), contentEncoding: 'gzip', body: gzipSync(json), decodedBody: new Uint8Array(json) };
    const { captured } = ingestCapture(gzipped, EMPTY_ANALYSIS_CONTEXT, Date.now());
    expect(captured.contentEncoding).toBe('gzip');
    expect(Buffer.isBuffer(captured.decodedBody)).toBe(true);
    expect(Buffer.from(captured.decodedBody ?? []).toString()).toBe('{"a":1}');
  });

  it('summarizes no encoded body it could not decode', () => {
    const notKept = { ...capture(''), contentEncoding: 'gzip', body: gzipSync(SPIKE_BODY), decodeError: 'The decoded body is over the body limit.' };
    const { analysis } = ingestCapture(notKept, CONTEXT, Date.now());
    expect(analysis.spike).toBeNull();
  });

  it('hashes and pairs the capture', () => {
    const { captured, derived } = ingestCapture(capture('{"a":1}'), EMPTY_ANALYSIS_CONTEXT, Date.now());
    expect(derived.bodySha256).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
    expect(captured.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['X-Body-Signature', expect.any(String)],
    ]);
    expect(captured.receivedAt).toBe('2026-12-04T10:00:00.000Z');
    expect(derived.verdict.status).toBe('unverified');
  });

  it('reports a check that throws', () => {
    const broken: AnalysisContext = {
      ...CONTEXT,
      keys: {
        get() {
          throw new Error('key store unavailable');
        },
      } as unknown as Map<string, string[]>,
    };
    const { derived } = ingestCapture(capture(SPIKE_BODY), broken, Date.now());
    expect(derived.verdict.status).toBe('unverified');
    expect(derived.verdict.reason).toMatch(/key store unavailable/);
    expect(derived.verdict.profile).toBe('spike');
    expect(derived.spike).toMatchObject({ users: ['user-1'] });
  });
});
