import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { sortedParamText, twilioVerifier, withBodySha256 } from './twilio';
import type { SignedRequest } from './types';

// Source: twilio-node spec/validation.spec.js (token, URL, parameters and expected signatures).
const TOKEN = '12345';
const PUBLIC = 'https://mycompany.com';
const PATH = '/myapp.php?foo=1&bar=2';
const DEFAULT_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const DEFAULT_SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
const JSON_BODY = '{"property": "value", "boolean": true}';
const JSON_BODY_SHA256 = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const JSON_SIGNATURE = 'a9nBmqA0ju/hNViExpshrM61xv4=';

const FORM = 'application/x-www-form-urlencoded';

function formBody(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value].flat()) search.append(name, one);
  return search.toString();
}

function request(signature: string | null, body: string, extra: Partial<SignedRequest> & { contentType?: string } = {}): SignedRequest {
  const headers: HeaderPair[] = [['Host', '127.0.0.1:4040'], ['Content-Type', extra.contentType ?? FORM]];
  if (signature !== null) headers.push(['X-Twilio-Signature', signature]);
  return { method: 'POST', path: PATH, headers, body: Buffer.from(body), decodedBody: null, publicUrl: PUBLIC, ...extra };
}

function verify(signedRequest: SignedRequest, keys: string[] = [TOKEN], options: Record<string, unknown> = {}) {
  return twilioVerifier.verify(signedRequest, keys, twilioVerifier.optionsSchema.parse(options), { now: 0 });
}

