import type { DigestEncoding } from '../contract';
import { bodyVariants, undecodedBodyFinding } from './body-variants';
import { keyVariants } from './key-variants';
import { findMatch } from './match';
import type { ContentVariant, ParsedSignature, SignedContent, SigningModel } from './scheme';
import type { SignedRequest, VerifyContext } from './types';

/** Everything the diagnosis of one invalid signature needs; it reads no clock and no files. */
export interface DiagnosisInput<O> {
  label: string;
  model: SigningModel<O>;
  request: SignedRequest;
  parsed: ParsedSignature;
  keys: readonly string[];
  /** The scheme's reading of each key; null where the key cannot be read that way. */
  keyBytes: readonly (Uint8Array | null)[];
  options: O;
  context: VerifyContext;
}

/** One changed assumption: keys, content or encodings to try, and the finding if they match. */
interface Cause {
  keys: readonly (Uint8Array | null)[];
  contents?: readonly SignedContent[];
  encodings?: readonly DigestEncoding[];
  finding: string;
}

/** Seconds either side of the header's timestamp searched for the one that was signed. */
const CLOCK_WINDOW_SECONDS = 60;
/** Largest body for the clock search, which hashes the body twice per second of the window for each key. */
const CLOCK_SEARCH_MAX_BODY = 16 * 1024;

/**
 * Tries the likely causes of a mismatch in a fixed order and returns the finding of the
 * first that reproduces a received digest. When none does, it returns why a signature over the
 * decoded body cannot be checked, for a body without a decoded copy, or else a finding that
 * points to the key. Findings name keys by position and never contain a key or a digest
 * computed from one.
 */
export function diagnoseMismatch<O>(input: DiagnosisInput<O>): string {
  for (const cause of causes(input)) {
    const match = findMatch(input.model, input.parsed, cause.keys, input.options, cause.contents, cause.encodings);
    if (match !== null) return cause.finding;
  }

  const signsBody = input.parsed.contents.some((content) => content.body !== undefined);
  const undecoded = signsBody ? undecodedBodyFinding(input.request) : null;
  if (undecoded !== null) return `${undecoded} If the sender signs the body as received, check ${keysToCheck(input.keys)}.${unreadableKeysNote(input)}`;
  return nothingExplains(input);
}

function* causes<O>(input: DiagnosisInput<O>): Generator<Cause> {
  yield* keyCauses(input);
  yield* encodingCauses(input);
  yield* bodyCauses(input);
  for (const variant of input.model.contentVariants?.(input.request, input.parsed, input.options) ?? []) {
    yield contentCause(input, variant);
  }
  yield* otherProfileCauses(input);
  yield* clockCauses(input);
}

function contentCause<O>(input: DiagnosisInput<O>, variant: ContentVariant): Cause {
  return { keys: input.keyBytes, contents: variant.contents, finding: variant.finding };
}

function* keyCauses<O>(input: DiagnosisInput<O>): Generator<Cause> {
  for (const [index, key] of input.keys.entries()) {
    for (const variant of keyVariants(key, index, input.model, input.options, input.label)) {
      yield { keys: [variant.bytes], finding: variant.finding };
    }
  }
}

function* encodingCauses<O>(input: DiagnosisInput<O>): Generator<Cause> {
  const accepted = input.parsed.encodings;
  for (const encoding of (['hex', 'base64'] as const).filter((candidate) => !accepted.includes(candidate))) {
    const fix = input.model.encodingFix?.(encoding) ?? 'the sender encodes the digest differently, so check its signing code';
    yield {
      keys: input.keyBytes,
      encodings: [encoding],
      finding: `The header carries the right digest in ${encoding}, but ${input.label} sends ${accepted.join(' or ')}: ${fix}.`,
    };
  }
}

function* bodyCauses<O>(input: DiagnosisInput<O>): Generator<Cause> {
  if (!input.parsed.contents.some((content) => content.body !== undefined)) return;
  for (const variant of bodyVariants(input.request)) {
    const contents = input.parsed.contents.map((content) => (content.body === undefined ? content : { ...content, body: variant.bytes }));
    yield { keys: input.keyBytes, contents, finding: variant.finding };
  }
}

