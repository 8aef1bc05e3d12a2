import { z } from 'zod';
import { findHeader } from '../headers';
import { hmac, isDigestText } from './digest';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';

export const SHOPIFY_SIGNATURE_HEADER = 'X-Shopify-Hmac-Sha256';

/** Shopify: `X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the body with the app's client secret. */
export const shopifyVerifier = defineScheme({
  name: 'shopify',
  label: 'Shopify',
  optionsSchema: z.object({}).strict(),

  detect(headers) {
    return findHeader(headers, SHOPIFY_SIGNATURE_HEADER) !== undefined;
  },

  model: {
    keySource: 'the app’s client secret from the Shopify Partner Dashboard (or the signing key under Settings › Notifications for store webhooks)',
    describe: () => 'HMAC-SHA256 of the body',
    parse(request) {
      const received = findHeader(request.headers, SHOPIFY_SIGNATURE_HEADER)?.trim();
      if (received === undefined) return missingSignature(SHOPIFY_SIGNATURE_HEADER);
      if (!isDigestText(received)) return malformedHeader(`The ${SHOPIFY_SIGNATURE_HEADER} header is not a base64 digest.`);
      return { digests: [received], encodings: ['base64'], contents: [{ body: request.body }] };
    },
    keyBytes: textKey,
    digest: (content, key) => hmac('sha256', key, bodyOf(content)),
  },

  sign(body, key) {
    return [[SHOPIFY_SIGNATURE_HEADER, hmac('sha256', key, body).toString('base64')]];
  },
});
