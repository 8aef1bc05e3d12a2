import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadResult } from './receiver-body';
import { readBody } from './receiver-body';

/** Starts a server on 127.0.0.1 that reads each body with readBody and resolves with the first result. */
async function readFirstBody(limit: number, drainMs: number): Promise<{ server: http.Server; port: number; result: Promise<ReadResult & { complete: boolean }> }> {
  let deliver: (result: ReadResult & { complete: boolean }) => void = () => {};
  const result = new Promise<ReadResult & { complete: boolean }>((resolve) => {
    deliver = resolve;
  });
  const server = http.createServer((request, response) => {
    void readBody(request, request.headers['content-length'], limit, drainMs).then((read) => {
      deliver({ ...read, complete: request.complete });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, result };
}

describe('readBody', () => {
  let server: http.Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('stops draining a stalled chunked body', async () => {
    const started = await readFirstBody(10, 100);
    server = started.server;
    const socket = connect(started.port, '127.0.0.1');
    socket.on('error', () => {});
    // 24 bytes in two chunks pass the limit of 10, and then the sender stalls without the last chunk.
    socket.write('POST /stalled HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nc\r\naaaaaaaaaaaa\r\nc\r\nbbbbbbbbbbbb\r\n');

    const result = await started.result;
    socket.destroy();
    expect(result.size).toBe(24);
    expect(result.overLimit).toBe(true);
    expect(result.drained).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.bytes).toHaveLength(0);
  });

  it('keeps a chunked body within the limit', async () => {
    const started = await readFirstBody(24, 100);
    server = started.server;
    const socket = connect(started.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST /fits HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nc\r\naaaaaaaaaaaa\r\nc\r\nbbbbbbbbbbbb\r\n0\r\n\r\n');

    const result = await started.result;
    socket.destroy();
    expect(result.bytes.toString()).toBe('aaaaaaaaaaaabbbbbbbbbbbb');
    expect(result.size).toBe(24);
    expect(result.overLimit).toBe(false);
    expect(result.complete).toBe(true);
  });
});
