import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { shopifyVerifier } from './shopify';
import type { SignedRequest } from './types';

// Shopify publishes no fixed vector. Its docs ("Verify webhooks") define the header as the
// base64 HMAC-SHA256 of the raw body with the app's client secret, so node:crypto computes it here.
const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const BODY = '{"id":820982911946154508,"email":"jon@example.com","note":"café"}';
const SIGNATURE = createHmac('sha256', SECRET).update(BODY, 'utf8').digest('base64');

function verify(headers: HeaderPair[], body: string, keys: string[]) {
  const request: SignedRequest = { method: 'POST', path: '/shopify', headers, body: Buffer.from(body), decodedBody: null, publicUrl: null };
  return shopifyVerifier.verify(request, keys, {}, { now: 0 });
}

describe('shopify verifier', () => {
  it('accepts a base64 HMAC of the body', () => {
    const verdict = verify([['X-Shopify-Hmac-Sha256', SIGNATURE]], BODY, [SECRET]);
    expect(verdict.status).toBe('valid');
    expect(verdict.encoding).toBe('base64');
  });

  it('signs the same value', () => {
    expect(shopifyVerifier.sign(Buffer.from(BODY), SECRET, {}, 0)).toEqual([['X-Shopify-Hmac-Sha256', SIGNATURE]]);
  });

  it('rejects a changed body', () => {
    expect(verify([['X-Shopify-Hmac-Sha256', SIGNATURE]], BODY.replace('jon', 'joe'), [SECRET]).status).toBe('invalid');
  });

  it('reports a missing header', () => {
    expect(verify([['X-Shopify-Topic', 'orders/create']], BODY, [SECRET]).status).toBe('missing-signature');
  });

  it('reports a header that is not base64', () => {
    expect(verify([['X-Shopify-Hmac-Sha256', '%%%']], BODY, [SECRET]).status).toBe('malformed-header');
  });

  it('reports a profile without keys', () => {
    expect(verify([['X-Shopify-Hmac-Sha256', SIGNATURE]], BODY, []).status).toBe('no-key');
  });
});
