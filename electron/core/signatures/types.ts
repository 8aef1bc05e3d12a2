import type { z } from 'zod';
import type { DigestEncoding, HeaderPair, Verdict } from '../contract';

/** The part of a delivery a verifier reads: the bytes as received and nothing derived. */
export interface SignedRequest {
  method: string;
  /** Path with query, as received by the local receiver. */
  path: string;
  headers: readonly HeaderPair[];
  body: Uint8Array;
  /** The body after undoing `Content-Encoding`, when it had one. */
  decodedBody: Uint8Array | null;
  /**
   * Reason the body has a `Content-Encoding` but no decoded copy, such as a decoded body over the
   * receiver's body limit. Null or absent when decoding succeeded, was not needed or is unknown.
   */
  decodeError?: string | null;
  /** Public base URL the provider posted to (such as `https://name.loca.lt`), when known. */
  publicUrl: string | null;
  /**
   * Public URL given explicitly for this check, such as `hooktray verify --public-url`. Unlike
   * `publicUrl`, which comes from the tunnel, it wins over a profile's own public URL option.
   */
  publicUrlOverride?: string;
}

/** A verification profile: which deliveries it covers, with which scheme and keys. */
export interface Profile {
  name: string;
  scheme: string;
  /** Deliveries whose path starts with this prefix are verified with this profile. */
  pathPrefix: string;
  /** Scheme-specific options, already validated by the scheme's `options` schema. */
  options: Record<string, unknown>;
}

/** The result of one scheme's check, before the profile name is attached. */
export type SchemeResult = Omit<Verdict, 'profile' | 'scheme'>;

/** Keys of a profile other than the one that covers the delivery, for the failure diagnosis. */
export interface OtherProfileKeys {
  profile: string;
  keys: readonly string[];
}

export interface VerifyContext {
  /** Current wall-clock time in ms since the epoch; passed in so tests need no timers. */
  now: number;
  /**
   * When the delivery was received, in ms since the epoch. Set it when checking a stored
   * delivery again, so a timestamp verdict can report whether it was in tolerance on arrival.
   */
  receivedAt?: number;
  /** Returns the keys of the other profiles; it is called only for signatures that match no key. */
  otherProfileKeys?: () => readonly OtherProfileKeys[];
  /**
   * False skips the diagnosis of an invalid signature, which tries many variants of key and
   * content, so a caller on a busy thread can leave it to another. True when absent.
   */
  diagnose?: boolean;
}

/** Request details a signing helper needs beyond the body, for schemes that sign more than the body. */
export interface SignTarget {
  method?: string;
  /** Path with query, for templates that sign it. */
  path?: string;
  /** Full public URL with query; required by Twilio, which signs the URL. */
  url?: string;
  /** Message id for Standard Webhooks; a random `msg_` id when absent. */
  messageId?: string;
  /** Content type of the body; Twilio signs form parameters only for form bodies. */
  contentType?: string;
  /** Digest encoding to write where the scheme accepts either (Spike), such as the one received. */
  encoding?: DigestEncoding;
}

export interface SchemeVerifier {
  /** Registry name, used as `scheme` in profiles and verdicts. */
  name: string;
  /** Human-readable provider name for messages, such as "Spike". */
  label: string;
  /** Schema of the profile's `options` for this scheme, such as a tolerance or header name. */
  optionsSchema: z.ZodType<Record<string, unknown>>;
  /**
   * Checks the request's signature against every key, in order. Keys are secrets: the
   * result must never contain a key or a digest computed from a key the user did not send.
   * Each call returns a new object, which the caller may extend.
   */
  verify(request: SignedRequest, keys: readonly string[], options: Record<string, unknown>, context: VerifyContext): SchemeResult;
  /** Returns true when the headers carry this scheme's signature. */
  detect(headers: readonly HeaderPair[]): boolean;
  /**
   * Checks that the scheme can read `key` with these options. Returns null when it can, or
   * the problem and its fix as a phrase that follows the key's name ("is not valid hex …").
   * The phrase never contains the key. Returns null for options that fail validation,
   * which get their own message.
   */
  checkKey(key: string, options: Record<string, unknown>): string | null;
  /**
   * Computes the headers that sign `body` with `key` at `now` (ms since the epoch), for
   * re-signing and test events. Throws when `target` lacks what the scheme signs.
   */
  sign(body: Uint8Array, key: string, options: Record<string, unknown>, now: number, target?: SignTarget): HeaderPair[];
}

export type { DigestEncoding };
