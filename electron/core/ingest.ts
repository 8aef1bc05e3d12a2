import { hash } from 'node:crypto';
import type { DeliveryDetail, SpikeDetail, SpikeSummary, TruncatedReason, Verdict } from './contract';
import { findHeader, pairsFromRawHeaders } from './headers';
import { notStoredVerdictReason } from './not-stored';
import type { Profile, SignedRequest, VerifyContext } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { findProfile, verifyDelivery } from './signatures/verify';
import { spikeSummaryOf, summarizeSpike } from './spike-summary';
import type { NewDelivery } from './store-writer';

/**
 * A request as the receiver records it, before its verification and Spike summary. It crosses
 * to the store's writer thread, so it holds only plain data: strings, numbers, bytes and a verdict.
 */
export interface Capture {
  id: string;
  /** Wall-clock receive time, in ms since the epoch. */
  receivedAtMs: number;
  monotonicNs: string;
  method: string;
  path: string;
  httpVersion: string;
  remoteAddress: string | null;
  /** Header names and values alternating, in received order and case, as Node's `rawHeaders`. */
  rawHeaders: string[];
  size: number;
  truncated: boolean;
  /** Null when `truncated` is false. */
  truncatedReason: TruncatedReason | null;
  body: Uint8Array;
  /** `Content-Encoding`, trimmed and lower-cased, or null. */
  contentEncoding: string | null;
  /**
   * The body with its content encoding undone. The receiver decodes, so that the store's bound
   * on bytes waiting for a commit counts what decoding produced.
   */
  decodedBody: Uint8Array | null;
  decodeError: string | null;
  /**
   * The verdict computed on the receiver's thread, without the diagnosis of an invalid
   * signature. The writer thread checks an invalid one again to add its diagnosis.
   */
  verdict?: Verdict;
}

/** A captured request with its headers paired, its body decoded and hashed, before verification. */
export type CapturedRequest = Omit<NewDelivery, 'verdict' | 'spike'>;

/** Fields that verification and the Spike summary derive from a delivery's bytes. */
export type Analysis = Pick<DeliveryDetail, 'verdict' | 'spike'>;

/** Inputs of verification besides the delivery itself. */
export interface AnalysisContext {
  profiles: Profile[];
  /** Each profile's keys, oldest first, by profile name. */
  keys: ReadonlyMap<string, readonly string[]>;
  /** The public URL providers post to, path token included, or null without a tunnel (Twilio signs it). */
  publicUrl: string | null;
}

export const EMPTY_ANALYSIS_CONTEXT: AnalysisContext = { profiles: [], keys: new Map(), publicUrl: null };

/** The fields derived from a capture that the receiver reports with each stored delivery. */
export interface Derived {
  bodySha256: string;
  verdict: Verdict;
  spike: SpikeSummary | null;
}

/** Pairs the headers and hashes the body of a capture. */
export function completeCapture(capture: Capture): CapturedRequest {
  const headers = pairsFromRawHeaders(capture.rawHeaders);
  const body = asBuffer(capture.body);
  return {
    id: capture.id,
    receivedAt: new Date(capture.receivedAtMs).toISOString(),
    monotonicNs: capture.monotonicNs,
    method: capture.method,
    path: capture.path,
    httpVersion: capture.httpVersion,
    remoteAddress: capture.remoteAddress,
    forwardedFor: findHeader(headers, 'x-forwarded-for') ?? null,
    headers,
    size: capture.size,
    truncated: capture.truncated,
    truncatedReason: capture.truncatedReason,
    contentEncoding: capture.contentEncoding,
    body,
    decodedBody: capture.decodedBody === null ? null : asBuffer(capture.decodedBody),
    decodeError: capture.decodeError,
    bodySha256: hash('sha256', body),
  };
}

/** Bytes arrive from the receiver's thread as plain Uint8Arrays; the verifiers read Buffers. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Computes the verdict and Spike summary of a delivery from its bytes. */
export function analyzeDelivery(request: CapturedRequest | DeliveryDetail, context: AnalysisContext, now: number): Analysis {
  return { verdict: verdictOf(request, context, { now }), spike: spikeSummaryFor(request, context) };
}

