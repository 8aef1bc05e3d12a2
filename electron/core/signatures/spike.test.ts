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

  it('names a sha256= prefix and a matching digest', () => {
    for (const encoding of ['hex', 'base64'] as const) {
      const result = verify([['X-Body-Signature', `sha256=${digest.toString(encoding)}`]], BODY, ['other-key', KEY]);
      expect(result.status).toBe('malformed-header');
      expect(result.reason).toContain('starts with "sha256=", which Spike does not send');
      expect(result.reason).toContain(`the digest after it is the HMAC-SHA256 of the body with key 2 (${encoding})`);
      expect(result.reason).toContain('remove the prefix');
    }
  });

  it('names a prefix and a digest that matches no key', () => {
    const result = verify([['X-Body-Signature', `sha256=${digest.toString('hex')}`]], BODY, ['other-key']);
    expect(result.status).toBe('malformed-header');
    expect(result.reason).toContain('starts with "sha256="');
    expect(result.reason).toContain('and the digest after it does not match the key either');
  });

  it('names a prefix without keys', () => {
    const result = verify([['X-Body-Signature', `v1=${digest.toString('hex')}`]], BODY, []);
    expect(result.status).toBe('malformed-header');
    expect(result.reason).toContain('starts with "v1="');
    expect(result.reason).toContain('add the shared key');
  });

  it('names a prefix before a short digest', () => {
    const result = verify([['X-Body-Signature', 'sha256=abcdef']], BODY, [KEY]);
    expect(result.status).toBe('malformed-header');
    expect(result.reason).toContain('starts with "sha256="');
    expect(result.reason).toContain('the 6 characters after it are not an HMAC-SHA256 digest');
  });

  it('reads a padded base64 digest without a prefix', () => {
    const padded = createHmac('sha256', KEY).update('[]').digest('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(verify([['X-Body-Signature', padded]], '[]', [KEY]).status).toBe('valid');
  });

  it('reports a profile without keys', () => {
    const verdict = verify([['X-Body-Signature', digest.toString('hex')]], BODY, []);
    expect(verdict.status).toBe('no-key');
    expect(verdict.reason).toContain('Spike');
  });
});
