import { hash } from 'node:crypto';
import type { DeliveryDetail, SpikeDetail, SpikeSummary, Verdict } from './contract';
import { decodeContent } from './content-encoding';
import { findHeader, pairsFromRawHeaders } from './headers';
import type { Profile, SignedRequest, VerifyContext } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { findProfile, verifyDelivery } from './signatures/verify';
import { spikeSummaryOf, summarizeSpike } from './spike-summary';
import type { NewDelivery } from './store-writer';

/**
 * A request as the receiver records it, before anything is derived from it. It crosses to
 * the store's writer thread, so it holds only strings, numbers and bytes.
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
  body: Uint8Array;
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

/** Pairs the headers, undoes the content encoding and hashes the body of a capture. */
export function completeCapture(capture: Capture): CapturedRequest {
  const headers = pairsFromRawHeaders(capture.rawHeaders);
  const body = Buffer.from(capture.body.buffer, capture.body.byteOffset, capture.body.byteLength);
  const contentEncoding = findHeader(headers, 'content-encoding')?.trim().toLowerCase() || null;
  const decoded = capture.truncated || contentEncoding === null ? { bytes: null, error: null } : decodeContent(body, contentEncoding);
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
    contentEncoding,
    body,
    decodedBody: decoded.bytes,
    decodeError: decoded.error,
    bodySha256: hash('sha256', body),
  };
}

/** Computes the verdict and Spike summary of a delivery from its bytes. */
export function analyzeDelivery(request: CapturedRequest | DeliveryDetail, context: AnalysisContext, now: number): Analysis {
  return { verdict: verdictOf(request, context, { now }), spike: spikeSummaryFor(request, context) };
}

/**
 * Computes a capture's verdict without the diagnosis of an invalid signature, or undefined
 * when checking fails. It costs about one HMAC, so the receiver's thread can afford it; the
 * writer thread adds the diagnosis.
 */
export function quickVerdict(capture: Capture, context: AnalysisContext, now: number): Verdict | undefined {
  const { method, path, truncated, body } = capture;
  const request = { method, path, truncated, body, headers: pairsFromRawHeaders(capture.rawHeaders), decodedBody: null };
  try {
    return verdictOf(request, context, { now, diagnose: false });
  } catch {
    // The writer thread checks it again and records the failure in the verdict.
    return undefined;
  }
}

type VerifiableRequest = Omit<SignedRequest, 'publicUrl'> & Pick<CapturedRequest, 'truncated'>;

function verdictOf(request: VerifiableRequest, context: AnalysisContext, verify: VerifyContext): Verdict {
  if (request.truncated) {
    // The body over the limit was not kept, so its signature cannot be computed.
    const profile = findProfile(context.profiles, request.path);
    const reason = 'The body was over the size limit and was not stored, so its signature cannot be checked: raise the body limit to capture it.';
    return { status: 'unverified', scheme: profile?.scheme ?? null, profile: profile?.name ?? null, reason };
  }
  const { method, path, headers, body, decodedBody } = request;
  return verifyDelivery({ method, path, headers, body, decodedBody, publicUrl: context.publicUrl }, context.profiles, vaultOf(context), verify);
}

function spikeSummaryFor(request: CapturedRequest | DeliveryDetail, context: AnalysisContext): SpikeDetail | null {
  if (request.truncated) return null;
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
  let analysis: Analysis;
  try {
    const known = capture.verdict !== undefined && capture.verdict.status !== 'invalid' ? capture.verdict : null;
    analysis = { verdict: known ?? verdictOf(captured, context, { now }), spike: spikeSummaryFor(captured, context) };
  } catch (error) {
    const reason = `Hooktray failed to check this delivery (${String(error)}); change the profile's keys or options to check it again.`;
    analysis = { verdict: { status: 'unverified', scheme: null, profile: null, reason }, spike: null };
  }
  const spike = analysis.spike === null ? null : spikeSummaryOf(analysis.spike);
  return { captured, analysis, derived: { bodySha256: captured.bodySha256, verdict: analysis.verdict, spike } };
}

function vaultOf(context: AnalysisContext): KeyVault {
  return { keysFor: (profileName) => context.keys.get(profileName) ?? [] };
}
