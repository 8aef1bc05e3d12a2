import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { spikeVerifier } from './spike';
import type { SignedRequest } from './types';

const KEY = 'spike-shared-key';
const BODY = '[{"application_user_id":"u1","timestamp":"2025-04-15T13:33:55.271331177Z","event_type":"record_change","metrics":["steps"]}]';

function verify(headers: HeaderPair[], body: string, keys: string[]) {
  const request: SignedRequest = { method: 'POST', path: '/spike', headers, body: Buffer.from(body), decodedBody: null, publicUrl: null };
  return spikeVerifier.verify(request, keys, {}, { now: 0 });
}

describe('spike verifier', () => {
  const digest = createHmac('sha256', KEY).update(BODY).digest();

  it('accepts a hex digest', () => {
    const verdict = verify([['X-Body-Signature', digest.toString('hex')]], BODY, [KEY]);
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('hex');
  });

  it('accepts a base64 digest', () => {
    const verdict = verify([['X-Body-Signature', digest.toString('base64')]], BODY, [KEY]);
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('base64');
  });

  it('signs in the requested encoding', () => {
    expect(spikeVerifier.sign(Buffer.from(BODY), KEY, {}, 0)).toEqual([['X-Body-Signature', digest.toString('hex')]]);
    expect(spikeVerifier.sign(Buffer.from(BODY), KEY, {}, 0, { encoding: 'base64' })).toEqual([['X-Body-Signature', digest.toString('base64')]]);
  });

  it('rejects a changed body', () => {
    expect(verify([['X-Body-Signature', digest.toString('hex')]], `${BODY} `, [KEY]).status).toBe('invalid');
  });

  it('reports a missing header', () => {
    expect(verify([], BODY, [KEY]).status).toBe('missing-signature');
  });

  it('reports an empty header', () => {
    expect(verify([['X-Body-Signature', ' ']], BODY, [KEY]).status).toBe('malformed-header');
  });

  it('reports a header in no encoding', () => {
    expect(verify([['X-Body-Signature', 'sig: ???']], BODY, [KEY]).status).toBe('malformed-header');
  });

  it('reports a digest of the wrong length', () => {
    const result = verify([['X-Body-Signature', 'zzz']], BODY, [KEY]);
    expect(result.status).toBe('malformed-header');
    expect(result.reason).toContain('3 characters');
  });

  it('reports a profile without keys', () => {
    const verdict = verify([['X-Body-Signature', digest.toString('hex')]], BODY, []);
    expect(verdict.status).toBe('no-key');
    expect(verdict.reason).toContain('Spike');
  });
});
