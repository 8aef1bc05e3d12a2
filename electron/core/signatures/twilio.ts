import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HeaderPair } from '../contract';
import { findHeader } from '../headers';
import { bodyVariants } from './body-variants';
import type { HmacAlgorithm } from './digest';
import { hmac, isDigestText } from './digest';
import type { ContentVariant, ParsedSignature } from './scheme';
import { defineScheme, malformedHeader, missingSignature, textKey } from './scheme';
import { joinPublicUrl, originFromHeaders, portForms, urlVariants } from './twilio-url';
import type { SchemeResult, SignedRequest } from './types';

export const TWILIO_SIGNATURE_HEADER = 'X-Twilio-Signature';
/** Names the algorithm of webhooks signed with a SharedKey: `key=…,algorithm=HMAC_SHA256`. */
export const TWILIO_SETTINGS_HEADER = 'X-Twilio-Webhooks-Signature-Settings';

const optionsSchema = z
  .object({
    /**
     * The URL Twilio posts to, when it is not the tunnel's (a reverse proxy or another tunnel):
     * its origin, to which the delivery's path is added, or the whole webhook URL.
     */
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'set "publicUrl" to the http(s) URL Twilio posts to, such as "https://example.ngrok.app"' })
      .optional(),
  })
  .strict();

type TwilioOptions = z.infer<typeof optionsSchema>;

type Params = readonly (readonly [string, string])[];

/** Concatenates each name and value, names sorted, values of one name de-duplicated and sorted, as Twilio signs them. */
export function sortedParamText(params: Params): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of params) {
    const values = byName.get(name) ?? new Set<string>();
    values.add(value);
    byName.set(name, values);
  }
  let text = '';
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...(byName.get(name) as Set<string>)].sort()) text += name + value;
  }
  return text;
}

function formParams(body: Uint8Array): [string, string][] {
  return [...new URLSearchParams(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))];
}

function bodySha256Param(url: string): string | null {
  const query = url.indexOf('?');
  return query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get('bodySHA256');
}

/** Returns the URL with a `bodySHA256` query parameter for a JSON body, the form Twilio signs. */
export function withBodySha256(url: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex');
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
}

function algorithmOf(request: SignedRequest): HmacAlgorithm | null {
  const settings = findHeader(request.headers, TWILIO_SETTINGS_HEADER) ?? '';
  const named = /(?:^|,)\s*algorithm\s*=\s*([^,\s]+)/i.exec(settings)?.[1]?.toUpperCase();
  if (named === undefined || named === 'HMAC_SHA1') return 'sha1';
  return named === 'HMAC_SHA256' ? 'sha256' : null;
}

function isForm(request: SignedRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(findHeader(request.headers, 'Content-Type')?.trim() ?? '');
}

/**
 * Returns the URL the signature should cover: the one given for this check, the profile's,
 * the tunnel's, or the one the headers name, in that order.
 */
function expectedUrl(request: SignedRequest, options: TwilioOptions): string | null {
  const base = request.publicUrlOverride ?? options.publicUrl ?? request.publicUrl ?? originFromHeaders(request);
  return base === null ? null : joinPublicUrl(base, request.path);
}

function parse(request: SignedRequest, options: TwilioOptions): ParsedSignature | SchemeResult {
  const received = findHeader(request.headers, TWILIO_SIGNATURE_HEADER)?.trim();
  if (received === undefined) return missingSignature(TWILIO_SIGNATURE_HEADER);
  if (!isDigestText(received)) return malformedHeader(`The ${TWILIO_SIGNATURE_HEADER} header is not a base64 digest.`);
  const algorithm = algorithmOf(request);
  if (algorithm === null) return malformedHeader(`The ${TWILIO_SETTINGS_HEADER} header names an algorithm other than HMAC_SHA1 or HMAC_SHA256.`);

  const url = expectedUrl(request, options);
  if (url === null) {
    return {
      status: 'unverified',
      reason: 'Twilio signs the public URL it posts to, and this delivery names none (no tunnel URL and only a local Host): set the profile’s publicUrl option.',
    };
  }
  // A JSON body is bound through the bodySHA256 query parameter, so only the URL is signed.
  const params = bodySha256Param(url) === null && isForm(request) ? formParams(request.body) : [];
  return {
    digests: [received],
    encodings: ['base64'],
    contents: portForms(url).map((candidate) => ({ url: candidate, params, algorithm })),
  };
}

