import { z } from 'zod';
import { findHeader } from '../headers';
import { hmac } from './digest';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import { parseUnixSeconds } from './timestamp';
import { toleranceOption } from './tolerance-option';

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';

const optionsSchema = z.object({ toleranceSeconds: toleranceOption }).strict();

type StripeOptions = z.infer<typeof optionsSchema>;

/** Splits `t=…,v1=…,v1=…,v0=…` into its timestamp text and its `v1` signatures. */
export function parseStripeHeader(value: string): { timestamp: string | null; v1: string[] } {
  let timestamp: string | null = null;
  const v1: string[] = [];
  for (const item of value.split(',')) {
    const separator = item.indexOf('=');
    if (separator === -1) continue;
    const name = item.slice(0, separator).trim();
    const text = item.slice(separator + 1).trim();
    if (name === 't' && timestamp === null) timestamp = text;
    else if (name === 'v1') v1.push(text);
  }
  return { timestamp, v1 };
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
      const { timestamp, v1 } = parseStripeHeader(value);
      const seconds = timestamp === null ? null : parseUnixSeconds(timestamp);
      if (timestamp === null || seconds === null) return malformedHeader(`The ${STRIPE_SIGNATURE_HEADER} header has no t= timestamp in Unix seconds.`);
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