/**
 * Computes the verdict of a stored delivery again, such as after a key change. A timestamp out
 * of tolerance now is reported with whether it was in tolerance when the delivery arrived.
 */
export function verifyStored(request: VerifiableRequest & { receivedAt: string }, context: AnalysisContext, now: number): Verdict {
  return verdictOf(request, context, { now, receivedAt: Date.parse(request.receivedAt) });
}

/**
 * Computes a capture's verdict without the diagnosis of an invalid signature, or undefined
 * when checking fails. It costs one HMAC per key tried, so the receiver's thread can afford
 * it; the writer thread adds the diagnosis.
 */
export function quickVerdict(capture: Capture, context: AnalysisContext, now: number): Verdict | undefined {
  const { method, path, truncated, truncatedReason, body } = capture;
  const request = { method, path, truncated, truncatedReason, body, headers: pairsFromRawHeaders(capture.rawHeaders), decodedBody: null };
  try {
    return verdictOf(request, context, { now, diagnose: false });
  } catch {
    // The writer thread checks it again and records the failure in the verdict.
    return undefined;
  }
}

/** Returns the verdict of a delivery whose body was not stored, so its signature cannot be computed. */
export function notStoredVerdict(profiles: readonly Profile[], path: string, truncatedReason: TruncatedReason | null): Verdict {
  const profile = findProfile(profiles, path);
  return { status: 'unverified', scheme: profile?.scheme ?? null, profile: profile?.name ?? null, reason: notStoredVerdictReason(truncatedReason) };
}

/** The fields of a delivery that its signature check reads. */
export type VerifiableRequest = Omit<SignedRequest, 'publicUrl'> & Pick<CapturedRequest, 'truncated' | 'truncatedReason'>;

function verdictOf(request: VerifiableRequest, context: AnalysisContext, verify: VerifyContext): Verdict {
  if (request.truncated) return notStoredVerdict(context.profiles, request.path, request.truncatedReason);
  const { method, path, headers, body, decodedBody, decodeError } = request;
  return verifyDelivery({ method, path, headers, body, decodedBody, decodeError, publicUrl: context.publicUrl }, context.profiles, vaultOf(context), verify);
}

function spikeSummaryFor(request: CapturedRequest | DeliveryDetail, context: AnalysisContext): SpikeDetail | null {
  if (request.truncated) return null;
  // The encoded bytes are not the events, and the decode error already explains why they were not decoded.
  if (request.contentEncoding !== null && request.decodedBody === null) return null;
  // Under a Spike profile a malformed body still gets a summary, with warnings.
  const profile = findProfile(context.profiles, request.path);
  return summarizeSpike(request.decodedBody ?? request.body, profile?.scheme !== 'spike');
}

/**
 * Turns a capture into a delivery ready to store, keeping a verdict the receiver computed
 * unless it is `invalid` and lacks its diagnosis. An unexpected failure of verification gives
 * an `unverified` verdict that names it, so the delivery is stored all the same.
 */
export function ingestCapture(capture: Capture, context: AnalysisContext, now: number): { captured: CapturedRequest; analysis: Analysis; derived: Derived } {
  const captured = completeCapture(capture);
  const known = capture.verdict !== undefined && capture.verdict.status !== 'invalid' ? capture.verdict : null;
  let verdict: Verdict;
  try {
    verdict = known ?? verdictOf(captured, context, { now });
  } catch (error) {
    const profile = findProfile(context.profiles, captured.path);
    const reason = `Hooktray failed to check this delivery (${String(error)}); change the profile's keys or options to check it again.`;
    verdict = { status: 'unverified', scheme: profile?.scheme ?? null, profile: profile?.name ?? null, reason };
  }
  const analysis = { verdict, spike: spikeSummaryFor(captured, context) };
  const spike = analysis.spike === null ? null : spikeSummaryOf(analysis.spike);
  return { captured, analysis, derived: { bodySha256: captured.bodySha256, verdict, spike } };
}

function vaultOf(context: AnalysisContext): KeyVault {
  return { keysFor: (profileName) => context.keys.get(profileName) ?? [] };
}
