import { describe, expect, it } from 'vitest';
import { checkPathToken, clientKey, ReceiverGuard } from './receiver-guard';

describe('path token', () => {
  const guard = new ReceiverGuard({ pathToken: 'tok3n-abc', rateLimitPerSecond: 0 });

  it.each([
    ['/tok3n-abc/webhooks/spike', '/webhooks/spike'],
    ['/tok3n-abc', '/'],
    ['/tok3n-abc?x=1', '/?x=1'],
    ['/tok3n-abc/', '/'],
  ])('accepts %s as %s', (path, stored) => {
    expect(guard.check(path, 'client')).toEqual({ outcome: 'accept', path: stored });
  });

  it.each(['/', '/webhooks/spike', '/tok3n-abcd/x', '/tok3n-ab', '/TOK3N-ABC/x', '/x/tok3n-abc'])('rejects %s', (path) => {
    expect(guard.check(path, 'client').outcome).toBe('reject-token');
  });

  it('counts rejections', () => {
    const counting = new ReceiverGuard({ pathToken: 'secret-1', rateLimitPerSecond: 0 });
    counting.check('/nope', 'a');
    counting.check('/nope', 'a');
    counting.check('/secret-1/ok', 'a');
    expect(counting.counts).toEqual({ missingToken: 2, rateLimited: 0 });
  });

  it('checks token characters', () => {
    expect(checkPathToken('abc')).toContain('4 to 128');
    expect(checkPathToken('has/slash')).toContain('4 to 128');
    expect(checkPathToken('has/slash')).toContain('character 4, "/", is not allowed');
    expect(checkPathToken('abc')).toContain('it has 3 characters');
    expect(checkPathToken('good_Token-42')).toBeNull();
  });
});

describe('rate limit', () => {
  it('allows a burst of N, then answers with a wait', () => {
    let now = 0;
    const guard = new ReceiverGuard({ pathToken: null, rateLimitPerSecond: 5 }, () => now);
    const outcomes = Array.from({ length: 6 }, () => guard.check('/x', 'a').outcome);
    expect(outcomes).toEqual(['accept', 'accept', 'accept', 'accept', 'accept', 'reject-rate']);
    expect(guard.check('/x', 'a')).toEqual({ outcome: 'reject-rate', retryAfterSeconds: 1 });
    expect(guard.check('/x', 'b').outcome).toBe('accept');

    now = 200;
    expect(guard.check('/x', 'a').outcome).toBe('accept');
    expect(guard.check('/x', 'a').outcome).toBe('reject-rate');
    expect(guard.counts.rateLimited).toBe(3);
  });

  it('keys tunnel traffic by the first forwarded address', () => {
    expect(clientKey('127.0.0.1', '203.0.113.9, 10.0.0.1')).toBe('203.0.113.9');
    expect(clientKey('::1', '2001:db8::1')).toBe('2001:db8::1');
    expect(clientKey('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(clientKey('127.0.0.1', null)).toBe('127.0.0.1');
  });

  it('forgets idle clients instead of growing without bound', () => {
    let now = 0;
    const guard = new ReceiverGuard({ pathToken: null, rateLimitPerSecond: 1 }, () => now);
    for (let index = 0; index < 10_000; index += 1) guard.check('/x', `client-${index}`);
    now = 2_000;
    for (let index = 0; index < 10; index += 1) guard.check('/x', `late-${index}`);
    expect(guard.check('/x', 'late-0').outcome).toBe('reject-rate');
    expect(guard.check('/x', 'client-0').outcome).toBe('accept');
  });
});

describe('ReceiverGuard.redact', () => {
  it('hides the token in a path', () => {
    const guard = new ReceiverGuard({ pathToken: 'tok3n-abc', rateLimitPerSecond: 0 });
    expect(guard.redact('/tok3n-abc/webhooks?x=1')).toBe('/<path token>/webhooks?x=1');
    expect(guard.redact('/other')).toBe('/other');
  });

  it('keeps a path without a token set', () => {
    expect(new ReceiverGuard({ pathToken: null, rateLimitPerSecond: 0 }).redact('/tok3n-abc/x')).toBe('/tok3n-abc/x');
  });
});
