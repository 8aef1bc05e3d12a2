import { describe, expect, it } from 'vitest';
import { receiverLoopProblem } from './forward';

const receiver = { localUrl: 'http://127.0.0.1:4205', publicUrl: 'https://hooktray-abc.loca.lt' };

describe('receiverLoopProblem', () => {
  it.each([
    'http://127.0.0.1:4205/loop',
    'http://localhost:4205/',
    'http://LOCALHOST.:4205/',
    'http://app.localhost:4205/',
    'http://0.0.0.0:4205/',
    'http://127.0.0.2:4205/',
    'http://2130706433:4205/',
    'http://[::1]:4205/',
    'http://[::]:4205/',
    'http://[::ffff:127.0.0.1]:4205/',
    'https://127.0.0.1:4205/',
  ])('rejects the receiver at %s', (target) => {
    const problem = receiverLoopProblem(new URL(target), receiver);
    expect(problem).toContain("is this receiver's own address (127.0.0.1:4205)");
    expect(problem).toContain('Forward to the URL of the server that handles the webhooks');
  });

  it.each(['http://127.0.0.1:4206/', 'http://localhost/', 'http://192.0.2.1:4205/', 'http://example.test:4205/'])('accepts %s', (target) => {
    expect(receiverLoopProblem(new URL(target), receiver)).toBeNull();
  });

  it('rejects the public URL on any path', () => {
    const problem = receiverLoopProblem(new URL('https://hooktray-abc.loca.lt/hooks/x'), receiver);
    expect(problem).toBe(
      "The forward target https://hooktray-abc.loca.lt/hooks/x is on this receiver's public URL https://hooktray-abc.loca.lt, so every forwarded delivery would arrive again and be forwarded again without end. " +
        'Forward to the local URL of the server that handles the webhooks, such as http://localhost:3000/webhooks.',
    );
    expect(receiverLoopProblem(new URL('https://other.loca.lt/'), receiver)).toBeNull();
  });

  it('masks a password in the target', () => {
    const problem = receiverLoopProblem(new URL('http://user:s3cr3tpw@127.0.0.1:4205/'), receiver);
    expect(problem).toContain('http://user:***@127.0.0.1:4205/');
    expect(problem).not.toContain('s3cr3tpw');
  });
});
