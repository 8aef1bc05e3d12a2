import { z } from 'zod';
import type { DigestEncoding, HeaderPair } from '../contract';
import { findHeader } from '../headers';
import type { HmacAlgorithm } from './digest';
import { DIGEST_BYTES, HMAC_ALGORITHMS, decodeBase64Strict, decodeDigest, decodeHexStrict, hmac, isDigestText } from './digest';
import type { ContentVariant, SignedContent } from './scheme';
import { defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import { parseFlexibleTimestamp } from './timestamp';
import { toleranceOption } from './tolerance-option';
import type { SignTarget } from './types';

const PLACEHOLDER = /\{(body|timestamp|method|path)\}/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const optionsSchema = z
  .object({
    header: z
      .string({ error: 'set "header" to the name of the header that carries the signature, such as "X-Signature"' })
      .regex(HEADER_NAME, { error: '"header" must be an HTTP header name, such as "X-Signature"' }),
    algorithm: z.enum(HMAC_ALGORITHMS, { error: '"algorithm" must be "sha1", "sha256" or "sha512"' }).default('sha256'),
    encoding: z.enum(['hex', 'base64'], { error: '"encoding" must be "hex" or "base64"' }).default('hex'),
    /** Text before the digest in the header, such as `sha256=`; matched without regard to case. */
    prefix: z.string({ error: '"prefix" must be text, such as "sha256="' }).default(''),
    /** Signed content: `{body}`, `{timestamp}`, `{method}` and `{path}` are replaced, the rest is literal. */
    template: z
      .string({ error: '"template" must be text such as "{timestamp}.{body}"' })
      .refine((text) => text.replace(PLACEHOLDER, '').match(/\{[a-z]+\}/) === null, {
        error: '"template" may use only {body}, {timestamp}, {method} and {path}',
      })
      .default('{body}'),
    timestampHeader: z
      .string({ error: '"timestampHeader" must be a header name' })
      .regex(HEADER_NAME, { error: '"timestampHeader" must be an HTTP header name, such as "X-Timestamp"' })
      .optional(),
    toleranceSeconds: toleranceOption,
    /** Encoding of the stored key: its UTF-8 text, or the bytes its base64 or hex text decodes to. */
    keyEncoding: z.enum(['utf8', 'base64', 'hex'], { error: '"keyEncoding" must be "utf8", "base64" or "hex"' }).default('utf8'),
  })
  .strict()
  .refine((options) => !options.template.includes('{timestamp}') || options.timestampHeader !== undefined, {
    error: 'the template uses {timestamp}, so set "timestampHeader" to the header that carries it',
    path: ['timestampHeader'],
  })
  .refine((options) => options.timestampHeader === undefined || options.template.includes('{timestamp}'), {
    error: '"timestampHeader" is set but the template has no {timestamp}, so the timestamp would not be signed',
    path: ['template'],
  });

export type HmacOptions = z.infer<typeof optionsSchema>;

/** Splits the template into literal text and the content each placeholder names, in order. */
function renderTemplate(template: string, content: SignedContent): (string | Uint8Array)[] {
  const parts: (string | Uint8Array)[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index));
    const name = match[1] as 'body' | 'timestamp' | 'method' | 'path';
    parts.push(content[name] ?? '');
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

function keyBytes(key: string, options: HmacOptions): Uint8Array | null {
  if (options.keyEncoding === 'base64') return decodeBase64Strict(key);
  if (options.keyEncoding === 'hex') return decodeHexStrict(key);
  return textKey(key);
}

const KEY_ENCODING_RULES = {
  hex: 'an even number of the characters 0-9 and a-f, in either case',
  base64: 'padded standard base64: A-Z, a-z, 0-9, + and /, a multiple of 4 characters long',
} as const;

function unreadableKey(key: string, options: HmacOptions): string {
  const encoding = options.keyEncoding === 'base64' ? 'base64' : 'hex';
  const required = `the profile's option "keyEncoding" is "${encoding}"`;
  if (keyBytes(key.trim(), options) !== null) return `has whitespace around it, which ${encoding} does not allow (${required}): remove the whitespace`;
  return (
    `is not valid ${encoding} (${KEY_ENCODING_RULES[encoding]}), but ${required}: ` +
    `store the key in ${encoding}, or set "keyEncoding" to "utf8" to sign with the key's text as it is`
  );
}

/** Tries the other algorithms whose digest length equals the received one. */
function* algorithmVariants(digests: readonly string[], contents: readonly SignedContent[], options: HmacOptions): Generator<ContentVariant> {
  const lengths = new Set(digests.map((digest) => decodeDigest(digest, options.encoding)?.length));
  for (const algorithm of HMAC_ALGORITHMS) {
    if (algorithm === options.algorithm || !lengths.has(DIGEST_BYTES[algorithm])) continue;
    yield {
      contents: contents.map((content) => ({ ...content, algorithm })),
      finding: `The signature is an HMAC-${algorithm.toUpperCase()}, not ${options.algorithm.toUpperCase()}: set "algorithm" to "${algorithm}" in the profile's options.`,
    };
  }
}

function encodingFix(encoding: DigestEncoding): string {
  return `set "encoding" to "${encoding}" in the profile's options`;
}

/**
 * Generic HMAC: a digest of the body, or of a template such as `{timestamp}.{body}`, in a
 * header the profile names, with the algorithm, encoding, prefix and key reading it sets.
 */
export const hmacVerifier = defineScheme<HmacOptions>({
  name: 'hmac',
  label: 'generic HMAC',
  optionsSchema,

  // A generic sender is recognised only by a header name that mentions a signature.
  detect(headers) {
    return headers.some(([name]) => /signature|hmac/i.test(name));
  },

  model: {
    keySource: 'the sender’s signing secret',
    describe: (_parsed, options) => `HMAC-${options.algorithm.toUpperCase()} of "${options.template}"`,
    parse(request, options) {
      const value = findHeader(request.headers, options.header)?.trim();
      if (value === undefined) return missingSignature(options.header);
      if (value.slice(0, options.prefix.length).toLowerCase() !== options.prefix.toLowerCase()) {
        return malformedHeader(`The ${options.header} header does not start with "${options.prefix}".`);
      }
      const digest = value.slice(options.prefix.length);
      if (!isDigestText(digest)) return malformedHeader(`The ${options.header} header has no hex or base64 digest after the prefix.`);

      const content: SignedContent = { body: request.body, method: request.method, path: request.path };
      if (options.timestampHeader === undefined) return { digests: [digest], encodings: [options.encoding], contents: [content] };

      const timestamp = findHeader(request.headers, options.timestampHeader)?.trim();
      if (timestamp === undefined) return malformedHeader(`The request has the ${options.header} header but no ${options.timestampHeader} header.`);
      const seconds = parseFlexibleTimestamp(timestamp);
      if (seconds === null) return malformedHeader(`The ${options.timestampHeader} header is not a Unix time or an ISO 8601 date.`);
      return {
        digests: [digest],
        encodings: [options.encoding],
        contents: [{ ...content, timestamp }],
        timestamp: { seconds, toleranceSeconds: options.toleranceSeconds, direction: 'both' },
      };
    },
    keyBytes,
    unreadableKey,
    digest: (content, key, options) => hmac(content.algorithm ?? options.algorithm, key, ...renderTemplate(options.template, content)),
    contentVariants: (_request, parsed, options) => algorithmVariants(parsed.digests, parsed.contents, options),
    contentVariantsChange: 'the HMAC algorithm',
    keyReading: (options) => {
      const setting = `("keyEncoding" is "${options.keyEncoding}")`;
      if (options.keyEncoding === 'utf8') return `the profile signs with the key as text ${setting}`;
      return `the profile decodes the key from ${options.keyEncoding} first ${setting}`;
    },
    keyFix: (reading) => {
      if (reading === 'standard-webhooks') return 'use the standard-webhooks scheme for this profile';
      return `set "keyEncoding" to "${reading === 'text' ? 'utf8' : reading}" in the profile's options`;
    },
    encodingFix,
  },

  sign(body, key, options, now, target?: SignTarget): HeaderPair[] {
    const secret = keyBytes(key, options);
    if (secret === null) throw new Error(`The key is not ${options.keyEncoding} text, as the profile's keyEncoding option requires.`);
    const timestamp = String(Math.floor(now / 1000));
    const content: SignedContent = { body, timestamp, method: target?.method ?? 'POST', path: target?.path ?? '/' };
    const digest = hmac(options.algorithm as HmacAlgorithm, secret, ...renderTemplate(options.template, content));

    const headers: HeaderPair[] = [[options.header, `${options.prefix}${digest.toString(options.encoding)}`]];
    if (options.timestampHeader !== undefined) headers.push([options.timestampHeader, timestamp]);
    return headers;
  },
});
