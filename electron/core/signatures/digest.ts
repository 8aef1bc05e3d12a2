import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DigestEncoding } from '../contract';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const satisfies readonly HmacAlgorithm[];

/** Digest length in bytes of each algorithm, used to explain a digest of the wrong size. */
export const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

export function hmac(algorithm: HmacAlgorithm, key: string | Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes a received digest in one encoding, or returns null when its text is not valid in
 * that encoding. Base64 accepts the URL-safe alphabet and missing padding.
 */
export function decodeDigest(text: string, encoding: DigestEncoding): Buffer | null {
  if (encoding === 'hex') {
    if (text.length % 2 !== 0 || !HEX.test(text)) return null;
    return Buffer.from(text, 'hex');
  }
  if (!BASE64.test(text)) return null;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Returns true when the text is a digest in at least one encoding, so it can be compared at all. */
export function isDigestText(text: string): boolean {
  // The same tests as decodeDigest, without decoding.
  return text !== '' && ((text.length % 2 === 0 && HEX.test(text)) || BASE64.test(text));
}

/** Compares two digests in constant time for equal lengths; different lengths never match. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * Returns the encoding in which `received` equals `expected`, trying hex first, or null.
 * Hex is tried first because a hex string is also valid base64 text.
 */
export function matchDigest(received: string, expected: Uint8Array, encodings: readonly DigestEncoding[] = ['hex', 'base64']): DigestEncoding | null {
  for (const encoding of encodings) {
    const decoded = decodeDigest(received, encoding);
    if (decoded !== null && digestsEqual(decoded, expected)) return encoding;
  }
  return null;
}

export function encodeDigest(digest: Uint8Array, encoding: DigestEncoding): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString(encoding);
}

/** Shortens a digest for messages: enough to compare by eye, never a whole secret-derived value. */
export function shortDigest(text: string): string {
  return text.length <= 12 ? text : `${text.slice(0, 8)}…${text.slice(-4)}`;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard padded base64, or returns null. Node's own decoder skips characters it
 * does not know, which would hide a key with a stray newline or a wrong prefix.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (text === '' || !STRICT_BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** Decodes an even-length hex string, or returns null. */
export function decodeHexStrict(text: string): Buffer | null {
  if (text === '' || text.length % 2 !== 0 || !HEX.test(text)) return null;
  return Buffer.from(text, 'hex');
}
