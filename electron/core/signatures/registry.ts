import type { HeaderPair } from '../contract';
import { spikeVerifier } from './spike';
import type { SchemeVerifier } from './types';

/** Every scheme a profile can name, in detection order: specific headers before generic ones. */
const VERIFIERS: readonly SchemeVerifier[] = [spikeVerifier];

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
