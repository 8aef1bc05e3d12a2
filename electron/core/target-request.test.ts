import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/echo-server';
import type { OutgoingRequest } from './target-request';
import { sendToTarget } from './target-request';

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Starts an HTTP server on 127.0.0.1 with `handle` and returns its URL. */
async function serve(handle: http.RequestListener): Promise<URL> {
  const server = http.createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
}

function post(url: URL): OutgoingRequest {
  return { method: 'POST', url, headers: [['Host', url.host], ['Content-Length', '1']], body: Buffer.from('x') };
}

describe('sendToTarget unreachable', () => {
  it('is not-connected when refused', async () => {
    const answer = await sendToTarget(post(new URL(`http://127.0.0.1:${await freePort()}/hook`)));
    expect(answer.error?.code).toBe('connection-refused');
    expect(answer.unreachable).toBe('not-connected');
  });

  it('is connection-closed when closed before a response', async () => {
    const url = await serve((request) => request.socket.destroy());
    const answer = await sendToTarget(post(url));
    expect(answer.status).toBeNull();
    expect(answer.error?.code).toBe('connection-reset');
    expect(answer.unreachable).toBe('connection-closed');
  });

  it('is null for an HTTP error status', async () => {
    const url = await serve((_request, response) => response.writeHead(503).end('restarting'));
    const answer = await sendToTarget(post(url));
    expect(answer.status).toBe(503);
    expect(answer.error).toBeNull();
    expect(answer.unreachable).toBeNull();
  });

  it('is null for a timeout after connecting', async () => {
    const url = await serve((request) => request.resume());
    const answer = await sendToTarget(post(url), { timeoutMs: 100 });
    expect(answer.error?.code).toBe('timeout');
    expect(answer.unreachable).toBeNull();
  });

  it('is null for a cancelled exchange', async () => {
    const url = await serve((request) => request.resume());
    const controller = new AbortController();
    const sending = sendToTarget(post(url), { signal: controller.signal });
    controller.abort();
    const answer = await sending;
    expect(answer.error?.code).toBe('aborted');
    expect(answer.unreachable).toBeNull();
  });
});
