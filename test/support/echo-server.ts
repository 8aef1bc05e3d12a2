import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
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

/** A target that ignores the request and writes one fixed raw HTTP response, then leaves the socket open. */
export interface RawAnswerServer {
  url: string;
  /** Requests whose head it has read so far. */
  requests: () => number;
  /** Connections that neither side has closed yet. */
  openConnections: () => number;
  close: () => Promise<void>;
}

/**
 * Starts a TCP server on 127.0.0.1 that responds to every request with the bytes of `answer`
 * and keeps the connection open. It writes responses that no HTTP server library sends, such
 * as a 101 Switching Protocols to a request that did not ask for an upgrade.
 */
export async function startRawAnswerServer(answer: string): Promise<RawAnswerServer> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests += 1;
      socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
