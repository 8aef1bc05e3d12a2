import type { z } from 'zod';
import type { DigestEncoding, HeaderPair } from '../contract';
import type { HmacAlgorithm } from './digest';
import { diagnoseMismatch } from './diagnosis';
import { encodeDigest, shortDigest } from './digest';
import { escapeControl } from '../escape-control';
import { containsKeyPart } from './key-spellings';
import type { DigestMatch } from './match';
import { findMatch } from './match';
import type { SentKey } from './sent-key';
import { findKeyInHeaders, findSentKey } from './sent-key';
import type { TimestampCheck } from './timestamp';
import { timestampVerdict } from './timestamp';
import type { SchemeResult, SchemeVerifier, SignedRequest, SignTarget, VerifyContext } from './types';

/** The parts of a delivery that a scheme signs; each scheme uses only some fields. */
export interface SignedContent {
  body?: Uint8Array;
  /** Timestamp text exactly as it appears in the signed content. */
  timestamp?: string;
  /** Message id (Standard Webhooks). */
  id?: string;
  /** Full URL with query (Twilio). */
  url?: string;
  /** Form parameters as name and value pairs (Twilio). */
  params?: readonly (readonly [string, string])[];
  method?: string;
  path?: string;
  /** Hash named by the delivery itself, such as GitHub's legacy SHA-1 header. */
  algorithm?: HmacAlgorithm;
}

/** A signature header read from a delivery, ready to compare with computed digests. */
export interface ParsedSignature {
  /** Received digests as text, prefixes removed; any one of them matching is enough. */
  digests: readonly string[];
  /** Encodings the scheme sends digests in. */
  encodings: readonly DigestEncoding[];
  /** Content a valid signature may cover; several when the scheme accepts variants (URL ports). */
  contents: readonly SignedContent[];
  timestamp?: TimestampCheck;
  /**
   * Text before the digest that the scheme does not send, such as `sha256=` in a Spike
   * header. The verdict is then `malformed-header`, and its reason states whether the
   * digest after the prefix matches a key.
   */
  unexpectedPrefix?: { header: string; prefix: string };
  /**
   * Set when the header names the signed content in several conflicting ways, such as two
   * different Stripe `t=` values, with one entry of `contents` for each. The verdict is then
   * `malformed-header` with `reason`, followed by the entry of `names` a key matches, if any.
   */
  conflict?: { reason: string; names: readonly string[] };
}

/** A change to the signed content that the diagnosis tries, with the finding it explains. */
export interface ContentVariant {
  contents: readonly SignedContent[];
  finding: string;
}

/** Kinds of key reading a finding can recommend, for `SigningModel.keyFix`. */
export type KeyReading = 'text' | 'base64' | 'hex' | 'standard-webhooks';

/**
 * The signing model of one scheme, which turns a delivery and a key into a digest.
 * `verifyWithModel` and the diagnosis drive it, so a scheme module declares only what is signed.
 */
export interface SigningModel<O> {
  /** Names what is signed for messages, such as "HMAC-SHA256 of the body". */
  describe(parsed: ParsedSignature, options: O): string;
  /** Reads the signature headers; returns a result for a missing or malformed signature. */
  parse(request: SignedRequest, options: O): ParsedSignature | SchemeResult;
  /** Turns a stored key into HMAC key bytes, or null when the key cannot be read that way. */
  keyBytes(key: string, options: O): Uint8Array | null;
  /**
   * Explains why `keyBytes` returned null for `key`, with the fix, as a phrase that follows
   * the key's name. Never contains the key.
   */
  unreadableKey?(key: string, options: O): string;
  digest(content: SignedContent, key: Uint8Array, options: O): Buffer;
  /** Checks what the signature does not cover directly, such as Twilio's body hash, after a key matched. */
  afterMatch?(request: SignedRequest, parsed: ParsedSignature, options: O): SchemeResult | null;
  /** Scheme-specific causes for the diagnosis, such as Twilio URLs that differ. */
  contentVariants?(request: SignedRequest, parsed: ParsedSignature, options: O): Iterable<ContentVariant>;
  /** Names what `contentVariants` changes, such as "the URL", for the finding when no cause matches. */
  contentVariantsChange?: string;
  /**
   * Describes how the profile reads a stored key, as a clause for findings such as "Standard
   * Webhooks decodes the key from base64 first". Absent: the scheme signs with the key's text.
   */
  keyReading?(options: O): string;
  /** Returns the fix that makes the profile read keys another way, when the scheme has an option for it. */
  keyFix?(reading: KeyReading): string | undefined;
  /** Returns the fix that makes the profile accept another digest encoding, when it has an option for it. */
  encodingFix?(encoding: DigestEncoding): string | undefined;
  /** Origin of the key for the no-key reason, such as "the signing secret from …". */
  keySource: string;
}

