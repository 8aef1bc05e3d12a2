import type { HeaderPair } from '../contract';
import { GITHUB_SHA1_HEADER, GITHUB_SHA256_HEADER } from '../signatures/github';
import { detectScheme, getVerifier } from '../signatures/registry';
import { SHOPIFY_SIGNATURE_HEADER } from '../signatures/shopify';
import { signDelivery } from '../signatures/sign';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER } from '../signatures/slack';
import { SPIKE_SIGNATURE_HEADER } from '../signatures/spike';
import { STRIPE_SIGNATURE_HEADER } from '../signatures/stripe';
import { TWILIO_SIGNATURE_HEADER } from '../signatures/twilio';
import type { SignTarget } from '../signatures/types';

/**
 * The public test key that `--resign-with-test-key` signs with, unless HOOKTRAY_TEST_KEY is
 * set. It is not a secret: a project's test suite configures the same value to verify the
 * fixtures, so the fixtures never depend on the production key. Exports never contain it.
 */
export const DEFAULT_TEST_KEY = 'hooktray-test-key';

/** Environment variable that replaces DEFAULT_TEST_KEY; read from the environment, never from a command line. */
export const TEST_KEY_ENV = 'HOOKTRAY_TEST_KEY';

export type ResignResult = { ok: true; headers: HeaderPair[] } | { ok: false; message: string };

/** Lower-case names of the headers that carry a signature in the schemes of the registry. */
export const SIGNATURE_HEADERS: ReadonlySet<string> = new Set(
  [
    SPIKE_SIGNATURE_HEADER,
    GITHUB_SHA256_HEADER,
    GITHUB_SHA1_HEADER,
    STRIPE_SIGNATURE_HEADER,
    'webhook-signature',
    'svix-signature',
    SHOPIFY_SIGNATURE_HEADER,
    SLACK_SIGNATURE_HEADER,
    TWILIO_SIGNATURE_HEADER,
  ].map((name) => name.toLowerCase()),
);

/**
 * Returns the test key for a scheme. Standard Webhooks keys are base64 bytes behind a
 * `whsec_` prefix, so a plain test key is wrapped that way. Other schemes use the text as is.
 */
export function testKeyFor(scheme: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = env[TEST_KEY_ENV] || DEFAULT_TEST_KEY;
  if (scheme === 'standard-webhooks' && !key.startsWith('whsec_')) return `whsec_${Buffer.from(key).toString('base64')}`;
  return key;
}

/** Picks the scheme to re-sign with: the verdict's, then the one the headers suggest. */
export function schemeForResign(scheme: string | null | undefined, headers: readonly HeaderPair[]): string | null {
  if (scheme !== null && scheme !== undefined && getVerifier(scheme) !== undefined) return scheme;
  return detectScheme(headers)?.name ?? null;
}

export interface ResignInput {
  scheme: string;
  headers: readonly HeaderPair[];
  body: Uint8Array;
  key: string;
  method: string;
  path: string;
  receivedAt: string;
  /** The covering profile's scheme options, such as the generic HMAC's header name. */
  options: Record<string, unknown>;
}

/**
 * Signs the body again with the signing helpers and writes each new value over the header of
 * the same name, in place, so header order and case stay as received. The provider's own
 * timestamp and message id are reused, so only the digest changes.
 */
export function resignHeaders(input: ResignInput): ResignResult {
  const target: SignTarget = { method: input.method, path: input.path };
  const messageId = valueOf(input.headers, 'webhook-id');
  if (messageId !== undefined) target.messageId = messageId;
  const spikeDigest = valueOf(input.headers, SPIKE_SIGNATURE_HEADER.toLowerCase())?.trim();
  if (spikeDigest !== undefined) target.encoding = /^[0-9a-fA-F]+$/.test(spikeDigest) ? 'hex' : 'base64';

  let signature: HeaderPair[];
  try {
    signature = signDelivery(input.scheme, input.body, input.key, input.options, providerTime(input), target);
  } catch (error) {
    return { ok: false, message: `Cannot re-sign this ${input.scheme} delivery: ${(error as Error).message} Its signature headers were redacted instead.` };
  }

  const values = new Map(signature.map(([name, value]) => [name.toLowerCase(), value]));
  let replaced = 0;
  const headers = input.headers.map(([name, value]): HeaderPair => {
    const signed = values.get(name.toLowerCase());
    if (signed === undefined) return [name, value];
    replaced += 1;
    return [name, signed];
  });
  if (replaced === 0) {
    return { ok: false, message: `Cannot re-sign this delivery: it has none of the ${input.scheme} signature headers; its signature headers were redacted instead.` };
  }
  return { ok: true, headers };
}

/**
 * Returns the time the provider signed at, in ms, from its timestamp header (Stripe `t=`,
 * `webhook-timestamp`, Slack, or the generic HMAC's `timestampHeader`), else the receive time.
 */
function providerTime(input: ResignInput): number {
  const stripe = /(?:^|,)\s*t=(\d+)/.exec(valueOf(input.headers, STRIPE_SIGNATURE_HEADER.toLowerCase()) ?? '')?.[1];
  const timestampHeader = typeof input.options.timestampHeader === 'string' ? input.options.timestampHeader.toLowerCase() : undefined;
  const candidates = [
    stripe,
    valueOf(input.headers, 'webhook-timestamp'),
    valueOf(input.headers, SLACK_TIMESTAMP_HEADER.toLowerCase()),
    timestampHeader === undefined ? undefined : valueOf(input.headers, timestampHeader),
  ];
  for (const candidate of candidates) {
    if (candidate !== undefined && /^\d{1,12}$/.test(candidate.trim())) return Number(candidate.trim()) * 1000;
  }
  return Date.parse(input.receivedAt);
}

function valueOf(headers: readonly HeaderPair[], lowerName: string): string | undefined {
  return headers.find(([name]) => name.toLowerCase() === lowerName)?.[1];
}
