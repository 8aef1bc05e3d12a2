import { describe, expect, it } from 'vitest';
import type { HeaderPair, Verdict } from '../contract';
import { getVerifier } from './registry';
import type { Profile, SignedRequest, VerifyContext } from './types';
import { verifyDelivery } from './verify';

const NOW = 1_700_000_000_000;
// Made-up keys whose starts and ends appear nowhere else in a verdict.
const HEX_KEY = '7e093df9c2b1a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e15a0a';
const TEXT_KEY = 'QzT7-made-up-sender-key-for-tests';
const WHSEC_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function request(headers: HeaderPair[], body = '{"ok":true}'): SignedRequest {
  return { method: 'POST', path: '/hooks', headers, body: Buffer.from(body), decodedBody: null, publicUrl: null };
}

function verify(scheme: string, signed: SignedRequest, keys: string[], options: Record<string, unknown> = {}, context: VerifyContext = { now: NOW }) {
  const verifier = getVerifier(scheme);
  if (verifier === undefined) throw new Error(`no scheme ${scheme}`);
  return verifier.verify(signed, keys, verifier.optionsSchema.parse(options), context);
}

/** Checks that no part of the verdict quotes the key: not whole, not its first 8 or last 4 characters. */
function expectNoKeyText(verdict: object, key: string): void {
  const text = JSON.stringify(verdict);
  expect(text).not.toContain(key.slice(0, 8));
  expect(text).not.toContain(key.slice(-4));
}

describe('key sent as the signature', () => {
  it('finds a hex key behind the hmac prefix', () => {
    const options = { header: 'X-Signature', prefix: 'sha256=' };
    const verdict = verify('hmac', request([['X-Signature', `sha256=${HEX_KEY}`]]), [HEX_KEY], options);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toBe(
      'The signature header carries key 1 itself instead of an HMAC-SHA256 of "{body}": the sender must sign with the key, not send it.',
    );
    expect(verdict.diagnosis).toContain('Treat key 1 as exposed');
    expectNoKeyText(verdict, HEX_KEY);
  });

  it('finds a hex key in the Spike header', () => {
    const verdict = verify('spike', request([['X-Body-Signature', HEX_KEY]]), [HEX_KEY]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('carries key 1 itself instead of an HMAC-SHA256 of the body');
    expectNoKeyText(verdict, HEX_KEY);
  });

  it.each([19, 39])('finds a %i-character key in a malformed Spike header', (length) => {
    const key = `Qz7k${'m'.repeat(length - 8)}Wq9Z`;
    const verdict = verify('spike', request([['X-Body-Signature', key]]), [key]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toBe('The X-Body-Signature header carries key 1 itself, and no Spike signature could be read: the sender must sign with the key, not send it.');
    expect(verdict.diagnosis).toContain('Treat key 1 as exposed');
    expectNoKeyText(verdict, key);
  });

  it("finds another profile's key in a malformed header", () => {
    const context: VerifyContext = { now: NOW, otherProfileKeys: () => [{ profile: 'github', keys: [TEXT_KEY] }] };
    const verdict = verify('spike', request([['X-Body-Signature', TEXT_KEY]]), ['own-made-up-key'], {}, context);
    expect(verdict.reason).toContain('carries key 1 of profile "github" itself');
    expectNoKeyText(verdict, TEXT_KEY);
  });

  it.each([['sha256=', ''], ['Bearer ', ''], ['', ', deadbeef'], ['', 'twice']])('finds a key inside a malformed header: %s…%s', (before, after) => {
    const key = 'Qz7k-made-up-key-inside-Wq9Z';
    const verdict = verify('spike', request([['X-Body-Signature', `${before}${key}${after === 'twice' ? key : after}`]]), [key]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toBe('The X-Body-Signature header contains key 1, and no Spike signature could be read: the sender must sign with the key, not send it.');
    expect(verdict.diagnosis).toContain('Treat key 1 as exposed');
    expectNoKeyText(verdict, key);
  });

  it('keeps malformed when no header is a key', () => {
    const verdict = verify('spike', request([['X-Body-Signature', 'not-a-digest-value']]), [TEXT_KEY]);
    expect(verdict.status).toBe('malformed-header');
  });

  it('finds the key without a diagnosis', () => {
    const verdict = verify('spike', request([['X-Body-Signature', HEX_KEY]]), [HEX_KEY], {}, { now: NOW, diagnose: false });
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, HEX_KEY);
  });

  it('finds the key in upper case', () => {
    const verdict = verify('spike', request([['X-Body-Signature', HEX_KEY.toUpperCase()]]), ['older-key', HEX_KEY]);
    expect(verdict.reason).toContain('carries key 2 itself');
    expectNoKeyText(verdict, HEX_KEY.toUpperCase());
  });

  it('finds a stored key with a newline', () => {
    const verdict = verify('spike', request([['X-Body-Signature', HEX_KEY]]), [`${HEX_KEY}\n`]);
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, HEX_KEY);
  });

  it('finds the key text in base64', () => {
    const key = 'QzT7-made-up-32-byte-sender-key!';
    const encoded = Buffer.from(key).toString('base64');
    const verdict = verify('spike', request([['X-Body-Signature', encoded]]), [key]);
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, encoded);
  });

  it('finds a Standard Webhooks secret', () => {
    const headers: HeaderPair[] = [['webhook-id', 'msg_1'], ['webhook-timestamp', String(NOW / 1000)], ['webhook-signature', `v1,${WHSEC_KEY.slice(6)}`]];
    const verdict = verify('standard-webhooks', request(headers), [WHSEC_KEY]);
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, WHSEC_KEY.slice(6));
  });

  it('finds the key in a later Stripe v1', () => {
    const header = `t=${NOW / 1000},v1=${'ab'.repeat(32)},v1=${TEXT_KEY}`;
    const verdict = verify('stripe', request([['Stripe-Signature', header]]), [TEXT_KEY]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, TEXT_KEY);
  });

  it('finds the key in the Stripe first v1', () => {
    const verdict = verify('stripe', request([['Stripe-Signature', `t=${NOW / 1000},v1=${TEXT_KEY}`]]), [TEXT_KEY]);
    expect(verdict.reason).toContain('carries key 1 itself');
    expectNoKeyText(verdict, TEXT_KEY);
  });

  it('finds a key sent as the timestamp', () => {
    const key = '1700000000123';
    const options = { header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Ts' };
    const verdict = verify('hmac', request([['X-Sig', 'ab'.repeat(32)], ['X-Ts', key]]), [key], options);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('The timestamp header carries key 1 itself');
    expectNoKeyText(verdict, key);
  });

  it("finds another profile's key", () => {
    const profiles: Profile[] = [
      { name: 'spike', scheme: 'spike', pathPrefix: '/hooks', options: {} },
      { name: 'other', scheme: 'github', pathPrefix: '/github', options: {} },
    ];
    const vault = { keysFor: (name: string) => (name === 'other' ? [HEX_KEY] : ['spike-key']) };
    const verdict: Verdict = verifyDelivery(request([['X-Body-Signature', HEX_KEY]]), profiles, vault, { now: NOW, diagnose: false });
    expect(verdict.reason).toContain('carries key 1 of profile "other" itself');
    expectNoKeyText(verdict, HEX_KEY);
  });

  it('still quotes a digest that is no key', () => {
    const digest = 'cd'.repeat(32);
    const verdict = verify('spike', request([['X-Body-Signature', digest]]), [HEX_KEY]);
    expect(verdict.reason).toContain('received cdcdcdcd…cdcd');
  });
});