export interface SchemeDefinition<O extends Record<string, unknown>> {
  name: string;
  label: string;
  optionsSchema: z.ZodType<O>;
  detect(headers: readonly HeaderPair[]): boolean;
  model: SigningModel<O>;
  sign(body: Uint8Array, key: string, options: O, now: number, target?: SignTarget): HeaderPair[];
}

/**
 * Builds a verifier from a signing model. Options are validated once per options object;
 * options that fail validation give an `unverified` verdict that names the problem.
 */
export function defineScheme<O extends Record<string, unknown>>(definition: SchemeDefinition<O>): SchemeVerifier {
  const parsedOptions = new WeakMap<object, O | string>();
  const optionsOf = (raw: Record<string, unknown>): O | string => {
    let options = parsedOptions.get(raw);
    if (options === undefined) {
      const result = definition.optionsSchema.safeParse(raw);
      const issue = result.error?.issues[0];
      options = result.success ? result.data : `${issue?.path.join('.') || 'options'}: ${issue?.message ?? 'invalid value'}`;
      parsedOptions.set(raw, options);
    }
    return options;
  };

  return {
    name: definition.name,
    label: definition.label,
    optionsSchema: definition.optionsSchema as unknown as z.ZodType<Record<string, unknown>>,
    detect: definition.detect,
    verify(request, keys, rawOptions, context) {
      const options = optionsOf(rawOptions);
      if (typeof options === 'string') return { status: 'unverified', reason: `The profile's ${definition.label} options are invalid (${options}): correct them to verify.` };
      return verifyWithModel(definition, request, keys, options, context);
    },
    checkKey(key, rawOptions) {
      if (key.trim() === '') return 'is empty or only whitespace: enter the key itself';
      const options = optionsOf(rawOptions);
      if (typeof options === 'string' || definition.model.keyBytes(key, options) !== null) return null;
      return definition.model.unreadableKey?.(key, options) ?? `cannot be read as a ${definition.label} key`;
    },
    sign(body, key, rawOptions, now, target) {
      return definition.sign(body, key, definition.optionsSchema.parse(rawOptions), now, target);
    },
  };
}

function verifyWithModel<O extends Record<string, unknown>>(
  definition: SchemeDefinition<O>,
  request: SignedRequest,
  keys: readonly string[],
  options: O,
  context: VerifyContext,
): SchemeResult {
  const { model } = definition;
  const parsed = model.parse(request, options);
  if ('status' in parsed) {
    // A header that cannot be parsed may be the key itself, which the reason quotes in part.
    if (parsed.status !== 'malformed-header') return parsed;
    const sentKey = findKeyInHeaders(request.headers, keys, (key) => model.keyBytes(key, options), context);
    return sentKey === null ? parsed : sentKeyResult(`${definition.label} signature`, sentKey);
  }
  const keyBytes = keys.map((key) => model.keyBytes(key, options));
  const match = findMatch(model, parsed, keyBytes, options);
  // A key sent in place of a digest must not reach the messages below, which quote what was received.
  const sentKey = match === null ? findSentKey(parsed, keys, keyBytes, (key) => model.keyBytes(key, options), context) : null;
  if (sentKey !== null) return sentKeyResult(model.describe(parsed, options), sentKey);
  if (parsed.conflict !== undefined) return conflictResult(parsed.conflict, keys.length, match, model.keySource);
  if (parsed.unexpectedPrefix !== undefined) return unexpectedPrefixResult(definition, parsed, parsed.unexpectedPrefix, keys.length, match, options);
  if (keys.length === 0) {
    return { status: 'no-key', reason: `The profile has no key: add ${model.keySource} to verify.` };
  }
  if (match === null) return invalidResult(definition, request, parsed, keys, keyBytes, options, context);

  const afterMatch = model.afterMatch?.(request, parsed, options);
  if (afterMatch) return afterMatch;

  const matched = `${model.describe(parsed, options)} matches key ${match.keyIndex + 1} (${match.encoding})`;
  if (parsed.timestamp !== undefined) {
    const late = timestampVerdict(parsed.timestamp, context, matched);
    if (late !== null) return { ...late, keyIndex: match.keyIndex, encoding: match.encoding };
  }
  return { status: 'valid', keyIndex: match.keyIndex, encoding: match.encoding, reason: `${matched}.` };
}

