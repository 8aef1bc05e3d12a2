import type { Verdict } from '../contract';
import { escapeControl } from '../escape-control';
import { detectScheme, getVerifier } from './registry';
import { findKeyInHeaders } from './sent-key';
import type { OtherProfileKeys, Profile, SignedRequest, VerifyContext } from './types';

/** Source of each profile's keys. Keys stay in the core and never cross the contract. */
export interface KeyVault {
  /** Returns the profile's keys, oldest first, or an empty list when it has none. */
  keysFor(profileName: string): readonly string[];
}

/** Returns the profile with the longest path prefix that the request's path starts with. */
export function findProfile(profiles: readonly Profile[], path: string): Profile | undefined {
  const pathname = path.split('?', 1)[0] ?? path;
  let best: Profile | undefined;
  for (const profile of profiles) {
    if (!pathname.startsWith(profile.pathPrefix)) continue;
    if (best === undefined || profile.pathPrefix.length > best.pathPrefix.length) best = profile;
  }
  return best;
}

/**
 * Returns the message for a profile whose path prefix an earlier profile has already, or null.
 * findProfile picks the earlier one for every delivery, so the later one would never verify.
 */
export function samePrefixProblem(profiles: readonly Pick<Profile, 'name' | 'pathPrefix'>[], index: number): string | null {
  const profile = profiles[index];
  const earlier = profiles.slice(0, index).find((candidate) => candidate.pathPrefix === profile?.pathPrefix);
  if (profile === undefined || earlier === undefined) return null;
  return `The path prefix "${profile.pathPrefix}" is profile "${earlier.name}"'s too, which verifies every delivery under it: give each profile its own path prefix.`;
}

/** Computes a delivery's verdict from its bytes, the profiles and the vault's keys. */
export function verifyDelivery(request: SignedRequest, profiles: readonly Profile[], vault: KeyVault, context: VerifyContext): Verdict {
  const profile = findProfile(profiles, request.path);
  if (profile === undefined) return unverifiedVerdict(request, profiles, vault);

  const verifier = getVerifier(profile.scheme);
  if (verifier === undefined) {
    return {
      status: 'unverified',
      scheme: profile.scheme,
      profile: profile.name,
      reason: `Profile "${profile.name}" names the unknown scheme "${profile.scheme}".`,
    };
  }

  // An invalid signature is compared with the other profiles' keys too: the diagnosis tries
  // them, and even without a diagnosis a key sent as the signature must be found and not quoted.
  const otherProfileKeys = (): OtherProfileKeys[] =>
    profiles.filter((other) => other.name !== profile.name).map((other) => ({ profile: other.name, keys: vault.keysFor(other.name) }));
  const verifyContext = { otherProfileKeys, ...context };
  const result = verifier.verify(request, vault.keysFor(profile.name), profile.options, verifyContext);
  // verify() returns a new object each time; extending it saves a copy on every delivery.
  return Object.assign(result, { scheme: verifier.name, profile: profile.name });
}

/**
 * Returns the verdict of a delivery that no profile's path prefix covers. When its headers look
 * like a scheme that a profile uses, the reason names that profile's prefix, because the
 * delivery was most likely sent to the wrong path.
 */
function unverifiedVerdict(request: SignedRequest, profiles: readonly Profile[], vault: KeyVault): Verdict {
  const detected = detectScheme(request.headers);
  if (detected === undefined) {
    return { status: 'unverified', scheme: null, profile: null, reason: 'No profile covers this path.' };
  }
  const sameScheme = profiles.filter((profile) => profile.scheme === detected.name);
  const prefixes = sameScheme.map((profile) => `"${profile.pathPrefix}" (profile "${profile.name}")`).join(', ');
  const reason =
    sameScheme.length === 0
      ? `Looks like a ${detected.label} delivery: add a ${detected.label} profile with a key for this path to verify it.`
      : `Looks like a ${detected.label} delivery, but its path is outside ${prefixes}: send it to a path under ${sameScheme.length === 1 ? 'that prefix' : 'one of those prefixes'}, or add a ${detected.label} profile for this path.`;
  const verdict: Verdict = { status: 'unverified', scheme: null, profile: null, detectedScheme: detected.name, reason };
  // A signed delivery outside every prefix is checked for a sent key all the same, because the key is exposed wherever it was sent.
  const otherProfileKeys = (): OtherProfileKeys[] => profiles.map((other) => ({ profile: other.name, keys: vault.keysFor(other.name) }));
  const sentKey = findKeyInHeaders(request.headers, [], () => null, { now: 0, otherProfileKeys });
  if (sentKey !== null && typeof sentKey.field === 'object') {
    const key = `key ${sentKey.keyIndex + 1} of profile "${sentKey.profile ?? ''}"`;
    verdict.diagnosis = `The ${escapeControl(sentKey.field.header)} header ${sentKey.field.partOfValue ? 'contains' : 'carries'} ${key}. Treat ${key} as exposed: it travelled in this request and is stored with its headers, so replace it with a new key.`;
  }
  return verdict;
}
