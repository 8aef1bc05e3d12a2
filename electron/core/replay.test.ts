import { describe, expect, it } from 'vitest';
import type { DeliveryDetail, HeaderPair } from './contract';
import { buildReplayRequest, setHeader, stripHopByHop } from './replay';
import type { Profile } from './signatures/types';
import { sendToTarget } from './target-request';

function delivery(headers: HeaderPair[], body = '{"a":1}', overrides: Partial<DeliveryDetail> = {}): DeliveryDetail {
  const bytes = Buffer.from(body);
  return {
    id: '01JRQ0000000000000000000AA',
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/hooks/stripe?x=1',
    size: bytes.length,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'unverified', scheme: null, profile: null, reason: 'No profile covers this path.' },
    spike: null,
    retryOf: null,
    bodySha256: '',
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers,
    contentEncoding: null,
    body: bytes,
    decodedBody: null,
    decodeError: null,
    monotonicNs: '1',
    ...overrides,
  };
}

const target = new URL('http://localhost:3000/webhooks');

describe('stripHopByHop', () => {
  it('drops hop-by-hop headers and those Connection names', () => {
    const headers: HeaderPair[] = [['Connection', 'keep-alive, X-Secret-Hop'], ['Keep-Alive', 'timeout=5'], ['X-Secret-Hop', '1'], ['Transfer-Encoding', 'chunked'], ['X-Keep', 'yes'], ['TE', 'trailers']];
    expect(stripHopByHop(headers)).toEqual([['X-Keep', 'yes']]);
  });
});

describe('setHeader', () => {
  it('replaces in place and keeps the received case', () => {
    expect(setHeader([['a', '1'], ['HOST', 'old'], ['b', '2'], ['host', 'dup']], 'Host', 'new', 'first')).toEqual([['a', '1'], ['HOST', 'new'], ['b', '2']]);
  });

  it('adds a missing header at the requested end', () => {
    expect(setHeader([['a', '1']], 'Host', 'h', 'first')).toEqual([['Host', 'h'], ['a', '1']]);
    expect(setHeader([['a', '1']], 'Content-Length', '3', 'last')).toEqual([['a', '1'], ['Content-Length', '3']]);
  });
});

describe('buildReplayRequest', () => {
  it('keeps order and case and sets Host and Content-Length', () => {
    const received: HeaderPair[] = [['host', 'abc.loca.lt'], ['user-agent', 'Stripe/1.0'], ['X-Forwarded-For', '1.2.3.4'], ['Transfer-Encoding', 'chunked'], ['content-type', 'application/json'], ['X-Dup', '1'], ['x-dup', '2']];
    const built = buildReplayRequest(delivery(received), target);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.request.headers).toEqual([
      ['host', 'localhost:3000'],
      ['user-agent', 'Stripe/1.0'],
      ['X-Forwarded-For', '1.2.3.4'],
      ['content-type', 'application/json'],
      ['X-Dup', '1'],
      ['x-dup', '2'],
      ['Content-Length', '7'],
    ]);
    expect(Buffer.from(built.request.body).toString()).toBe('{"a":1}');
    expect(built.resigned).toBe(false);
    expect(built.edited).toBe(false);
  });

  it('applies edits and recomputes Content-Length', () => {
    const built = buildReplayRequest(delivery([['Content-Length', '7']]), target, { body: Buffer.from('{"a":12345}'), headers: [['X-Edited', 'yes'], ['Content-Length', '7']] });
    expect(built.ok).toBe(true);
    if (built.ok) expect(built.request.headers).toEqual([['Host', 'localhost:3000'], ['X-Edited', 'yes'], ['Content-Length', '11']]);
    expect(built.ok).toBe(true);
    if (built.ok) expect(built.edited).toBe(true);
  });

  it('rejects a delivery whose body was not stored', () => {
    const built = buildReplayRequest(delivery([], '', { truncated: true, truncatedReason: 'body-limit' }), target);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.code).toBe('truncated-body');
    if (!built.ok) expect(built.message).toContain('larger bodyLimit');
  });

  it('names a busy receiver when no body was stored', () => {
    const built = buildReplayRequest(delivery([], '', { truncated: true, truncatedReason: 'memory-cap' }), target);
    expect(built).toMatchObject({ ok: false, code: 'truncated-body' });
    if (!built.ok) expect(built.message).toContain('arrived while Hooktray was busy receiving other deliveries');
    if (!built.ok) expect(built.message).not.toContain('bodyLimit');
  });

  it('fails re-signing without a profile or key', () => {
    const profiles: Profile[] = [{ name: 'stripe', scheme: 'stripe', pathPrefix: '/hooks/stripe', options: {} }];
    const noProfile = buildReplayRequest(delivery([], '{}', { path: '/other' }), target, {}, { profiles, vault: { keysFor: () => ['k'] }, now: 0 });
    expect(noProfile.ok).toBe(false);
    if (!noProfile.ok) expect(noProfile.code).toBe('no-profile');
    const noKey = buildReplayRequest(delivery([]), target, {}, { profiles, vault: { keysFor: () => [] }, now: 0 });
    expect(noKey.ok).toBe(false);
    if (!noKey.ok) expect(noKey.code).toBe('no-key');
    expect(noKey.ok).toBe(false);
    if (!noKey.ok) expect(noKey.message).toContain('"stripe"');
  });

  it('re-signs Svix-named headers under their own names', () => {
    const profiles: Profile[] = [{ name: 'svix', scheme: 'standard-webhooks', pathPrefix: '/', options: {} }];
    const received: HeaderPair[] = [['svix-id', 'msg_1'], ['svix-timestamp', '1'], ['svix-signature', 'v1,old'], ['content-type', 'application/json']];
    const key = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const built = buildReplayRequest(delivery(received), target, {}, { profiles, vault: { keysFor: () => [key] }, now: 1_700_000_000_000 });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const names = built.request.headers.map(([name]) => name);
    expect(names).toEqual(['Host', 'svix-id', 'svix-timestamp', 'svix-signature', 'content-type', 'Content-Length']);
    expect(built.request.headers[1]).toEqual(['svix-id', 'msg_1']);
    expect(built.request.headers[2]).toEqual(['svix-timestamp', '1700000000']);
    expect(built.request.headers[3]?.[1]).not.toBe('v1,old');
  });
});

describe('sendToTarget', () => {
  it('reports a header that cannot be sent', async () => {
    // Port 9 (discard) is never reached, because the request fails before it connects.
    const answer = await sendToTarget({
      method: 'POST',
      url: new URL('http://127.0.0.1:9/hooks'),
      headers: [['Host', '127.0.0.1:9'], ['Bad Header', 'x'], ['Content-Length', '0']],
      body: new Uint8Array(0),
    });
    expect(answer.status).toBeNull();
    expect(answer.error?.code).toBe('request-failed');
    expect(answer.error?.message).toContain('"Bad Header"');
    expect(answer.error?.message).toContain('import it again');
  });
});
