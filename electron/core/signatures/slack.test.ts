import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { slackVerifier } from './slack';
import type { SignedRequest, VerifyContext } from './types';

// Source: Slack API docs, "Verifying requests from Slack", the worked example.
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT_EXAMPLE: VerifyContext = { now: Number(TIMESTAMP) * 1000 };

function headers(signature: string | null = SIGNATURE, timestamp: string | null = TIMESTAMP): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  if (timestamp !== null) pairs.push(['X-Slack-Request-Timestamp', timestamp]);
  if (signature !== null) pairs.push(['X-Slack-Signature', signature]);
  return pairs;
}

function verify(headerPairs: HeaderPair[], body: string, keys: string[], context: VerifyContext = AT_EXAMPLE, options: Record<string, unknown> = {}) {
  const request: SignedRequest = { method: 'POST', path: '/slack', headers: headerPairs, body: Buffer.from(body), decodedBody: null, publicUrl: null };
  return slackVerifier.verify(request, keys, slackVerifier.optionsSchema.parse(options), context);
}

describe('slack verifier', () => {
  it('accepts the documented example', () => {
    const verdict = verify(headers(), BODY, [SIGNING_SECRET]);
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('hex');
  });

  it('signs the documented example', () => {
    expect(slackVerifier.sign(Buffer.from(BODY), SIGNING_SECRET, {}, AT_EXAMPLE.now)).toEqual(headers());
  });

  it('rejects a changed body', () => {
    expect(verify(headers(), BODY.replace('foobar', 'foobaz'), [SIGNING_SECRET]).status).toBe('invalid');
  });

  it('reports a timestamp six minutes old', () => {
    const verdict = verify(headers(), BODY, [SIGNING_SECRET], { now: AT_EXAMPLE.now + 360_000 });
    expect(verdict.status).toBe('timestamp-out-of-tolerance');
    expect(verdict.reason).toContain('6 min behind');
  });

  it('reports a timestamp six minutes ahead', () => {
    expect(verify(headers(), BODY, [SIGNING_SECRET], { now: AT_EXAMPLE.now - 360_000 }).status).toBe('timestamp-out-of-tolerance');
  });

  it('honours a wider tolerance', () => {
    expect(verify(headers(), BODY, [SIGNING_SECRET], { now: AT_EXAMPLE.now + 360_000 }, { toleranceSeconds: 600 }).status).toBe('valid');
  });

  it('reports a missing signature', () => {
    expect(verify(headers(null), BODY, [SIGNING_SECRET]).status).toBe('missing-signature');
  });

  it('reports a missing timestamp', () => {
    const verdict = verify(headers(SIGNATURE, null), BODY, [SIGNING_SECRET]);
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toBe('The request has the X-Slack-Signature header but no X-Slack-Request-Timestamp header.');
  });

  it('reports a version other than v0', () => {
    expect(verify(headers(SIGNATURE.replace('v0=', 'v1=')), BODY, [SIGNING_SECRET]).status).toBe('malformed-header');
  });

  it('reports a timestamp that is not a number', () => {
    expect(verify(headers(SIGNATURE, 'yesterday'), BODY, [SIGNING_SECRET]).status).toBe('malformed-header');
  });

  it('rejects a negative tolerance', () => {
    const result = slackVerifier.optionsSchema.safeParse({ toleranceSeconds: -1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('toleranceSeconds');
  });
});