function* otherProfileCauses<O>(input: DiagnosisInput<O>): Generator<Cause> {
  for (const other of input.context.otherProfileKeys?.() ?? []) {
    for (const [index, key] of other.keys.entries()) {
      yield {
        keys: [input.model.keyBytes(key, input.options)],
        finding: `The signature matches key ${index + 1} of profile "${other.profile}": the sender signs with that profile's key, so point the sender at that profile's path or add the key to this profile.`,
      };
    }
  }
}

/**
 * Clock readings that differ from the header's timestamp: the same time in the other unit
 * (seconds or milliseconds), then each second within the window, nearest first.
 */
function* clockCauses<O>(input: DiagnosisInput<O>): Generator<Cause> {
  const first = input.parsed.contents[0];
  const stamp = searchedTimestamp(input.parsed);
  if (stamp === undefined) return;

  const withTimestamp = (timestamp: string): SignedContent[] => input.parsed.contents.map((content) => ({ ...content, timestamp }));
  const other = stamp.length >= 13 ? String(Math.floor(Number(stamp) / 1000)) : `${stamp}000`;
  const unit = stamp.length >= 13 ? 'seconds, but the header has milliseconds' : 'milliseconds, but the header has seconds';
  yield {
    keys: input.keyBytes,
    contents: withTimestamp(other),
    finding: `The signature matches the timestamp in ${unit}: the sender's signing code and its timestamp header use different units.`,
  };

  if ((first?.body?.length ?? 0) > CLOCK_SEARCH_MAX_BODY) return;
  const step = stamp.length >= 13 ? 1000 : 1;
  for (let seconds = 1; seconds <= CLOCK_WINDOW_SECONDS; seconds += 1) {
    for (const sign of [1, -1]) {
      const shifted = String(Number(stamp) + sign * seconds * step);
      yield {
        keys: input.keyBytes,
        contents: withTimestamp(shifted),
        finding: `The signature matches timestamp ${shifted}, ${seconds} s ${sign > 0 ? 'after' : 'before'} the ${stamp} in the header: the sender read its clock twice, signing one time and sending another, so sign and send the same timestamp.`,
      };
    }
  }
}

/** Returns the numeric header timestamp that the clock causes search around, or undefined when there is none. */
function searchedTimestamp(parsed: ParsedSignature): string | undefined {
  const stamp = parsed.contents[0]?.timestamp;
  return stamp !== undefined && /^\d{9,16}$/.test(stamp) ? stamp : undefined;
}

/** Joins phrases as "a, b, or c", the comma before "or" kept because the phrases have commas of their own. */
function joinAlternatives(phrases: readonly string[]): string {
  return phrases.length <= 1 ? (phrases[0] ?? '') : `${phrases.slice(0, -1).join(', ')}, or ${phrases.at(-1) ?? ''}`;
}

/** Builds the finding for a mismatch that no cause explains, naming only the changes this scheme's diagnosis tried. */
function nothingExplains<O>(input: DiagnosisInput<O>): string {
  const changes = ["the key's whitespace, encoding or prefix"];
  if (input.parsed.contents.some((content) => content.body !== undefined)) changes.push('the body, its line endings or compression');
  if (input.model.contentVariantsChange !== undefined) changes.push(input.model.contentVariantsChange);
  if (searchedTimestamp(input.parsed) !== undefined) changes.push('the timestamp');

  return (
    `Nothing explains the mismatch: no change ${joinAlternatives(changes.map((change) => `to ${change}`))} reproduces the signature, ` +
    `so check ${keysToCheck(input.keys)}: it is most likely not the one this sender signs with.${unreadableKeysNote(input)}`
  );
}

/** Builds the sentence, with a leading space, that names the keys the scheme cannot read, or returns '' when it reads them all. */
function unreadableKeysNote<O>(input: DiagnosisInput<O>): string {
  const unreadable = input.keyBytes.flatMap((bytes, index) => (bytes === null ? [index + 1] : []));
  const last = unreadable.at(-1);
  if (unreadable.length === 1) return ` Key ${last} cannot be read as a ${input.label} key at all.`;
  if (unreadable.length > 1) return ` Keys ${unreadable.slice(0, -1).join(', ')} and ${last} cannot be read as ${input.label} keys at all.`;
  return '';
}

function keysToCheck(keys: readonly string[]): string {
  return keys.length === 1 ? 'the key' : `each of the ${keys.length} keys`;
}
