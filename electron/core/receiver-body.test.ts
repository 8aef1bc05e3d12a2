import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadResult } from './receiver-body';
import { BodyMemory, planBody, readBody } from './receiver-body';

/** Starts a server on 127.0.0.1 that reads each body with readBody and resolves with the first result. */
async function readFirstBody(limit: number, drainMs: number): Promise<{ server: http.Server; port: number; result: Promise<ReadResult & { complete: boolean }> }> {
  let deliver: (result: ReadResult & { complete: boolean }) => void = () => {};
  const result = new Promise<ReadResult & { complete: boolean }>((resolve) => {
    deliver = resolve;
  });
  const server = http.createServer((request, response) => {
    const reservation = new BodyMemory(1024 * 1024).reservation();
    const plan = planBody(request.headers['content-length'], limit, reservation);
    void readBody(request, plan, { limit, reservation, drainMs }).then((read) => {
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
    expect(result.cutOff).toBe('body-limit');
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
    expect(result.cutOff).toBeNull();
    expect(result.complete).toBe(true);
  });
});

describe('planBody', () => {
  it('reserves a declared length within the cap', () => {
    const memory = new BodyMemory(1500);
    const first = memory.reservation();
    expect(planBody('1000', 1000, first)).toEqual({ declared: 1000, cutOff: null });
    expect(memory.heldBytes).toBe(1000);

    const second = memory.reservation();
    expect(planBody('600', 1000, second)).toEqual({ declared: 600, cutOff: 'memory-cap' });
    expect(memory.heldBytes).toBe(1000);

    first.release();
    expect(planBody('600', 1000, second)).toEqual({ declared: 600, cutOff: null });
    expect(memory.heldBytes).toBe(600);
  });

  it('cuts off a declared length over the limit', () => {
    const memory = new BodyMemory(1500);
    expect(planBody('1001', 1000, memory.reservation())).toEqual({ declared: 1001, cutOff: 'body-limit' });
    expect(memory.heldBytes).toBe(0);
  });

  it('leaves a chunked body to readBody', () => {
    const memory = new BodyMemory(1500);
    expect(planBody(undefined, 1000, memory.reservation())).toEqual({ declared: null, cutOff: null });
    expect(memory.heldBytes).toBe(0);
  });
});
