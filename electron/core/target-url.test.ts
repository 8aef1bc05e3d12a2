import { describe, expect, it } from 'vitest';
import { maskUrlPassword, parseTargetUrl } from './target-url';

function problemOf(text: string): string {
  const result = parseTargetUrl(text);
  if (result.ok) throw new Error(`${text} was accepted as ${result.url.href}`);
  return result.message;
}

describe('parseTargetUrl', () => {
  it('accepts http and https URLs', () => {
    for (const text of ['http://localhost:3000/hook', 'https://example.test/a?b=1', 'http://[::1]:8080/', ' http://127.0.0.1:1/x ']) {
      expect(parseTargetUrl(text).ok).toBe(true);
    }
  });

  it('rejects an empty authority', () => {
    expect(problemOf('http:///x')).toBe('Invalid target URL "http:///x": the host is missing; write it right after "http://", as in http://localhost:3000/webhooks.');
    expect(problemOf('https:/x')).toContain('the host is missing; write it right after "https://"');
    expect(problemOf('http:x')).toContain('the host is missing');
  });

  it('rejects port 0', () => {
    expect(problemOf('http://127.0.0.1:0/x')).toBe(
      'Invalid target URL "http://127.0.0.1:0/x": port 0 cannot receive requests; use the port that the server listens on, from 1 to 65535.',
    );
  });

  it('names a port out of range', () => {
    expect(problemOf('http://127.0.0.1:99999/')).toBe('Invalid target URL "http://127.0.0.1:99999/": the port 99999 is out of range; use a port from 1 to 65535.');
    expect(problemOf('http://[::1]:70000/')).toContain('the port 70000 is out of range');
  });

  it('names a port that is not a number', () => {
    expect(problemOf('http://127.0.0.1:80a/')).toBe('Invalid target URL "http://127.0.0.1:80a/": the port "80a" is not a number; use a port from 1 to 65535.');
  });

  it('suggests http:// for a missing scheme', () => {
    expect(problemOf('localhost:4101')).toBe('Invalid target URL "localhost:4101": it does not start with http:// or https://; use http://localhost:4101 for a local server.');
    expect(problemOf('127.0.0.1:4101/hook')).toContain('use http://127.0.0.1:4101/hook for a local server.');
  });

  it('names another scheme', () => {
    expect(problemOf('ftp://127.0.0.1/')).toBe('Invalid target URL "ftp://127.0.0.1/": the scheme must be http or https, not ftp.');
  });

  it('masks the password of text that does not parse', () => {
    const message = problemOf('http://user:s3cr3tpw@127.0.0.1:99999/');
    expect(message).not.toContain('s3cr3tpw');
    expect(message).toContain('"http://user:***@127.0.0.1:99999/"');
  });

  it('masks the password in every kind of message', () => {
    for (const text of ['http://user:s3cr3tpw@[::1', 'ftp://user:s3cr3tpw@127.0.0.1/', 'http://user:s3cr3tpw@127.0.0.1:0/', 'user:s3cr3tpw@localhost:4101', 'http://user:s3cr3tpw@127.0.0.1:8x/']) {
      expect(problemOf(text)).not.toContain('s3cr3tpw');
    }
  });

  it('escapes control characters', () => {
    const message = problemOf('http://127.0.0.1:4101\r\n\u001b[31mX: y');
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message).toContain('"http://127.0.0.1:4101\\r\\n\\x1b[31mX: y"');
  });
});

describe('maskUrlPassword', () => {
  it.each([
    ['http://user:pw@host/', 'http://user:***@host/'],
    ['http://user:p@ss@host:1/x', 'http://user:***@host:1/x'],
    ['http://user@host/', 'http://user@host/'],
    ['http://user:@host/', 'http://user:@host/'],
    ['http://host/a:b@c', 'http://host/a:b@c'],
    ['user:pw@host:1', 'user:***@host:1'],
    ['http:\\\\user:pw@host', 'http:\\\\user:***@host'],
  ])('masks %s', (text, masked) => {
    expect(maskUrlPassword(text)).toBe(masked);
  });
});
