import { z } from 'zod';
import { findHeader } from '../headers';
import type { SchemeVerifier } from './types';
import { hmac, matchDigest, shortDigest } from './digest';

export const SPIKE_SIGNATURE_HEADER = 'X-Body-Signature';

/**
 * Spike: HMAC-SHA256 of the raw body bytes with the shared key, in `X-Body-Signature`.
 * Spike's public docs do not say whether the digest is hex or base64, so both are accepted
 * and the verdict records which one matched.
 */
export const spikeVerifier: SchemeVerifier = {
  name: 'spike',
  label: 'Spike',
  optionsSchema: z.object({}).strict(),

  detect(headers) {
    return findHeader(headers, SPIKE_SIGNATURE_HEADER) !== undefined;
  },

  verify(request, keys) {
    const received = findHeader(request.headers, SPIKE_SIGNATURE_HEADER)?.trim();
    if (received === undefined) {
      return { status: 'missing-signature', reason: `The request has no ${SPIKE_SIGNATURE_HEADER} header.` };
    }
    if (received === '') {
      return { status: 'malformed-header', reason: `The ${SPIKE_SIGNATURE_HEADER} header is empty.` };
    }
    if (keys.length === 0) {
      return { status: 'no-key', reason: 'The profile has no key: add the shared key from Spike’s admin console to verify.' };
    }

    for (const [keyIndex, key] of keys.entries()) {
      const encoding = matchDigest(received, hmac('sha256', key, request.body));
      if (encoding !== null) {
        return { status: 'valid', keyIndex, encoding, reason: `HMAC-SHA256 of the body matches key ${keyIndex + 1} (${encoding}).` };
      }
    }
    return {
      status: 'invalid',
      reason: `HMAC-SHA256 of the body matches none of the ${keys.length} key(s); received ${shortDigest(received)}.`,
    };
  },
};
