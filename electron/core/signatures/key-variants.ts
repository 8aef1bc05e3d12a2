import { decodeBase64Strict, decodeHexStrict } from './digest';
import { whitespaceVariants } from './key-whitespace';
import type { KeyReading, SigningModel } from './scheme';

/** Another reading of a stored key and the finding it explains when the signature matches it. */
export interface KeyVariant {
  bytes: Uint8Array;
  finding: string;
}

export const WHSEC_PREFIX = 'whsec_';

const DEFAULT_FIXES: Record<KeyReading, string> = {
  text: 'the sender signs with the secret as text without decoding it, so check its signing code',
  base64: 'the sender base64-decodes the secret before signing, so check its signing code',
  hex: 'the sender hex-decodes the secret before signing, so check its signing code',
  'standard-webhooks': 'use the standard-webhooks scheme for this profile',
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * Yields readings of key `keyIndex` that differ from the scheme's own, in the order the
 * diagnosis reports them: other whitespace around it (removed, or a line ending the sender's
 * copy carries), base64 or text, the whsec_ prefix, and hex.
 */
export function* keyVariants<O>(key: string, keyIndex: number, model: SigningModel<O>, options: O, label: string): Generator<KeyVariant> {
  const n = keyIndex + 1;
  const seen: Uint8Array[] = [];
  const standard = model.keyBytes(key, options);
  if (standard !== null) seen.push(standard);
  const isNew = (bytes: Uint8Array | null): bytes is Uint8Array => {
    if (bytes === null || bytes.length === 0 || seen.some((other) => sameBytes(other, bytes))) return false;
    seen.push(bytes);
    return true;
  };
  const fix = (reading: KeyReading): string => model.keyFix?.(reading) ?? DEFAULT_FIXES[reading];
  // The profile's own reading, which options such as the hmac scheme's keyEncoding change.
  const profileReading = model.keyReading?.(options) ?? `${label} signs with the key as text`;

  for (const variant of whitespaceVariants(key)) {
    const bytes = model.keyBytes(variant.key, options);
    if (isNew(bytes)) yield { bytes, finding: variant.finding(n) };
  }

  const decoded = decodeBase64Strict(key);
  if (isNew(decoded)) {
    yield { bytes: decoded, finding: `The signature matches key ${n} decoded from base64, but ${profileReading}: ${fix('base64')}.` };
  }
  const text = Buffer.from(key, 'utf8');
  if (isNew(text)) {
    yield { bytes: text, finding: `The signature matches key ${n} used as plain text, but ${profileReading}: ${fix('text')}.` };
  }

  yield* prefixVariants(key, n, model, options, isNew, fix);

  const hex = decodeHexStrict(key);
  if (isNew(hex)) {
    yield { bytes: hex, finding: `The signature matches key ${n} decoded from hex, but ${profileReading}: ${fix('hex')}.` };
  }
}

function* prefixVariants<O>(
  key: string,
  n: number,
  model: SigningModel<O>,
  options: O,
  isNew: (bytes: Uint8Array | null) => bytes is Uint8Array,
  fix: (reading: KeyReading) => string,
): Generator<KeyVariant> {
  if (!key.startsWith(WHSEC_PREFIX)) {
    const prefixed = model.keyBytes(`${WHSEC_PREFIX}${key}`, options);
    if (isNew(prefixed)) {
      yield { bytes: prefixed, finding: `The signature matches key ${n} with a "${WHSEC_PREFIX}" prefix: the sender signs with the whole secret, prefix included, so store the key with its prefix.` };
    }
    return;
  }

  const rest = key.slice(WHSEC_PREFIX.length);
  const withoutPrefix = model.keyBytes(rest, options);
  if (isNew(withoutPrefix)) {
    yield { bytes: withoutPrefix, finding: `The signature matches key ${n} without its "${WHSEC_PREFIX}" prefix: the sender signs with the part after the prefix, so remove the prefix from the stored key.` };
  }
  const restText = Buffer.from(rest, 'utf8');
  if (isNew(restText)) {
    yield { bytes: restText, finding: `The signature matches the text of key ${n} after its "${WHSEC_PREFIX}" prefix, not decoded: ${fix('text')}.` };
  }
  const standardWebhooks = decodeBase64Strict(rest);
  if (isNew(standardWebhooks)) {
    yield { bytes: standardWebhooks, finding: `The signature matches key ${n} read as a Standard Webhooks secret (the base64 after "${WHSEC_PREFIX}", decoded): ${fix('standard-webhooks')}.` };
  }
}
