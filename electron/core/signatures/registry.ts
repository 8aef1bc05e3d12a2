import type { HeaderPair } from '../contract';
import { githubVerifier } from './github';
import { hmacVerifier } from './hmac-scheme';
import { shopifyVerifier } from './shopify';
import { slackVerifier } from './slack';
import { spikeVerifier } from './spike';
import { standardWebhooksVerifier } from './standard-webhooks';
import { stripeVerifier } from './stripe';
import { twilioVerifier } from './twilio';
import type { SchemeVerifier } from './types';

/** Every scheme a profile can name, in detection order: specific headers first, the generic HMAC last. */
const VERIFIERS: readonly SchemeVerifier[] = [
  spikeVerifier,
  githubVerifier,
  stripeVerifier,
  standardWebhooksVerifier,
  shopifyVerifier,
  slackVerifier,
  twilioVerifier,
  hmacVerifier,
];

const BY_NAME = new Map(VERIFIERS.map((verifier) => [verifier.name, verifier]));

export function schemeNames(): string[] {
  return VERIFIERS.map((verifier) => verifier.name);
}

export function getVerifier(name: string): SchemeVerifier | undefined {
  return BY_NAME.get(name);
}

/** Returns the first scheme whose signature header the request carries. */
export function detectScheme(headers: readonly HeaderPair[]): SchemeVerifier | undefined {
  return VERIFIERS.find((verifier) => verifier.detect(headers));
}