function invalidResult<O extends Record<string, unknown>>(
  definition: SchemeDefinition<O>,
  request: SignedRequest,
  parsed: ParsedSignature,
  keys: readonly string[],
  keyBytes: readonly (Uint8Array | null)[],
  options: O,
  context: VerifyContext,
): SchemeResult {
  const { model } = definition;
  const received = parsed.digests[0] ?? '';
  const firstKey = keyBytes.findIndex((bytes) => bytes !== null);
  const firstContent = parsed.contents[0];

  // Only the first key's expected digest is shown, shortened, so a reader can compare by eye.
  let expected = '';
  if (firstKey !== -1 && firstContent !== undefined) {
    const digest = model.digest(firstContent, keyBytes[firstKey] as Uint8Array, options);
    expected = `, expected ${shortDigest(encodeDigest(digest, parsed.encodings[0] ?? 'hex'))} with key ${firstKey + 1}`;
  }
  const reason = `${model.describe(parsed, options)} ${matchesNoKey(keys.length)}: received ${receivedText(received, keys, context)}${expected}.`;
  if (context.diagnose === false) return { status: 'invalid', reason };
  const diagnosis = diagnoseMismatch({ label: definition.label, model, request, parsed, keys, keyBytes, options, context });
  return { status: 'invalid', reason, diagnosis };
}

/** Returns the received digest shortened for a message, or words for it when it is empty or contains part of a key. */
function receivedText(received: string, keys: readonly string[], context: VerifyContext): string {
  if (received.trim() === '') return 'an empty value';
  const otherKeys = (context.otherProfileKeys?.() ?? []).flatMap((other) => other.keys);
  if (containsKeyPart(received, [...keys, ...otherKeys])) return 'a value that contains part of a key (not shown)';
  return shortDigest(received);
}

/** Reports a key that the delivery carries in place of its digest or timestamp, without quoting it. */
function sentKeyResult(signed: string, { field, keyIndex, profile }: SentKey): SchemeResult {
  const key = profile === undefined ? `key ${keyIndex + 1}` : `key ${keyIndex + 1} of profile "${profile}"`;
  let reason: string;
  if (field === 'signature') reason = `The signature header carries ${key} itself instead of an ${signed}: the sender must sign with the key, not send it.`;
  else if (field === 'timestamp') reason = `The timestamp header carries ${key} itself instead of the signing time: the sender must keep the key out of its headers.`;
  else {
    const carries = field.partOfValue ? `contains ${key}` : `carries ${key} itself`;
    reason = `The ${escapeControl(field.header)} header ${carries}, and no ${signed} could be read: the sender must sign with the key, not send it.`;
  }
  return {
    status: 'invalid',
    reason,
    diagnosis: `Treat ${key} as exposed: it travelled in this request and is stored with its headers, so replace it with a new key once the sender signs correctly.`,
  };
}

/** Reports conflicting signed content, and which of its readings a key matches. */
function conflictResult({ reason, names }: { reason: string; names: readonly string[] }, keyCount: number, match: DigestMatch | null, keySource: string): SchemeResult {
  if (keyCount === 0) return malformedHeader(`${reason} Add ${keySource} to see which one the signature covers.`);
  if (match === null) return malformedHeader(`${reason} The signature ${matchesNoKey(keyCount)} with any of them.`);
  return malformedHeader(`${reason} The signature matches key ${match.keyIndex + 1} with ${names[match.contentIndex] ?? 'one of them'}.`);
}

/** Reports a digest behind a prefix the scheme does not send, and whether the digest after it matches a key. */
function unexpectedPrefixResult<O extends Record<string, unknown>>(
  definition: SchemeDefinition<O>,
  parsed: ParsedSignature,
  { header, prefix }: { header: string; prefix: string },
  keyCount: number,
  match: DigestMatch | null,
  options: O,
): SchemeResult {
  const { model } = definition;
  const found = `The ${header} header starts with "${prefix}", which ${definition.label} does not send`;
  const fix = 'remove the prefix where the sender writes the header';
  if (keyCount === 0) return malformedHeader(`${found}: ${fix}, and add ${model.keySource} to check the digest after it.`);
  if (match !== null) {
    return malformedHeader(`${found}, but the digest after it is the ${model.describe(parsed, options)} with key ${match.keyIndex + 1} (${match.encoding}): ${fix}.`);
  }
  return malformedHeader(`${found}, and the digest after it ${matchesNoKey(keyCount)} either: ${fix}, then check the key.`);
}

function matchesNoKey(keyCount: number): string {
  return keyCount === 1 ? 'does not match the key' : `matches none of the ${keyCount} keys`;
}

export function missingSignature(header: string): SchemeResult {
  return { status: 'missing-signature', reason: `The request has no ${header} header.` };
}

export function malformedHeader(reason: string): SchemeResult {
  return { status: 'malformed-header', reason };
}

/** Reads a key as its UTF-8 text, the way most providers use their secrets. */
export function textKey(key: string): Uint8Array {
  return Buffer.from(key, 'utf8');
}

/** Returns the content's body; a model that signs the body always puts one in its content. */
export function bodyOf(content: SignedContent): Uint8Array {
  return content.body ?? new Uint8Array(0);
}
