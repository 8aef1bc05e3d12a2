import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeaderPair } from '../../electron/core/contract';
import { pairsFromRawHeaders } from '../../electron/core/headers';

/** One request as the echo server received it. */
export interface EchoedRequest {
  method: string;
  url: string;
  headers: HeaderPair[];
  body: Buffer;
  sha256: string;
}

export interface EchoServer {
  url: string;
  port: number;
  requests: EchoedRequest[];
  close: () => Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that records every request and responds with what
 * `respond` returns (by default 200 and a small JSON body). `port` 0 picks a free port.
 */
export async function startEchoServer(
  respond: (request: EchoedRequest) => { status: number; body: string } = () => ({ status: 200, body: '{"echo":true}' }),
  port = 0,
): Promise<EchoServer> {
  const requests: EchoedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const echoed: EchoedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: pairsFromRawHeaders(request.rawHeaders),
        body,
        sha256: createHash('sha256').update(body).digest('hex'),
      };
      requests.push(echoed);
      const answer = respond(echoed);
      response.writeHead(answer.status, { 'Content-Type': 'application/json', 'X-Echo': 'yes' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Returns a port that was free a moment ago, for a target that is down and comes up later. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Posts to a URL with headers sent exactly in the given order and case (include `Host`:
 * Node adds none to a header list), and returns the
 * status and the id of the stored delivery from Hooktray's response header.
 */
export function postRaw(url: string, headers: HeaderPair[], body: Uint8Array): Promise<{ status: number; deliveryId: string | null; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST', headers: headers.flat(), agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const id = response.headers['x-hooktray-delivery'];
          resolve({ status: response.statusCode ?? 0, deliveryId: typeof id === 'string' ? id : null, text: Buffer.concat(chunks).toString() });
        });
        response.on('error', reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error(`POST ${url} timed out after 30 s`)));
    request.on('error', reject);
    request.end(body);
  });
}
