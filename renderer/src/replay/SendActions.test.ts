import { describe, expect, it } from 'vitest';
import { responseMessage } from './SendActions';

describe('responseMessage', () => {
  it('reports a 2xx status as success', () => {
    expect(responseMessage(204, 12.34)).toEqual({ error: false, text: '204 in 12.3 ms.' });
  });

  it('reports a 500 as an error', () => {
    const message = responseMessage(500, 5, ', signed with profile "spike"');
    expect(message.error).toBe(true);
    expect(message.text).toBe('500 in 5.0 ms, signed with profile "spike". The target reported an error; check its log.');
  });

  it('reports a 404 as an error', () => {
    expect(responseMessage(404, 1).error).toBe(true);
  });

  it('reports a 101 as an error', () => {
    const message = responseMessage(101, 1);
    expect(message.error).toBe(true);
    expect(message.text).toContain('did not accept the delivery with a final status');
  });

  it('names the Location of a redirect', () => {
    const message = responseMessage(307, 1, '', 'http://127.0.0.1:3006/moved');
    expect(message.error).toBe(false);
    expect(message.text).toBe('307 in 1.0 ms. Redirects are not followed; the target redirects to http://127.0.0.1:3006/moved, so send to that URL if it handles the webhook.');
  });

  it('reports a redirect without Location', () => {
    const message = responseMessage(302, 1);
    expect(message.error).toBe(false);
    expect(message.text).toContain('the response has no Location header');
  });
});
