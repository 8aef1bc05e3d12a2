import { randomBytes, randomUUID } from 'node:crypto';
import type { HeaderPair, SpikeTemplate, TestEventErrorCode, TestEventKind, TestEventRequest, TestEventResult } from './contract';
import { findHeader } from './headers';
import { DELIVERY_ID_HEADER } from './receiver';
import { setHeader } from './replay';
import { getVerifier } from './signatures/registry';
import { rfc3339Problem } from './spike-summary';
import type { Profile } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import type { OutgoingRequest, SendOptions } from './target-request';
import { sendToTarget } from './target-request';
import { parseTargetUrl } from './target-url';

/** Registry scheme that signs each kind of test event. */
export const TEST_EVENT_SCHEMES: Readonly<Record<TestEventKind, string>> = {
  spike: 'spike',
  github: 'github',
  stripe: 'stripe',
  'standard-webhooks': 'standard-webhooks',
};

export interface TestEventSettings {
  profiles: readonly Profile[];
  vault: KeyVault;
  /** Wall-clock time in nanoseconds since the epoch; Spike timestamps carry nanoseconds. */
  nowNs: bigint;
}

type Failure = { ok: false; code: TestEventErrorCode; message: string };
export type ComposeResult = { ok: true; request: OutgoingRequest; profile: string } | Failure;

const DAY_NS = 86_400n * 1_000_000_000n;

