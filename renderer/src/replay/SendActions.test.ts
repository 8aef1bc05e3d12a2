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

  it('explains a redirect', () => {
    const message = responseMessage(302, 1);
    expect(message.error).toBe(false);
    expect(message.text).toContain('Redirects are not followed');
  });
});
