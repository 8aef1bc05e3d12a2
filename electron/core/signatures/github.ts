import { z } from 'zod';
import type { HeaderPair } from '../contract';
import { findHeader } from '../headers';
import type { HmacAlgorithm } from './digest';
import { hmac, isDigestText } from './digest';
import type { ParsedSignature } from './scheme';
import { bodyOf, defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import type { SchemeResult } from './types';

export const GITHUB_SHA256_HEADER = 'X-Hub-Signature-256';
export const GITHUB_SHA1_HEADER = 'X-Hub-Signature';

const optionsSchema = z
  .object({
    /** Accept the legacy HMAC-SHA1 `X-Hub-Signature` when `X-Hub-Signature-256` is absent. */
    legacySha1: z.boolean({ error: '"legacySha1" must be true or false' }).default(true),
  })
  .strict();

type GithubOptions = z.infer<typeof optionsSchema>;

function parseValue(header: string, value: string, algorithm: HmacAlgorithm, body: Uint8Array): ParsedSignature | SchemeResult {
  const prefix = `${algorithm}=`;
  const trimmed = value.trim();
  if (!trimmed.startsWith(prefix)) return malformedHeader(`The ${header} header does not start with "${prefix}".`);
  const digest = trimmed.slice(prefix.length);
  if (!isDigestText(digest)) return malformedHeader(`The ${header} header has no hex digest after "${prefix}".`);
  return { digests: [digest], encodings: ['hex'], contents: [{ body, algorithm }] };
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body with the webhook
 * secret. Deliveries also carry the legacy `X-Hub-Signature: sha1=<hex>`, used only when
 * the SHA-256 header is absent.
 */
export const githubVerifier = defineScheme<GithubOptions>({
  name: 'github',
  label: 'GitHub',
  optionsSchema,

  detect(headers) {
    return findHeader(headers, GITHUB_SHA256_HEADER) !== undefined || findHeader(headers, GITHUB_SHA1_HEADER) !== undefined;
  },

  model: {
    keySource: 'the webhook secret from the GitHub webhook’s settings',
    describe: (parsed) => `HMAC-${parsed.contents[0]?.algorithm === 'sha1' ? 'SHA1' : 'SHA256'} of the body`,
    parse(request, options) {
      const sha256 = findHeader(request.headers, GITHUB_SHA256_HEADER);
      if (sha256 !== undefined) return parseValue(GITHUB_SHA256_HEADER, sha256, 'sha256', request.body);
      const sha1 = findHeader(request.headers, GITHUB_SHA1_HEADER);
      if (sha1 === undefined) return missingSignature(GITHUB_SHA256_HEADER);
      if (options.legacySha1) return parseValue(GITHUB_SHA1_HEADER, sha1, 'sha1', request.body);
      return {
        status: 'missing-signature',
        reason: `The request has only the legacy ${GITHUB_SHA1_HEADER} header, and the profile's legacySha1 option is off.`,
      };
    },
    keyBytes: textKey,
    digest: (content, key) => hmac(content.algorithm ?? 'sha256', key, bodyOf(content)),
  },

  /** Writes both headers, as GitHub does. */
  sign(body, key): HeaderPair[] {
    return [
      [GITHUB_SHA256_HEADER, `sha256=${hmac('sha256', key, body).toString('hex')}`],
      [GITHUB_SHA1_HEADER, `sha1=${hmac('sha1', key, body).toString('hex')}`],
    ];
  },
});