describe('twilio verifier', () => {
  it('accepts the library form vector', () => {
    const verdict = verify(request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS)));
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('base64');
  });

  it('accepts the library JSON vector', () => {
    const signed = request(JSON_SIGNATURE, JSON_BODY, { path: `${PATH}&bodySHA256=${JSON_BODY_SHA256}`, contentType: 'application/json' });
    const verdict = verify(signed);
    expect(verdict.status).toBe('valid');
    expect(verdict.reason).toBe(`HMAC-SHA1 of ${PUBLIC}${PATH}&bodySHA256=${JSON_BODY_SHA256} matches key 1 (base64).`);
  });

  it('names only the URL when nothing explains', () => {
    const verdict = verify(request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS)), ['wrong-token']);
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toBe(
      "Nothing explains the mismatch: no change to the key's whitespace, encoding or prefix, or to the URL (its scheme, host, port, trailing slash or query) " +
        'reproduces the signature, so check the key: it is most likely not the one this sender signs with.',
    );
  });

  it('rejects a JSON body that changed', () => {
    const signed = request(JSON_SIGNATURE, `${JSON_BODY}\n`, { path: `${PATH}&bodySHA256=${JSON_BODY_SHA256}`, contentType: 'application/json' });
    const verdict = verify(signed);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('bodySHA256');
    expect(verdict.diagnosis).toContain('without its final newline');
  });

  it('accepts a signature over port 443', () => {
    // The library's "https urls without ports by adding standard port 443" value.
    expect(verify(request('kvajT1Ptam85bY51eRf/AJRuM3w=', formBody(DEFAULT_PARAMS))).status).toBe('valid');
  });

  it('accepts an http URL with a port', () => {
    // The library's "http urls with ports" value: the hash of http://mycompany.com:1234/….
    const verdict = verify(request('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', formBody(DEFAULT_PARAMS), { publicUrl: 'http://mycompany.com:1234' }));
    expect(verdict.status).toBe('valid');
  });

  it('accepts repeated parameters', () => {
    // The library's array-parameter values: order does not matter, duplicates count once.
    const addresses = request('83O6e2vORAoJHUNzJjDWN1jz+BA=', formBody({ 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] }));
    const digits = request('IK+Dwps556ElfBT0I3Rgjkr1wJU=', formBody({ Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] }));
    expect(verify(addresses).status).toBe('valid');
    expect(verify(digits).status).toBe('valid');
  });

  it('uses the publicUrl option over the tunnel', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: 'https://tunnel.example' });
    expect(verify(signed, [TOKEN], { publicUrl: PUBLIC }).status).toBe('valid');
  });

  it('prefers an override to publicUrl', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: 'https://tunnel.example', publicUrlOverride: PUBLIC });
    const verdict = verify(signed, [TOKEN], { publicUrl: 'https://wrong.example' });
    expect(verdict.status).toBe('valid');
    expect(verdict.reason).toContain(`of ${PUBLIC}${PATH}`);
  });

  it('names publicUrl when the override is wrong', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: 'https://tunnel.example', publicUrlOverride: 'https://wrong.example' });
    const verdict = verify(signed, [TOKEN], { publicUrl: PUBLIC });
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toBe(
      `The signature matches the profile's publicUrl ${PUBLIC}, not the public URL given for this check (https://wrong.example): check without that URL, or correct it.`,
    );
  });

  it('names the tunnel when the override is wrong', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: PUBLIC, publicUrlOverride: 'https://wrong.example' });
    const verdict = verify(signed);
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toBe(
      `The signature matches the tunnel URL ${PUBLIC}${PATH}, not the public URL given for this check (https://wrong.example): check without that URL.`,
    );
  });

  it('accepts a full webhook URL as publicUrl', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: 'https://tunnel.example' });
    expect(verify(signed, [TOKEN], { publicUrl: `${PUBLIC}/myapp.php` }).status).toBe('valid');
  });

  it('accepts a whole URL with query', () => {
    const url = 'https://abc123.ngrok.app/twq/voice?tenant=7';
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, DEFAULT_PARAMS);
    const signed = request(signature, formBody(DEFAULT_PARAMS), { path: '/twq/voice?tenant=7', publicUrl: 'https://tunnel.example' });
    const verdict = verify(signed, [TOKEN], { publicUrl: url });
    expect(verdict.status).toBe('valid');
    expect(verdict.reason).toContain(`of ${url} and`);
  });

  it('accepts JSON under a whole URL', () => {
    const url = withBodySha256('https://abc123.ngrok.app/twq/voice?tenant=7', Buffer.from(JSON_BODY));
    const [[, signature]] = twilioVerifier.sign(Buffer.from(JSON_BODY), TOKEN, {}, 0, { url, contentType: 'application/json' }) as [HeaderPair];
    const signed = request(signature, JSON_BODY, { path: url.slice('https://abc123.ngrok.app'.length), contentType: 'application/json' });
    expect(verify(signed, [TOKEN], { publicUrl: 'https://abc123.ngrok.app/twq/voice?tenant=7' }).status).toBe('valid');
  });

  it('falls back to forwarded headers', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: null });
    const withForwarded = { ...signed, headers: [...signed.headers, ['X-Forwarded-Host', 'mycompany.com'] as HeaderPair, ['X-Forwarded-Proto', 'https'] as HeaderPair] };
    expect(verify(withForwarded).status).toBe('valid');
  });

  it('cross-checks library signatures', () => {
    for (let round = 0; round < 20; round += 1) {
      const token = randomBytes(16).toString('hex');
      const params = { CallSid: `CA${randomBytes(16).toString('hex')}`, Body: `héllo ${randomBytes(6).toString('base64')} +&=`, To: '+15005550006' };
      const signature = twilio.getExpectedTwilioSignature(token, `${PUBLIC}${PATH}`, params);

      expect(verify(request(signature, formBody(params)), [token]).status).toBe('valid');
      expect(verify(request(signature, formBody({ ...params, To: '+15005550007' })), [token]).status).toBe('invalid');
    }
  });

  it('cross-checks HMAC-SHA256 settings', () => {
    const params = { CallSid: 'CA1', From: '+15005550006' };
    const signature = twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC}${PATH}`, params, 'HMAC_SHA256');
    const signed = request(signature, formBody(params));
    signed.headers = [...signed.headers, ['X-Twilio-Webhooks-Signature-Settings', 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256']];
    expect(verify(signed).status).toBe('valid');
  });

  it('signs what the library validates', () => {
    const url = `${PUBLIC}${PATH}`;
    const [[, signature]] = twilioVerifier.sign(Buffer.from(formBody(DEFAULT_PARAMS)), TOKEN, {}, 0, { url, contentType: FORM }) as [HeaderPair];
    expect(twilio.validateRequest(TOKEN, signature, url, DEFAULT_PARAMS)).toBe(true);
  });

  it('signs JSON bodies through bodySHA256', () => {
    const url = withBodySha256(`${PUBLIC}${PATH}`, Buffer.from(JSON_BODY));
    const [[, signature]] = twilioVerifier.sign(Buffer.from(JSON_BODY), TOKEN, {}, 0, { url, contentType: 'application/json' }) as [HeaderPair];
    expect(url).toContain(JSON_BODY_SHA256);
    expect(signature).toBe(JSON_SIGNATURE);
    expect(twilio.validateRequestWithBody(TOKEN, signature, url, JSON_BODY)).toBe(true);
  });

  it('requires a URL to sign', () => {
    expect(() => twilioVerifier.sign(Buffer.from(''), TOKEN, {}, 0)).toThrow(/target\.url/);
  });

  it('reports a missing header', () => {
    expect(verify(request(null, formBody(DEFAULT_PARAMS))).status).toBe('missing-signature');
  });

  it('reports a header that is not base64', () => {
    expect(verify(request('not base64!', formBody(DEFAULT_PARAMS))).status).toBe('malformed-header');
  });

  it('reports an unknown algorithm', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS));
    signed.headers = [...signed.headers, ['X-Twilio-Webhooks-Signature-Settings', 'algorithm=HMAC_MD5']];
    expect(verify(signed).status).toBe('malformed-header');
  });

  it('leaves an unknown URL unverified', () => {
    const signed = request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: null });
    signed.headers = signed.headers.filter(([name]) => name !== 'Host');
    const verdict = verify(signed);
    expect(verdict.status).toBe('unverified');
    expect(verdict.reason).toContain('publicUrl');
  });

  it('ignores a loopback Host', () => {
    expect(verify(request(DEFAULT_SIGNATURE, formBody(DEFAULT_PARAMS), { publicUrl: null })).status).toBe('unverified');
  });

  it('rejects an invalid publicUrl option', () => {
    const result = twilioVerifier.optionsSchema.safeParse({ publicUrl: 'ftp://example.com' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('publicUrl');
  });

  it('sorts names and de-duplicates values', () => {
    expect(sortedParamText([['b', '2'], ['a', '9'], ['b', '1'], ['b', '2']])).toBe('a9b1b2');
  });
});