/** Formats nanoseconds since the epoch as RFC 3339 in UTC with nine fraction digits. */
export function formatNanoTimestamp(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  const fraction = (epochNs % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Fills in a Spike template's missing fields: one test user, steps and distance, the last day. */
export function completeSpikeTemplate(partial: Partial<SpikeTemplate>, nowNs: bigint): SpikeTemplate {
  return {
    users: partial.users ?? ['hooktray-test-user'],
    metrics: partial.metrics ?? ['steps', 'distance'],
    activityTypes: partial.activityTypes ?? ['walking'],
    provider: partial.provider ?? 'garmin',
    windowStart: partial.windowStart ?? formatNanoTimestamp(nowNs - DAY_NS),
    windowEnd: partial.windowEnd ?? formatNanoTimestamp(nowNs),
  };
}

/** Returns why a template cannot make a valid Spike body, or null when it can. */
export function checkSpikeTemplate(template: SpikeTemplate): string | null {
  // The dialog and `hooktray send` name these fields differently, so messages use plain words.
  if (template.users.length === 0) return 'The test event has no users; add at least one application user id.';
  const blank = template.users.findIndex((user) => user.trim() === '');
  if (blank >= 0) return `User ${blank + 1} of the test event is empty; give every user an id.`;
  for (const [field, value] of [['window start', template.windowStart], ['window end', template.windowEnd]] as const) {
    const problem = rfc3339Problem(value);
    if (problem !== null) return `The ${field} "${value}" is not a valid time: ${problem}. Give an RFC 3339 time such as 2025-04-15T13:33:55.271331177Z.`;
  }
  if (Date.parse(template.windowStart) > Date.parse(template.windowEnd)) {
    return `The window start ${template.windowStart} is after the window end ${template.windowEnd}; swap them.`;
  }
  return null;
}

/** Builds a Spike `record_change` body: a JSON array with one event per user, keys in Spike's order. */
export function composeSpikeBody(template: SpikeTemplate, nowNs: bigint): string {
  const timestamp = formatNanoTimestamp(nowNs);
  const events = template.users.map((user) => ({
    application_user_id: user,
    timestamp,
    event_type: 'record_change',
    metrics: template.metrics,
    activity_types: template.activityTypes,
    provider_slug: template.provider,
    earliest_record_start_at: template.windowStart,
    latest_record_end_at: template.windowEnd,
  }));
  return JSON.stringify(events);
}

interface EventContent {
  body: string;
  headers: HeaderPair[];
  messageId?: string;
}

function composeContent(request: TestEventRequest, target: URL, nowNs: bigint): EventContent | Failure {
  const seconds = Number(nowNs / 1_000_000_000n);
  switch (request.kind) {
    case 'spike': {
      const template = completeSpikeTemplate(request.spike ?? {}, nowNs);
      const problem = checkSpikeTemplate(template);
      if (problem !== null) return { ok: false, code: 'invalid-template', message: problem };
      return { body: composeSpikeBody(template, nowNs), headers: [['Content-Type', 'application/json']] };
    }
    case 'github':
      return {
        body: JSON.stringify({
          zen: 'Test delivery from Hooktray.',
          hook_id: 1,
          hook: { type: 'Repository', id: 1, name: 'web', active: true, events: ['push'], config: { content_type: 'json', insecure_ssl: '0', url: target.href } },
        }),
        headers: [
          ['User-Agent', 'GitHub-Hookshot/hooktray-test'],
          ['Content-Type', 'application/json'],
          ['X-GitHub-Event', 'ping'],
          ['X-GitHub-Delivery', randomUUID()],
          ['X-GitHub-Hook-ID', '1'],
        ],
      };
    case 'stripe':
      return {
        body: JSON.stringify({
          id: `evt_test_${randomBytes(12).toString('hex')}`,
          object: 'event',
          api_version: '2024-06-20',
          created: seconds,
          data: { object: { id: `pi_test_${randomBytes(12).toString('hex')}`, object: 'payment_intent', amount: 2000, currency: 'usd', status: 'succeeded' } },
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type: 'payment_intent.succeeded',
        }),
        headers: [['Content-Type', 'application/json; charset=utf-8']],
      };
    case 'standard-webhooks':
      return {
        body: JSON.stringify({ type: 'hooktray.test', timestamp: new Date(seconds * 1000).toISOString(), data: { message: 'Test delivery from Hooktray.' } }),
        headers: [['Content-Type', 'application/json']],
        messageId: `msg_${randomBytes(12).toString('hex')}`,
      };
  }
}

/**
 * Returns the message for a named profile of another scheme than the test event's. Its
 * signature headers would not match the body, so the receiver would report a missing signature.
 */
export function profileSchemeMismatch(kind: TestEventKind, profile: Pick<Profile, 'name' | 'scheme'>): string {
  const scheme = TEST_EVENT_SCHEMES[kind];
  return `Cannot sign the ${kind} test event with profile "${profile.name}": it uses the ${profile.scheme} scheme, and a ${kind} test event needs a profile of the ${scheme} scheme: name one, or leave out the profile to sign with the first such profile.`;
}

/** Composes and signs a test event for `request.target` with the profile's newest key. */
export function composeTestEvent(request: TestEventRequest, settings: TestEventSettings): ComposeResult {
  const url = parseTargetUrl(request.target);
  if (!url.ok) return { ok: false, code: 'invalid-target', message: url.message };
  const target = url.url;

  const scheme = TEST_EVENT_SCHEMES[request.kind];
  const profile = request.profile === undefined
    ? settings.profiles.find((candidate) => candidate.scheme === scheme)
    : settings.profiles.find((candidate) => candidate.name === request.profile);
  if (profile === undefined) {
    const which = request.profile === undefined ? `no profile uses the ${scheme} scheme` : `there is no profile named "${request.profile}"`;
    return { ok: false, code: 'no-profile', message: `Cannot sign the ${request.kind} test event: ${which}; add one with a key to the configuration.` };
  }
  if (profile.scheme !== scheme) return { ok: false, code: 'no-profile', message: profileSchemeMismatch(request.kind, profile) };
  const verifier = getVerifier(profile.scheme);
  const key = settings.vault.keysFor(profile.name).at(-1);
  if (verifier === undefined || key === undefined) {
    return { ok: false, code: 'no-key', message: `Cannot sign the ${request.kind} test event: profile "${profile.name}" has no key or an unknown scheme; add a key to it.` };
  }

  const content = composeContent(request, target, settings.nowNs);
  if ('ok' in content) return content;
  const body = Buffer.from(content.body, 'utf8');

  let signature: HeaderPair[];
  try {
    signature = verifier.sign(body, key, profile.options, Number(settings.nowNs / 1_000_000n), {
      method: 'POST',
      path: `${target.pathname}${target.search}`,
      url: target.href,
      contentType: findHeader(content.headers, 'content-type') ?? 'application/json',
      ...(content.messageId === undefined ? {} : { messageId: content.messageId }),
    });
  } catch (error) {
    return { ok: false, code: 'sign-failed', message: `Signing the ${request.kind} test event with profile "${profile.name}" failed: ${(error as Error).message}` };
  }

  let headers: HeaderPair[] = [['Host', target.host], ...content.headers];
  for (const [name, value] of signature) headers = setHeader(headers, name, value, 'last');
  headers = setHeader(headers, 'Content-Length', String(body.byteLength), 'last');
  return { ok: true, request: { method: 'POST', url: target, headers, body }, profile: profile.name };
}

/** Composes, signs and sends a test event, and reports the target's answer. */
export async function sendTestEvent(request: TestEventRequest, settings: TestEventSettings, options: SendOptions = {}): Promise<TestEventResult> {
  const composed = composeTestEvent(request, settings);
  if (!composed.ok) return composed;
  const answer = await sendToTarget(composed.request, options);
  return {
    ok: true,
    status: answer.status,
    durationMs: answer.durationMs,
    deliveryId: findHeader(answer.headers, DELIVERY_ID_HEADER) ?? null,
    location: findHeader(answer.headers, 'location') ?? null,
    profile: composed.profile,
    error: answer.error,
  };
}
