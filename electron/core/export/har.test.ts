import { describe, expect, it } from 'vitest';
import { uriSafePath } from './har';

describe('uriSafePath', () => {
  it.each([
    ['/webhooks/spike?a=1&b=2', '/webhooks/spike?a=1&b=2'],
    ['/a b', '/a%20b'],
    ['/100%', '/100%25'],
    ['/ok%2F', '/ok%2F'],
    ['/x#frag', '/x%23frag'],
    ['/caf\u00e9', '/caf%E9'],
    ['/quote"<>', '/quote%22%3C%3E'],
  ])('encodes %j', (path, expected) => {
    expect(uriSafePath(path)).toBe(expected);
  });
});
