import { describe, expect, it } from 'vitest';
import { joinPublicUrl } from './twilio-url';

describe('joinPublicUrl', () => {
  it.each([
    ['origin', 'https://abc123.ngrok.app', '/twq/voice?tenant=7', 'https://abc123.ngrok.app/twq/voice?tenant=7'],
    ['origin with a slash', 'https://abc123.ngrok.app/', '/twq/voice', 'https://abc123.ngrok.app/twq/voice'],
    ['path prefix', 'https://proxy.example/api', '/twq/voice?tenant=7', 'https://proxy.example/api/twq/voice?tenant=7'],
    ['whole URL without query', 'https://abc123.ngrok.app/twq/voice', '/twq/voice?tenant=7', 'https://abc123.ngrok.app/twq/voice?tenant=7'],
    ['whole URL with query', 'https://abc123.ngrok.app/twq/voice?tenant=7', '/twq/voice?tenant=7', 'https://abc123.ngrok.app/twq/voice?tenant=7'],
    ['whole URL, query extended', 'https://abc123.ngrok.app/twq/voice?tenant=7', '/twq/voice?tenant=7&bodySHA256=ab', 'https://abc123.ngrok.app/twq/voice?tenant=7&bodySHA256=ab'],
    ['whole URL under a prefix', 'https://proxy.example/api/twq/voice?tenant=7', '/twq/voice?tenant=7', 'https://proxy.example/api/twq/voice?tenant=7'],
    ['whole URL, request slash', 'https://abc123.ngrok.app/twq/voice', '/twq/voice/', 'https://abc123.ngrok.app/twq/voice/'],
    ['root path', 'https://abc123.ngrok.app/twq', '/', 'https://abc123.ngrok.app/twq/'],
    ['host named like the path', 'https://voice', '/voice', 'https://voice/voice'],
  ])('joins %s', (_case, base, path, expected) => {
    expect(joinPublicUrl(base, path)).toBe(expected);
  });
});
