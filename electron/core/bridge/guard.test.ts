import { describe, expect, it } from 'vitest';
import { checkHost, checkOrigin, cookieName, readCookie, tokenMatches } from './guard';

describe('bridge guard', () => {
  it('accepts only loopback hosts on its own port', () => {
    expect(checkHost('127.0.0.1:4000', 4000)).toBeNull();
    expect(checkHost('localhost:4000', 4000)).toBeNull();
    expect(checkHost('LOCALHOST:4000', 4000)).toBeNull();
    expect(checkHost('127.0.0.1:4001', 4000)?.code).toBe('foreign-host');
    expect(checkHost('evil.example:4000', 4000)?.code).toBe('foreign-host');
    expect(checkHost('127.0.0.1', 4000)?.code).toBe('foreign-host');
    expect(checkHost(undefined, 4000)?.code).toBe('foreign-host');
  });

  it('accepts a missing origin and its own origins only', () => {
    expect(checkOrigin(undefined, 4000)).toBeNull();
    expect(checkOrigin('http://127.0.0.1:4000', 4000)).toBeNull();
    expect(checkOrigin('http://localhost:4000', 4000)).toBeNull();
    expect(checkOrigin('https://127.0.0.1:4000', 4000)?.code).toBe('foreign-origin');
    expect(checkOrigin('http://evil.example', 4000)?.code).toBe('foreign-origin');
    expect(checkOrigin('null', 4000)?.code).toBe('foreign-origin');
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('reads one cookie by name', () => {
    const name = cookieName(4000);
    expect(readCookie(`other=1; ${name}=tok; x=y`, name)).toBe('tok');
    expect(readCookie('other=1', name)).toBeNull();
    expect(readCookie(undefined, name)).toBeNull();
  });
});
