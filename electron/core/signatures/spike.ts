import { z } from 'zod';
import { findHeader } from '../headers';
import { hmac, isDigestText } from './digest';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';

export const SPIKE_SIGNATURE_HEADER = 'X-Body-Signature';

/** Returns true when the text has the length of a 32-byte digest in hex or base64 (padded or not). */
function isSha256DigestLength(text: string): boolean {
  return text.length === 64 || text.length === 43 || text.length === 44;
}

/** A digest behind a prefix such as `sha256=`, which other providers put before their digests. */
const PREFIXED_DIGEST = /^([A-Za-z][A-Za-z0-9_.-]{0,31}=)(.+)$/;

/**
 * Spike: HMAC-SHA256 of the raw body bytes with the shared key, in `X-Body-Signature`.
 * Spike's public docs do not say whether the digest is hex or base64, so both are accepted
 * and the verdict records which one matched.
 */
export const spikeVerifier = defineScheme({
  name: 'spike',
  label: 'Spike',
  optionsSchema: z.object({}).strict(),

  detect(headers) {
    return findHeader(headers, SPIKE_SIGNATURE_HEADER) !== undefined;
  },

  model: {
    keySource: 'the shared key from Spike’s admin console',
    describe: () => 'HMAC-SHA256 of the body',
    parse(request) {
      const received = findHeader(request.headers, SPIKE_SIGNATURE_HEADER)?.trim();
      if (received === undefined) return missingSignature(SPIKE_SIGNATURE_HEADER);
      if (received === '') return malformedHeader(`The ${SPIKE_SIGNATURE_HEADER} header is empty.`);
      const contents = [{ body: request.body }];
      if (!isDigestText(received)) {
        const prefixed = PREFIXED_DIGEST.exec(received);
        const [, prefix = '', digest = ''] = prefixed ?? [];
        if (prefixed === null) return malformedHeader(`The ${SPIKE_SIGNATURE_HEADER} header is neither hex nor base64.`);
        if (!isDigestText(digest) || !isSha256DigestLength(digest)) {
          return malformedHeader(
            `The ${SPIKE_SIGNATURE_HEADER} header starts with "${prefix}", which Spike does not send, and the ${digest.length} characters after it are not ` +
              `an HMAC-SHA256 digest (64 in hex or 43 to 44 in base64): make the sender write the digest alone.`,
          );
        }
        return { digests: [digest], encodings: ['hex', 'base64'], contents, unexpectedPrefix: { header: SPIKE_SIGNATURE_HEADER, prefix } };
      }
      if (!isSha256DigestLength(received)) {
        return malformedHeader(
          `The ${SPIKE_SIGNATURE_HEADER} header has ${received.length} characters; an HMAC-SHA256 digest has 64 in hex or 43 to 44 in base64.`,
        );
      }
      return { digests: [received], encodings: ['hex', 'base64'], contents };
    },
    keyBytes: textKey,
    digest: (content, key) => hmac('sha256', key, bodyOf(content)),
  },

  // Spike's docs name neither encoding, so signing writes hex unless the target requests base64.
  sign(body, key, _options, _now, target) {
    return [[SPIKE_SIGNATURE_HEADER, hmac('sha256', key, body).toString(target?.encoding ?? 'hex')]];
  },
});
