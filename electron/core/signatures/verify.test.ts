import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { parseConfig } from '../config';
import { detectScheme, getVerifier, schemeNames } from './registry';
import { replaceSignatureHeaders, signDelivery } from './sign';
import type { Profile, SignedRequest } from './types';
import { findProfile, verifyDelivery } from './verify';

const NOW = 1_700_000_000_000;

function request(headers: HeaderPair[], path = '/hooks'): SignedRequest {
  return { method: 'POST', path, headers, body: Buffer.from('{}'), decodedBody: null, publicUrl: 'https://demo.loca.lt' };
}

const SCHEME_OPTIONS: Record<string, Record<string, unknown>> = {
  spike: {},
  github: { legacySha1: false },
  stripe: { toleranceSeconds: 600 },
  'standard-webhooks': { toleranceSeconds: 120 },
  shopify: {},
  slack: { toleranceSeconds: 300 },
  twilio: { publicUrl: 'https://demo.loca.lt' },
  hmac: { header: 'X-Acme-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=', template: '{timestamp}.{body}', timestampHeader: 'X-Ts', keyEncoding: 'utf8' },
};
const KEYS: Record<string, string> = { 'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

describe('scheme registry', () => {
  it('lists every scheme', () => {
    expect(schemeNames()).toEqual(['spike', 'github', 'stripe', 'standard-webhooks', 'shopify', 'slack', 'twilio', 'hmac']);
  });

  for (const scheme of Object.keys(SCHEME_OPTIONS)) {
    it(`signs and verifies ${scheme}`, () => {
      const key = KEYS[scheme] ?? 'a-test-key';
      const options = getVerifier(scheme)?.optionsSchema.parse(SCHEME_OPTIONS[scheme]) ?? {};
      const target = { url: 'https://demo.loca.lt/hooks', contentType: 'application/json', path: '/hooks' };
      const headers = signDelivery(scheme, '{}', key, options, NOW, target);
      const profiles: Profile[] = [{ name: 'p', scheme, pathPrefix: '/', options }];
      const verdict = verifyDelivery(request(headers), profiles, { keysFor: () => [key] }, { now: NOW });
      expect(verdict.status).toBe('valid');
      expect(verdict.scheme).toBe(scheme);
      expect(verdict.profile).toBe('p');
    });
  }

  it('detects each provider', () => {
    for (const scheme of Object.keys(SCHEME_OPTIONS)) {
      const key = KEYS[scheme] ?? 'a-test-key';
      const headers = signDelivery(scheme, '{}', key, SCHEME_OPTIONS[scheme], NOW, { url: 'https://demo.loca.lt/hooks' });
      expect(detectScheme(headers)?.name).toBe(scheme);
    }
  });

  it('names the detected provider', () => {
    const verdict = verifyDelivery(request(signDelivery('github', '{}', 'k')), [], { keysFor: () => [] }, { now: NOW });
    expect(verdict.status).toBe('unverified');
    expect(verdict.detectedScheme).toBe('github');
    expect(verdict.reason).toBe('Looks like a GitHub delivery: add a GitHub profile with a key for this path to verify it.');
  });

  it('names the prefix of a profile for the detected provider', () => {
    const profiles: Profile[] = [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', options: {} }];
    const verdict = verifyDelivery(request(signDelivery('spike', '[]', 'k')), profiles, { keysFor: () => ['k'] }, { now: NOW });
    expect(verdict.status).toBe('unverified');
    expect(verdict.reason).toBe(
      'Looks like a Spike delivery, but its path is outside "/webhooks/spike" (profile "spike"): send it to a path under that prefix, or add a Spike profile for this path.',
    );
  });

  it('reports a key sent outside every prefix', () => {
    const key = 'Qz7k-made-up-spike-key-Wq9Z';
    const profiles: Profile[] = [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', options: {} }];
    const verdict = verifyDelivery(request([['X-Body-Signature', key]]), profiles, { keysFor: () => [key] }, { now: NOW });
    expect(verdict.status).toBe('unverified');
    expect(verdict.reason).toContain('its path is outside "/webhooks/spike"');
    expect(verdict.diagnosis).toBe(
      'The X-Body-Signature header carries key 1 of profile "spike". Treat key 1 of profile "spike" as exposed: it travelled in this request and is stored with its headers, so replace it with a new key.',
    );
    expect(JSON.stringify(verdict)).not.toContain('made-up');
  });

  it('reports an unknown profile scheme', () => {
    const profiles: Profile[] = [{ name: 'p', scheme: 'nope', pathPrefix: '/', options: {} }];
    expect(verifyDelivery(request([]), profiles, { keysFor: () => [] }, { now: NOW }).status).toBe('unverified');
  });

  it('reports invalid profile options', () => {
    const profiles: Profile[] = [{ name: 'p', scheme: 'hmac', pathPrefix: '/', options: { header: 'X-Sig', algorithm: 'md5' } }];
    const verdict = verifyDelivery(request([['X-Sig', 'abcd']]), profiles, { keysFor: () => ['k'] }, { now: NOW });
    expect(verdict.status).toBe('unverified');
    expect(verdict.reason).toContain('algorithm: "algorithm" must be "sha1", "sha256" or "sha512"');
  });

  it('rejects signing with an unknown scheme', () => {
    expect(() => signDelivery('nope', '{}', 'k')).toThrow(/Unknown signature scheme "nope"/);
  });

  it('picks the longest path prefix', () => {
    const profiles: Profile[] = [
      { name: 'all', scheme: 'spike', pathPrefix: '/', options: {} },
      { name: 'github', scheme: 'github', pathPrefix: '/gh', options: {} },
    ];
    expect(findProfile(profiles, '/gh/push?x=1')?.name).toBe('github');
    expect(findProfile(profiles, '/other')?.name).toBe('all');
  });

  it('replaces signature headers in place', () => {
    const headers: HeaderPair[] = [['Host', 'x'], ['x-hub-signature-256', 'old'], ['Content-Type', 'application/json'], ['X-Hub-Signature-256', 'dup']];
    expect(replaceSignatureHeaders(headers, [['X-Hub-Signature-256', 'new'], ['X-Hub-Signature', 'sha1=new']])).toEqual([
      ['Host', 'x'],
      ['x-hub-signature-256', 'new'],
      ['Content-Type', 'application/json'],
      ['X-Hub-Signature', 'sha1=new'],
    ]);
  });
});

describe('scheme options in config', () => {
  it('accepts every scheme with options', () => {
    const profiles = Object.entries(SCHEME_OPTIONS).map(([scheme, options]) => ({ name: scheme, scheme, pathPrefix: `/${scheme}`, options }));
    const config = parseConfig({ profiles }, 'test.json');
    expect(config.profiles.map((profile) => profile.scheme)).toEqual(Object.keys(SCHEME_OPTIONS));
    expect(config.profiles.find((profile) => profile.scheme === 'hmac')?.options.timestampHeader).toBe('X-Ts');
  });

  it('fills defaults', () => {
    const config = parseConfig({ profiles: [{ name: 's', scheme: 'stripe' }] }, 'test.json');
    expect(config.profiles[0]?.options).toEqual({ toleranceSeconds: 300 });
  });

  it('names the field of a bad option', () => {
    const bad = { profiles: [{ name: 'h', scheme: 'hmac', options: { header: 'X-Sig', encoding: 'hex-ish' } }] };
    expect(() => parseConfig(bad, 'test.json')).toThrow('field "profiles.0.options.encoding": "encoding" must be "hex" or "base64"');
  });
});
