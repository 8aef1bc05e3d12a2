import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { githubVerifier } from './github';
import type { SignedRequest } from './types';

const NOW = 1_700_000_000_000;

interface OctokitMethods {
  sign(secret: string, payload: string): Promise<string>;
  verify(secret: string, payload: string, signature: string): Promise<boolean>;
}

// The package declares its types only in its "exports" map, and "moduleResolution": "node"
// does not read that map. A computed specifier keeps tsc from resolving the import.
const OCTOKIT = '@octokit/webhooks-methods';
const octokit = (): Promise<OctokitMethods> => import(OCTOKIT) as Promise<OctokitMethods>;

function request(headers: HeaderPair[], body: string | Uint8Array): SignedRequest {
  return { method: 'POST', path: '/github', headers, body: typeof body === 'string' ? Buffer.from(body) : body, decodedBody: null, publicUrl: null };
}

function verify(headers: HeaderPair[], body: string | Uint8Array, keys: string[], options: Record<string, unknown> = {}) {
  return githubVerifier.verify(request(headers, body), keys, githubVerifier.optionsSchema.parse(options), { now: NOW });
}

describe('github verifier', () => {
  // Source: GitHub Docs, "Validating webhook deliveries", testing the webhook payload validation.
  const DOCS_SECRET = "It's a Secret to Everybody";
  const DOCS_PAYLOAD = 'Hello, World!';
  const DOCS_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('accepts the documented example', () => {
    const verdict = verify([['X-Hub-Signature-256', DOCS_SIGNATURE]], DOCS_PAYLOAD, [DOCS_SECRET]);
    expect(verdict.status).toBe('valid');
    expect(verdict.keyIndex).toBe(0);
    expect(verdict.encoding).toBe('hex');
  });

  it('signs the documented example', () => {
    const headers = githubVerifier.sign(Buffer.from(DOCS_PAYLOAD), DOCS_SECRET, githubVerifier.optionsSchema.parse({}), NOW);
    expect(headers[0]).toEqual(['X-Hub-Signature-256', DOCS_SIGNATURE]);
  });

  it('rejects the example under another key', () => {
    const verdict = verify([['X-Hub-Signature-256', DOCS_SIGNATURE]], DOCS_PAYLOAD, ['another secret']);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toContain('757107ea');
  });

  it('matches the second of two keys', () => {
    const verdict = verify([['X-Hub-Signature-256', DOCS_SIGNATURE]], DOCS_PAYLOAD, ['old secret', DOCS_SECRET]);
    expect(verdict.status).toBe('valid');
    expect(verdict.keyIndex).toBe(1);
  });

  it('cross-checks octokit signatures', async () => {
    for (let round = 0; round < 20; round += 1) {
      const secret = randomBytes(16).toString('hex');
      const payload = randomBytes(200).toString('base64');
      const signature = await (await octokit()).sign(secret, payload);

      expect(verify([['X-Hub-Signature-256', signature]], payload, [secret]).status).toBe('valid');
      expect(verify([['X-Hub-Signature-256', signature]], `${payload}x`, [secret]).status).toBe('invalid');
    }
  });

  it('signs what octokit verifies', async () => {
    const payload = JSON.stringify({ action: 'opened', number: 7 });
    const [[, signature]] = githubVerifier.sign(Buffer.from(payload), 'hooktray', githubVerifier.optionsSchema.parse({}), NOW) as [HeaderPair];
    expect(await (await octokit()).verify('hooktray', payload, signature)).toBe(true);
  });

  it('falls back to legacy SHA-1', () => {
    const headers = githubVerifier.sign(Buffer.from(DOCS_PAYLOAD), DOCS_SECRET, githubVerifier.optionsSchema.parse({}), NOW);
    const sha1 = headers.find(([name]) => name === 'X-Hub-Signature') as HeaderPair;
    const verdict = verify([sha1], DOCS_PAYLOAD, [DOCS_SECRET]);
    expect(verdict.status).toBe('valid');
    expect(verdict.reason).toContain('HMAC-SHA1');
  });

  it('ignores SHA-1 when legacySha1 is off', () => {
    const headers = githubVerifier.sign(Buffer.from(DOCS_PAYLOAD), DOCS_SECRET, githubVerifier.optionsSchema.parse({}), NOW);
    const sha1 = headers.find(([name]) => name === 'X-Hub-Signature') as HeaderPair;
    const verdict = verify([sha1], DOCS_PAYLOAD, [DOCS_SECRET], { legacySha1: false });
    expect(verdict.status).toBe('missing-signature');
    expect(verdict.reason).toContain('legacySha1');
  });

  it('reports a missing header', () => {
    expect(verify([['Content-Type', 'application/json']], DOCS_PAYLOAD, [DOCS_SECRET]).status).toBe('missing-signature');
  });

  it('reports a header without prefix', () => {
    const verdict = verify([['X-Hub-Signature-256', DOCS_SIGNATURE.slice('sha256='.length)]], DOCS_PAYLOAD, [DOCS_SECRET]);
    expect(verdict.status).toBe('malformed-header');
    expect(verdict.reason).toContain('sha256=');
  });

  it('reports a digest that is not hex', () => {
    expect(verify([['X-Hub-Signature-256', 'sha256=not a digest!']], DOCS_PAYLOAD, [DOCS_SECRET]).status).toBe('malformed-header');
  });

  it('reports a profile without keys', () => {
    const verdict = verify([['X-Hub-Signature-256', DOCS_SIGNATURE]], DOCS_PAYLOAD, []);
    expect(verdict.status).toBe('no-key');
    expect(verdict.reason).toContain('webhook secret');
  });

  it('detects either header', () => {
    expect(githubVerifier.detect([['x-hub-signature-256', 'sha256=00']])).toBe(true);
    expect(githubVerifier.detect([['X-Hub-Signature', 'sha1=00']])).toBe(true);
    expect(githubVerifier.detect([['X-Signature', '00']])).toBe(false);
  });
});