describe('key sent changed', () => {
  /** Checks that the verdict contains no six characters in a row of the key. */
  function expectNoKeyRun(verdict: object, key: string): void {
    const text = JSON.stringify(verdict).toLowerCase();
    for (let start = 0; start + 6 <= key.length; start++) expect(text).not.toContain(key.slice(start, start + 6).toLowerCase());
  }

  it('quotes no Stripe v1 that wraps the key', () => {
    const seconds = Math.floor(NOW / 1000);
    // Letters and digits only, so no run of it is a word that messages use.
    const key = 'Zq7vR2mXkP9wLt4s';
    const verdict = verify('stripe', request([['Stripe-Signature', `t=${seconds},v1=x${key}y`]]), [key]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('received a value that contains part of a key (not shown)');
    expectNoKeyRun(verdict, key);
  });

  it('quotes no hex key with one digit changed', () => {
    const changed = `0${HEX_KEY.slice(1)}`;
    const verdict = verify('spike', request([['X-Body-Signature', changed]]), [HEX_KEY]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('received a value that contains part of a key (not shown)');
    expectNoKeyRun(verdict, HEX_KEY);
  });

  it('quotes no hex of a base64 key text', () => {
    const base64Key = Buffer.from(TEXT_KEY).toString('base64');
    const hexOfText = Buffer.from(base64Key).toString('hex');
    const options = { header: 'X-Sig', encoding: 'base64', keyEncoding: 'base64' };
    const verdict = verify('hmac', request([['X-Sig', `${hexOfText}00`]]), [base64Key], options);
    expect(verdict.status).toBe('invalid');
    expectNoKeyRun(verdict, hexOfText);
  });

  it('names an empty signature', () => {
    // A space after the comma leaves the v1 signature empty.
    const headers: HeaderPair[] = [['webhook-id', 'msg_1'], ['webhook-timestamp', String(NOW / 1000)], ['webhook-signature', 'v1, c29tZXRoaW5nIGVsc2U=']];
    const verdict = verify('standard-webhooks', request(headers), [WHSEC_KEY]);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('received an empty value, expected');
  });

  it('still quotes an unrelated digest', () => {
    const other = 'ab'.repeat(32);
    const verdict = verify('spike', request([['X-Body-Signature', other]]), [HEX_KEY]);
    expect(verdict.reason).toContain('received abababab…abab');
  });
});
