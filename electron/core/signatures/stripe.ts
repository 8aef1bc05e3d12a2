import { z } from 'zod';
import { findHeader } from '../headers';
import { hmac } from './digest';
import type { ParsedSignature } from './scheme';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import { parseUnixSeconds } from './timestamp';
import { toleranceOption } from './tolerance-option';

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';

const optionsSchema = z.object({ toleranceSeconds: toleranceOption }).strict();

type StripeOptions = z.infer<typeof optionsSchema>;

/** Splits `t=…,v1=…,v1=…,v0=…` into its timestamp texts and its `v1` signatures, each in header order. */
export function parseStripeHeader(value: string): { timestamps: string[]; v1: string[] } {
  const timestamps: string[] = [];
  const v1: string[] = [];
  for (const item of value.split(',')) {
    const separator = item.indexOf('=');
    if (separator === -1) continue;
    const name = item.slice(0, separator).trim();
    const text = item.slice(separator + 1).trim();
    if (name === 't') timestamps.push(text);
    else if (name === 'v1') v1.push(text);
  }
  return { timestamps, v1 };
}

/**
 * Builds the parsed signature of a header with several different `t=` values, one content
 * for each. Stripe's own libraries disagree on such a header: stripe-node 23.2 (`parseHeader`
 * in Webhooks.js) keeps the last, and stripe-python (`_get_timestamp_and_signatures` in
 * stripe/_webhook.py) takes the first. No verdict would hold for every receiver, so the
 * header is reported as malformed.
 */
function conflictingTimestamps(body: Uint8Array, timestamps: readonly string[], v1: string[]): ParsedSignature {
  const listed = timestamps.map((timestamp) => `t=${timestamp}`);
  return {
    digests: v1,
    encodings: ['hex'],
    contents: timestamps.map((timestamp) => ({ body, timestamp })),
    conflict: {
      reason:
        `The ${STRIPE_SIGNATURE_HEADER} header has ${timestamps.length} different timestamps (${listed.join(', ')}), but Stripe's format has one: ` +
        'receivers disagree on which counts (stripe-node takes the last, stripe-python the first), so make the sender write a single t=.',
      names: listed,
    },
  };
}

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>`, HMAC-SHA256 of `<t>.<body>` with
 * the endpoint's whole signing secret, `whsec_` included. Several `v1` entries may appear
 * during a secret roll; `v0` entries are ignored.
 */
export const stripeVerifier = defineScheme<StripeOptions>({
  name: 'stripe',
  label: 'Stripe',
  optionsSchema,

  detect(headers) {
    return findHeader(headers, STRIPE_SIGNATURE_HEADER) !== undefined;
  },

  model: {
    keySource: 'the endpoint’s signing secret (whsec_…) from the Stripe Dashboard or `stripe listen`',
    describe: () => 'HMAC-SHA256 of "t.body"',
    parse(request, options) {
      const value = findHeader(request.headers, STRIPE_SIGNATURE_HEADER);
      if (value === undefined) return missingSignature(STRIPE_SIGNATURE_HEADER);
      const { timestamps, v1 } = parseStripeHeader(value);
      // Repeating the same t= changes nothing for any receiver, so only different values conflict.
      const distinct = [...new Set(timestamps)];
      const timestamp = distinct[0];
      const seconds = timestamp === undefined ? null : parseUnixSeconds(timestamp);
      if (v1.length > 0 && distinct.length > 1) return conflictingTimestamps(request.body, distinct, v1);
      if (timestamp === undefined || seconds === null) return malformedHeader(`The ${STRIPE_SIGNATURE_HEADER} header has no t= timestamp in Unix seconds.`);
      if (v1.length === 0) return malformedHeader(`The ${STRIPE_SIGNATURE_HEADER} header has no v1= signature (v0 and other schemes are ignored).`);
      return {
        digests: v1,
        encodings: ['hex'],
        contents: [{ body: request.body, timestamp }],
        // stripe-node 23 rejects only timestamps older than the tolerance, never newer ones.
        timestamp: { seconds, toleranceSeconds: options.toleranceSeconds, direction: 'past' },
      };
    },
    keyBytes: textKey,
    digest: (content, key) => hmac('sha256', key, `${content.timestamp ?? ''}.`, bodyOf(content)),
  },

  sign(body, key, _options, now) {
    const timestamp = String(Math.floor(now / 1000));
    return [[STRIPE_SIGNATURE_HEADER, `t=${timestamp},v1=${hmac('sha256', key, `${timestamp}.`, body).toString('hex')}`]];
  },
});
