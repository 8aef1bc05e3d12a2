import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HeaderPair } from '../contract';
import { findHeader } from '../headers';
import { decodeBase64Strict, hmac } from './digest';
import { WHSEC_PREFIX } from './key-variants';
import { bodyOf, defineScheme, malformedHeader, missingSignature } from './scheme';
import { parseUnixSeconds } from './timestamp';
import { toleranceOption } from './tolerance-option';

/** Header name prefixes in lookup order: the standard's own, then Svix's original names. */
const HEADER_PREFIXES = ['webhook-', 'svix-'] as const;

const optionsSchema = z.object({ toleranceSeconds: toleranceOption }).strict();

type StandardWebhooksOptions = z.infer<typeof optionsSchema>;

/** Reads a `whsec_` secret: the base64 after the optional prefix, decoded; null when it is not base64. */
export function standardWebhooksKey(key: string): Uint8Array | null {
  return decodeBase64Strict(key.startsWith(WHSEC_PREFIX) ? key.slice(WHSEC_PREFIX.length) : key);
}

/** Returns the `v1` signatures of a space-separated `webhook-signature` value. */
function v1Signatures(value: string): string[] {
  return value
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
}

/**
 * Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp` and `webhook-signature`
 * with space-separated `v1,<base64>` entries, HMAC-SHA256 of `<id>.<timestamp>.<body>` with
 * the decoded `whsec_` secret. Other versions, such as the asymmetric `v1a`, are ignored.
 */
export const standardWebhooksVerifier = defineScheme<StandardWebhooksOptions>({
  name: 'standard-webhooks',
  label: 'Standard Webhooks',
  optionsSchema,

  detect(headers) {
    return HEADER_PREFIXES.some((prefix) => findHeader(headers, `${prefix}signature`) !== undefined);
  },

  model: {
    keySource: 'the endpoint’s signing secret (whsec_…)',
    describe: () => 'HMAC-SHA256 of "id.timestamp.body"',
    parse(request, options) {
      const prefix = HEADER_PREFIXES.find((candidate) => findHeader(request.headers, `${candidate}signature`) !== undefined);
      if (prefix === undefined) return missingSignature('webhook-signature (or svix-signature)');
      const signature = findHeader(request.headers, `${prefix}signature`) as string;
      const id = findHeader(request.headers, `${prefix}id`);
      const timestamp = findHeader(request.headers, `${prefix}timestamp`)?.trim();

      if (id === undefined || id === '') return malformedHeader(`The request has the ${prefix}signature header but no ${prefix}id header.`);
      if (timestamp === undefined) return malformedHeader(`The request has the ${prefix}signature header but no ${prefix}timestamp header.`);
      const seconds = parseUnixSeconds(timestamp);
      if (seconds === null) return malformedHeader(`The ${prefix}timestamp header is not a Unix time in seconds.`);
      const digests = v1Signatures(signature);
      if (digests.length === 0) return malformedHeader(`The ${prefix}signature header has no "v1," entry.`);

      return {
        digests,
        encodings: ['base64'],
        contents: [{ body: request.body, id, timestamp }],
        timestamp: { seconds, toleranceSeconds: options.toleranceSeconds, direction: 'both' },
      };
    },
    keyBytes: standardWebhooksKey,
    unreadableKey: () =>
      `is not a Standard Webhooks secret, which is padded base64 after an optional "${WHSEC_PREFIX}" prefix: copy the signing secret (${WHSEC_PREFIX}…) from the sender's endpoint settings`,
    digest: (content, key) => hmac('sha256', key, `${content.id ?? ''}.${content.timestamp ?? ''}.`, bodyOf(content)),
    keyReading: () => `Standard Webhooks decodes the key from base64 first, after any "${WHSEC_PREFIX}" prefix`,
    keyFix: (reading) =>
      reading === 'text'
        ? 'Standard Webhooks senders must sign with the base64-decoded secret, so check the sender’s signing code'
        : undefined,
  },

  sign(body, key, _options, now, target): HeaderPair[] {
    const secret = standardWebhooksKey(key);
    if (secret === null) throw new Error('The key is not a Standard Webhooks secret: it must be base64, optionally after "whsec_".');
    const id = target?.messageId ?? `msg_${randomBytes(18).toString('base64url')}`;
    const timestamp = String(Math.floor(now / 1000));
    return [
      ['webhook-id', id],
      ['webhook-timestamp', timestamp],
      ['webhook-signature', `v1,${hmac('sha256', secret, `${id}.${timestamp}.`, body).toString('base64')}`],
    ];
  },
});
