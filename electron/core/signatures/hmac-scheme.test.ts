import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { hmacVerifier } from './hmac-scheme';
import type { SignedRequest, VerifyContext } from './types';

const KEY = 'generic-secret';
const BODY = '{"event":"ping"}';
const NOW: VerifyContext = { now: 1_700_000_000_000 };

function verify(headers: HeaderPair[], options: Record<string, unknown>, keys: string[] = [KEY], context: VerifyContext = NOW, body = BODY) {
  const request: SignedRequest = { method: 'POST', path: '/generic?x=1', headers, body: Buffer.from(body), decodedBody: null, publicUrl: null };
  return hmacVerifier.verify(request, keys, hmacVerifier.optionsSchema.parse(options), context);
}

function optionsError(options: Record<string, unknown>): string | undefined {
  const result = hmacVerifier.optionsSchema.safeParse(options);
  return result.success ? undefined : `${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message}`;
}

describe('generic hmac verifier', () => {
  it('accepts a hex body digest', () => {
    const signature = createHmac('sha256', KEY).update(BODY).digest('hex');
    expect(verify([['X-Signature', signature]], { header: 'X-Signature' }).status).toBe('valid');
  });

  it('accepts prefix, sha512 and base64', () => {
    const signature = `SHA512=${createHmac('sha512', KEY).update(BODY).digest('base64')}`;
    const options = { header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' };
    expect(verify([['X-Sig', signature]], options).status).toBe('valid');
  });

  it('accepts a timestamp template', () => {
    const signature = createHmac('sha1', KEY).update(`1700000000.POST./generic?x=1.${BODY}`).digest('hex');
    const options = { header: 'X-Sig', algorithm: 'sha1', template: '{timestamp}.{method}.{path}.{body}', timestampHeader: 'X-Timestamp' };
    expect(verify([['X-Sig', signature], ['X-Timestamp', '1700000000']], options).status).toBe('valid');
  });

  it('accepts a millisecond timestamp', () => {
    const signature = createHmac('sha256', KEY).update(`1700000000123:${BODY}`).digest('hex');
    const options = { header: 'X-Sig', template: '{timestamp}:{body}', timestampHeader: 'X-Timestamp' };
    expect(verify([['X-Sig', signature], ['X-Timestamp', '1700000000123']], options).status).toBe('valid');
  });

  it('reports an old timestamp', () => {
    const signature = createHmac('sha256', KEY).update(`1699990000.${BODY}`).digest('hex');
    const options = { header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Timestamp' };
    const verdict = verify([['X-Sig', signature], ['X-Timestamp', '1699990000']], options);
    expect(verdict.status).toBe('timestamp-out-of-tolerance');
    expect(verdict.keyIndex).toBe(0);
  });

  it('reads base64 and hex keys', () => {
    const raw = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const signature = createHmac('sha256', raw).update(BODY).digest('hex');
    expect(verify([['X-Sig', signature]], { header: 'X-Sig', keyEncoding: 'base64' }, [raw.toString('base64')]).status).toBe('valid');
    expect(verify([['X-Sig', signature]], { header: 'X-Sig', keyEncoding: 'hex' }, [raw.toString('hex')]).status).toBe('valid');
  });

  it('signs what it verifies', () => {
    const options = hmacVerifier.optionsSchema.parse({ header: 'X-Sig', prefix: 'v1=', template: '{timestamp}.{body}', timestampHeader: 'X-Ts' });
    const headers = hmacVerifier.sign(Buffer.from(BODY), KEY, options, NOW.now);
    expect(headers.map(([name]) => name)).toEqual(['X-Sig', 'X-Ts']);
    expect(verify(headers, options).status).toBe('valid');
  });

  it('reports a missing header', () => {
    expect(verify([['X-Other', 'abc']], { header: 'X-Sig' }).status).toBe('missing-signature');
  });

  it('reports a missing prefix', () => {
    const verdict = verify([['X-Sig', 'abcd']], { header: 'X-Sig', prefix: 'sha256=' });
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain('sha256=');
  });

  it('reports a missing timestamp header', () => {
    const options = { header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Timestamp' };
    const verdict = verify([['X-Sig', 'abcd']], options);
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toBe('The request has the X-Sig header but no X-Timestamp header.');
  });

  it('reports an unreadable timestamp', () => {
    const options = { header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Timestamp' };
    expect(verify([['X-Sig', 'abcd'], ['X-Timestamp', 'soon']], options).status).toBe('malformed-header');
  });

  it('rejects a wrong digest', () => {
    expect(verify([['X-Sig', 'ab'.repeat(32)]], { header: 'X-Sig' }).status).toBe('invalid');
  });

  it('counts one key in the singular', () => {
    const verdict = verify([['X-Sig', 'ab'.repeat(32)]], { header: 'X-Sig' });
    expect(verdict.reason).toMatch(/^HMAC-SHA256 of "\{body\}" does not match the key: received abababab…abab, expected /);
  });

  it('fills option defaults', () => {
    expect(hmacVerifier.optionsSchema.parse({ header: 'X-Sig' })).toEqual({
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
      template: '{body}',
      toleranceSeconds: 300,
      keyEncoding: 'utf8',
    });
  });

  it('explains invalid options', () => {
    expect(optionsError({})).toContain('header: set "header"');
    expect(optionsError({ header: 'X Sig' })).toContain('HTTP header name');
    expect(optionsError({ header: 'X-Sig', algorithm: 'md5' })).toContain('"sha1", "sha256" or "sha512"');
    expect(optionsError({ header: 'X-Sig', template: '{id}.{body}' })).toContain('only {body}');
    expect(optionsError({ header: 'X-Sig', template: '{timestamp}.{body}' })).toContain('timestampHeader: the template uses {timestamp}');
    expect(optionsError({ header: 'X-Sig', timestampHeader: 'X-Ts' })).toContain('template: "timestampHeader" is set');
    expect(optionsError({ header: 'X-Sig', colour: 'red' })).toBeDefined();
  });

  it('detects signature-like headers', () => {
    expect(hmacVerifier.detect([['X-Acme-Signature', 'abc']])).toBe(true);
    expect(hmacVerifier.detect([['Content-Type', 'text/plain']])).toBe(false);
  });
});
