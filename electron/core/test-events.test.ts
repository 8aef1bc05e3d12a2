import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { checkSpikeTemplate, completeSpikeTemplate, composeSpikeBody, composeTestEvent, formatNanoTimestamp } from './test-events';
import type { Profile } from './signatures/types';
import { verifyDelivery } from './signatures/verify';

const NOW_NS = 1_744_724_035_271_331_177n;

// @octokit/webhooks-methods declares its types only in package.json "exports", which the
// project's tsc module resolution ("node") does not read; a computed specifier skips tsc.
const OCTOKIT = '@octokit/webhooks-methods';
type VerifyGithub = (secret: string, payload: string, signature: string) => Promise<boolean>;
const verifyGithub: VerifyGithub = async (...args) => ((await import(OCTOKIT)) as { verify: VerifyGithub }).verify(...args);

describe('formatNanoTimestamp', () => {
  it('writes nine fraction digits in UTC', () => {
    expect(formatNanoTimestamp(NOW_NS)).toBe('2025-04-15T13:33:55.271331177Z');
    expect(formatNanoTimestamp(1_000_000_007n)).toBe('1970-01-01T00:00:01.000000007Z');
  });
});

describe('composeSpikeBody', () => {
  it('writes one record_change event per user', () => {
    const template = completeSpikeTemplate({ users: ['u1', 'u2'], metrics: ['sleep'], provider: 'oura' }, NOW_NS);
    const events = JSON.parse(composeSpikeBody(template, NOW_NS)) as Record<string, unknown>[];
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      application_user_id: 'u2',
      timestamp: '2025-04-15T13:33:55.271331177Z',
      event_type: 'record_change',
      metrics: ['sleep'],
      activity_types: ['walking'],
      provider_slug: 'oura',
      earliest_record_start_at: '2025-04-14T13:33:55.271331177Z',
      latest_record_end_at: '2025-04-15T13:33:55.271331177Z',
    });
  });
});

describe('checkSpikeTemplate', () => {
  it('rejects empty users, bad times and reversed windows', () => {
    const valid = completeSpikeTemplate({}, NOW_NS);
    expect(checkSpikeTemplate(valid)).toBeNull();
    expect(checkSpikeTemplate({ ...valid, users: [] })).toContain('no users');
    expect(checkSpikeTemplate({ ...valid, windowStart: 'yesterday' })).toContain('"yesterday"');
    expect(checkSpikeTemplate({ ...valid, windowStart: '2024-13-45T00:00:00Z' })).toMatch(/"2024-13-45T00:00:00Z" is not a valid time: .*month/);
    expect(checkSpikeTemplate({ ...valid, windowStart: valid.windowEnd, windowEnd: valid.windowStart })).toBe(
      `The window start ${valid.windowEnd} is after the window end ${valid.windowStart}; swap them.`,
    );
  });
});

describe('composeTestEvent', () => {
  const profiles: Profile[] = [{ name: 'spike-main', scheme: 'spike', pathPrefix: '/spike', options: {} }];
  const vault = { keysFor: (name: string) => (name === 'spike-main' ? ['old-key', 'spike-key'] : []) };

  it('signs a Spike event that verifies with the newest key', () => {
    const composed = composeTestEvent({ kind: 'spike', target: 'http://127.0.0.1:9/spike/hook' }, { profiles, vault, nowNs: NOW_NS });
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    const { request } = composed;
    expect(request.headers.map(([name]) => name)).toEqual(['Host', 'Content-Type', 'X-Body-Signature', 'Content-Length']);
    const verdict = verifyDelivery({ method: 'POST', path: '/spike/hook', headers: request.headers, body: request.body, decodedBody: null, publicUrl: null }, profiles, vault, { now: Date.now() });
    expect(verdict.status).toBe('valid');
    expect(verdict.keyIndex).toBe(1);
  });

  it('names the missing profile', () => {
    const composed = composeTestEvent({ kind: 'stripe', target: 'http://127.0.0.1:9/' }, { profiles, vault, nowNs: NOW_NS });
    expect(composed.ok).toBe(false);
    if (!composed.ok) {
      expect(composed.code).toBe('no-profile');
      expect(composed.message).toContain('stripe');
    }
  });

  it('rejects a profile of another scheme', () => {
    const composed = composeTestEvent({ kind: 'stripe', target: 'http://127.0.0.1:9/', profile: 'spike-main' }, { profiles, vault, nowNs: NOW_NS });
    expect(composed.ok).toBe(false);
    if (!composed.ok) {
      expect(composed.code).toBe('no-profile');
      expect(composed.message).toContain('profile "spike-main": it uses the spike scheme, and a stripe test event needs a profile of the stripe scheme');
    }
  });

  it('rejects a target that is not http', () => {
    const composed = composeTestEvent({ kind: 'spike', target: 'file:///etc/passwd' }, { profiles, vault, nowNs: NOW_NS });
    expect(composed.ok).toBe(false);
    if (!composed.ok) expect(composed.code).toBe('invalid-target');
  });
});

describe('composeTestEvent with provider libraries', () => {
  const stripeSecret = 'whsec_test_events_secret';
  const standardSecret = `whsec_${Buffer.from('hooktray-test-events-standard-key').toString('base64')}`;
  const githubSecret = 'github-test-secret';
  const profiles: Profile[] = [
    { name: 'gh', scheme: 'github', pathPrefix: '/gh', options: {} },
    { name: 'st', scheme: 'stripe', pathPrefix: '/st', options: {} },
    { name: 'sw', scheme: 'standard-webhooks', pathPrefix: '/sw', options: {} },
  ];
  const keys: Record<string, string[]> = { gh: [githubSecret], st: [stripeSecret], sw: [standardSecret] };
  const vault = { keysFor: (name: string) => keys[name] ?? [] };
  const nowNs = BigInt(Date.now()) * 1_000_000n;

  function compose(kind: 'github' | 'stripe' | 'standard-webhooks') {
    const composed = composeTestEvent({ kind, target: 'http://127.0.0.1:9/hook' }, { profiles, vault, nowNs });
    if (!composed.ok) throw new Error(composed.message);
    const headers = Object.fromEntries(composed.request.headers.map(([name, value]) => [name.toLowerCase(), value]));
    return { body: Buffer.from(composed.request.body).toString('utf8'), headers };
  }

  it('signs a GitHub ping that @octokit/webhooks-methods accepts', async () => {
    const { body, headers } = compose('github');
    expect(headers['x-github-event']).toBe('ping');
    expect(await verifyGithub(githubSecret, body, headers['x-hub-signature-256'] ?? '')).toBe(true);
  });

  it('signs a Stripe event that stripe.webhooks.constructEvent accepts', () => {
    const { body, headers } = compose('stripe');
    const event = new Stripe('sk_test_unused').webhooks.constructEvent(body, headers['stripe-signature'] ?? '', stripeSecret);
    expect(event.type).toBe('payment_intent.succeeded');
  });

  it('signs a message that standardwebhooks accepts', () => {
    const { body, headers } = compose('standard-webhooks');
    expect(new Webhook(standardSecret).verify(body, headers)).toMatchObject({ type: 'hooktray.test' });
  });
});