/** After the URL matched, checks that the body's SHA-256 equals the bodySHA256 the URL carries. */
function checkBodyHash(request: SignedRequest, parsed: ParsedSignature): SchemeResult | null {
  const url = parsed.contents[0]?.url ?? '';
  const expected = bodySha256Param(url);
  if (expected === null) return null;
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  if (sha256(request.body) === expected.toLowerCase()) return null;

  const explained = [...bodyVariants(request)].find((variant) => sha256(variant.bytes) === expected.toLowerCase());
  return {
    status: 'invalid',
    reason: 'The signature matches the URL, but the body’s SHA-256 differs from the bodySHA256 query parameter.',
    diagnosis:
      explained?.finding ??
      'Nothing explains the mismatch: no re-serialization, newline, line-ending or compression change gives the bodySHA256 in the URL, so the body was changed after Twilio sent it.',
  };
}

function* contentVariants(request: SignedRequest, parsed: ParsedSignature, options: TwilioOptions): Generator<ContentVariant> {
  const first = parsed.contents[0];
  if (first?.url === undefined) return;
  const tried = new Set(parsed.contents.map((content) => content.url));
  for (const variant of urlVariants(request, first.url, options.publicUrl)) {
    const urls = portForms(variant.url);
    if (urls.every((url) => tried.has(url))) continue;
    yield { contents: urls.map((url) => ({ ...first, url })), finding: variant.finding };
  }
}

/** Describes what was signed: the URL, followed by the form parameters when the delivery has any. */
function describeSignature(parsed: ParsedSignature): string {
  const first = parsed.contents[0];
  const params = (first?.params?.length ?? 0) > 0 ? ' and its form parameters' : '';
  return `HMAC-${first?.algorithm === 'sha256' ? 'SHA256' : 'SHA1'} of ${first?.url ?? 'the URL'}${params}`;
}

/**
 * Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 (or HMAC-SHA256 when the settings header
 * says so) of the full public URL followed by the sorted form parameters; JSON bodies are
 * bound by a `bodySHA256` query parameter instead. The public URL counts, not the local one.
 */
export const twilioVerifier = defineScheme<TwilioOptions>({
  name: 'twilio',
  label: 'Twilio',
  optionsSchema,

  detect(headers) {
    return findHeader(headers, TWILIO_SIGNATURE_HEADER) !== undefined;
  },

  model: {
    keySource: 'the account’s Auth Token from the Twilio Console',
    describe: describeSignature,
    parse,
    keyBytes: textKey,
    digest: (content, key) => hmac(content.algorithm ?? 'sha1', key, content.url ?? '', sortedParamText(content.params ?? [])),
    afterMatch: checkBodyHash,
    contentVariants,
    contentVariantsChange: 'the URL (its scheme, host, port, trailing slash or query)',
  },

  /** Signs with HMAC-SHA1. `target.url` is required; add bodySHA256 with `withBodySha256` for a JSON body first. */
  sign(body, key, _options, _now, target): HeaderPair[] {
    if (target?.url === undefined) throw new Error('Twilio signs the full public URL: pass it as target.url.');
    const form = target.contentType === undefined || /^application\/x-www-form-urlencoded\b/i.test(target.contentType);
    const params = bodySha256Param(target.url) === null && form ? formParams(body) : [];
    return [[TWILIO_SIGNATURE_HEADER, hmac('sha1', key, target.url, sortedParamText(params)).toString('base64')]];
  },
});
