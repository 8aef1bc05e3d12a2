import type { DeliveryDetail, HeaderPair, ReplayEdits, ReplayErrorCode, TargetResponseKind } from './contract';
import { findHeader } from './headers';
import { bodyNotStoredMessage } from './not-stored';
import type { NewTargetResponse } from './replay-store';
import { getVerifier } from './signatures/registry';
import type { Profile, SignTarget } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { findProfile } from './signatures/verify';
import type { OutgoingRequest, SendOptions, TargetAnswer } from './target-request';
import { sendToTarget } from './target-request';
import { redactUrl } from './target-url';

/**
 * Headers that describe one connection rather than the message (RFC 9110 section 7.6.1,
 * plus the non-standard `Proxy-Connection` and `Keep-Alive`). A re-send opens its own
 * connection, so these are dropped, together with any header that `Connection` names.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Standard Webhooks senders that use Svix's header names get their signature under those names. */
const HEADER_ALIASES: Readonly<Record<string, string>> = {
  'webhook-id': 'svix-id',
  'webhook-timestamp': 'svix-timestamp',
  'webhook-signature': 'svix-signature',
};

export interface ResignSettings {
  profiles: readonly Profile[];
  vault: KeyVault;
  /** Profile to sign with; by default the one that covers the delivery's path. */
  profileName?: string;
  /** Signing time in ms since the epoch, which becomes the fresh timestamp of timestamped schemes. */
  now: number;
}

export type ReplayFailure = { ok: false; code: ReplayErrorCode; message: string };
export type BuildResult = { ok: true; request: OutgoingRequest; resigned: boolean; edited: boolean } | ReplayFailure;

/**
 * Builds the request that re-sends a stored delivery to `target`: the received body bytes
 * (or the edited ones) and the received headers in order and case, without hop-by-hop
 * headers, with `Host` and `Content-Length` set for the target, signed again on request.
 */
export function buildReplayRequest(delivery: DeliveryDetail, target: URL, edits: ReplayEdits = {}, resign?: ResignSettings): BuildResult {
  if (delivery.truncated && edits.body === undefined) {
    const advice =
      delivery.truncatedReason === 'memory-cap'
        ? 'No setting needs to change. If the sender retried, re-send that delivery instead.'
        : 'Capture it again with a larger bodyLimit in the --config file of hooktray listen or hooktray ui.';
    return { ok: false, code: 'truncated-body', message: `${bodyNotStoredMessage(delivery.id, delivery.truncatedReason)}, so it cannot be re-sent. ${advice}` };
  }
  const body = edits.body ?? delivery.body;
  let headers = stripHopByHop(edits.headers ?? delivery.headers);

  if (resign !== undefined) {
    const signed = signHeaders(delivery, headers, body, target, resign);
    if (!signed.ok) return signed;
    headers = signed.headers;
  }

  headers = setHeader(headers, 'Host', target.host, 'first');
  headers = setHeader(headers, 'Content-Length', String(body.byteLength), 'last');
  const edited = edits.body !== undefined || edits.headers !== undefined;
  return { ok: true, request: { method: delivery.method, url: target, headers, body }, resigned: resign !== undefined, edited };
}

/** Drops hop-by-hop headers and the headers that the `Connection` header lists. */
export function stripHopByHop(headers: readonly HeaderPair[]): HeaderPair[] {
  const named = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !HOP_BY_HOP_HEADERS.has(lower) && !named.has(lower);
  });
}

/**
 * Sets one header: the first existing one with that name (any case) gets the value and keeps
 * its position and case, later repeats are dropped, and a missing one is added at `where`.
 */
export function setHeader(headers: readonly HeaderPair[], name: string, value: string, where: 'first' | 'last'): HeaderPair[] {
  const lower = name.toLowerCase();
  const result: HeaderPair[] = [];
  let found = false;
  for (const [headerName, headerValue] of headers) {
    if (headerName.toLowerCase() !== lower) {
      result.push([headerName, headerValue]);
    } else if (!found) {
      result.push([headerName, value]);
      found = true;
    }
  }
  if (!found) {
    if (where === 'first') result.unshift([name, value]);
    else result.push([name, value]);
  }
  return result;
}

type SignResult = { ok: true; headers: HeaderPair[] } | ReplayFailure;

function signHeaders(delivery: DeliveryDetail, headers: HeaderPair[], body: Uint8Array, target: URL, settings: ResignSettings): SignResult {
  const profile = settings.profileName === undefined
    ? findProfile(settings.profiles, delivery.path)
    : settings.profiles.find((candidate) => candidate.name === settings.profileName);
  if (profile === undefined) {
    const which = settings.profileName === undefined ? `no profile covers the path ${delivery.path}` : `there is no profile named "${settings.profileName}"`;
    return { ok: false, code: 'no-profile', message: `Cannot re-sign delivery ${delivery.id}: ${which}; add a profile with the key to the configuration.` };
  }
  const verifier = getVerifier(profile.scheme);
  if (verifier === undefined) {
    return { ok: false, code: 'unknown-scheme', message: `Cannot re-sign with profile "${profile.name}": its scheme "${profile.scheme}" is unknown.` };
  }
  const keys = settings.vault.keysFor(profile.name);
  // Keys are listed oldest first; during a rotation the target most likely has the newest.
  const key = keys[keys.length - 1];
  if (key === undefined) {
    return { ok: false, code: 'no-key', message: `Cannot re-sign with profile "${profile.name}": it has no key; add one in the settings or the configuration file.` };
  }

  const signTarget: SignTarget = {
    method: delivery.method,
    path: `${target.pathname}${target.search}`,
    url: target.href,
    ...optional('messageId', findHeader(headers, 'webhook-id') ?? findHeader(headers, 'svix-id')),
    ...optional('contentType', findHeader(headers, 'content-type')),
    // Keep the digest encoding the provider used, where the scheme accepts both.
    ...(delivery.verdict.encoding === undefined ? {} : { encoding: delivery.verdict.encoding }),
  };
  let signature: HeaderPair[];
  try {
    signature = verifier.sign(body, key, profile.options, settings.now, signTarget);
  } catch (error) {
    return { ok: false, code: 'sign-failed', message: `Signing with profile "${profile.name}" (${verifier.label}) failed: ${(error as Error).message}` };
  }

  let signed = headers;
  for (const [name, value] of signature) {
    const alias = HEADER_ALIASES[name.toLowerCase()];
    const useAlias = alias !== undefined && findHeader(signed, name) === undefined && findHeader(signed, alias) !== undefined;
    signed = setHeader(signed, useAlias ? alias : name, value, 'last');
  }
  return { ok: true, headers: signed };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/**
 * Sends a built request and turns the answer into a response record for the store. The
 * target's failure to answer is part of the record, not an exception.
 */
export async function sendReplay(
  deliveryId: string,
  kind: TargetResponseKind,
  built: Extract<BuildResult, { ok: true }>,
  options: SendOptions = {},
): Promise<NewTargetResponse> {
  return responseRecord(deliveryId, kind, built, await sendToTarget(built.request, options));
}

/** Turns the outcome of sending a built request into a response record for the store. */
export function responseRecord(deliveryId: string, kind: TargetResponseKind, built: Extract<BuildResult, { ok: true }>, answer: TargetAnswer): NewTargetResponse {
  return {
    deliveryId,
    kind,
    target: redactUrl(built.request.url),
    sentAt: answer.sentAt,
    durationMs: answer.durationMs,
    status: answer.status,
    headers: answer.headers,
    body: answer.body,
    bodySize: answer.bodySize,
    resigned: built.resigned,
    edited: built.edited,
    error: answer.error,
  };
}
