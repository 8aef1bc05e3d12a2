import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../electron/core/ingest';
import { silentLogger } from '../../electron/core/logger';
import { formatDeliveryLine } from '../../electron/cli/format';
import { HEADER_LIMIT, Receiver } from '../../electron/core/receiver';
import { DeliveryStore } from '../../electron/core/store';
import { tempDir } from '../support/listen-process';

/**
 * Writes raw bytes to the receiver, `gapMs` apart, and resolves with what it sent back and how
 * many chunks were written before the server closed the connection.
 */
function rawSend(port: number, chunks: string[], gapMs = 0): Promise<{ reply: string; written: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    let written = 0;
    socket.on('data', (data) => {
      reply += data.toString('latin1');
    });
    socket.on('close', () => resolve({ reply, written }));
    socket.on('error', () => resolve({ reply, written }));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        written += 1;
        if (gapMs > 0) await new Promise((wait) => setTimeout(wait, gapMs));
      }
      socket.end();
    });
  });
}

async function rawExchange(port: number, chunks: string[]): Promise<string> {
  return (await rawSend(port, chunks)).reply;
}

/**
 * Sends `head` with a 2,000,000-byte Content-Length and the first 1,000 bytes, waits for
 * `handled`, uploads the rest, and only then reads the reply, as a sender that reads last does.
 * Resolves with the reply and the socket's error, if any.
 */
async function uploadThenRead(port: number, head: string, handled: Promise<void>): Promise<{ reply: string; error: Error | null }> {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  let reply = '';
  let error: Error | null = null;
  socket.on('error', (failure) => {
    error = failure;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', resolve));

  socket.write(`${head}\r\nContent-Length: 2000000\r\n\r\n${'x'.repeat(1000)}`);
  await handled;
  for (let sent = 1000; sent < 2_000_000 && !socket.destroyed; sent += 99_900) {
    socket.write('x'.repeat(Math.min(99_900, 2_000_000 - sent)));
    await new Promise((wait) => setTimeout(wait, 10));
  }
  socket.on('data', (data: Buffer) => {
    reply += data.toString('latin1');
  });
  socket.resume();
  socket.end();
  await closed;
  return { reply, error };
}

/** Posts `body` with the given headers and resolves with the status. */
function postBytes(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'Content-Length': String(body.length) } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('receiver against malformed and slow clients', () => {
  let receiver: Receiver;
  let store: DeliveryStore;

  beforeAll(async () => {
    store = new DeliveryStore({ dataDir: tempDir() });
    receiver = new Receiver({
      port: 0,
      logger: silentLogger,
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      persist: (capture) => store.ingest(capture),
    });
    await receiver.listen();
  });

  afterAll(async () => {
    await receiver.close();
    await store.close();
  });

  it('stores every header of a request with many', async () => {
    const many = Array.from({ length: 2_500 }, () => 'a:1\r\n').join('');
    const reply = await rawExchange(receiver.port, [`POST /many-headers HTTP/1.1\r\nHost: x\r\n${many}X-Last: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`]);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    const [summary] = store.list({ text: 'many-headers' }).items;
    const stored = store.get(summary?.id ?? '');
    expect(stored?.headers).toHaveLength(2_504);
    expect(stored?.headers.at(-3)).toEqual(['X-Last', 'yes']);
  });

  it('decodes codings sent on separate header lines', async () => {
    const json = '{"layers":2}';
    const body = brotliCompressSync(gzipSync(json));
    const status = await new Promise<number>((resolve, reject) => {
      const headers = ['Host', '127.0.0.1', 'Content-Encoding', 'gzip', 'Content-Encoding', 'br', 'Content-Length', String(body.length)];
      const request = httpRequest({ host: '127.0.0.1', port: receiver.port, method: 'POST', path: '/two-codings', headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
    expect(status).toBe(200);
    const [summary] = store.list({ text: 'two-codings' }).items;
    const stored = store.get(summary?.id ?? '');
    expect(stored?.contentEncoding).toBe('gzip, br');
    expect(Buffer.from(stored?.decodedBody ?? []).toString()).toBe(json);
  });

  it('answers 400 to a bad request line', async () => {
    expect(await rawExchange(receiver.port, ['NOT A REQUEST\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400/);
  });

  it('names the accepted methods in a 400', async () => {
    // Node's parser rejects these before the receiver gets them, and the 400 names the accepted methods.
    for (const method of ['FOO', 'WEBHOOK', 'patch']) {
      const reply = await rawExchange(receiver.port, [`${method} /custom HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`]);
      expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
      expect(reply).toContain('Send one of these, in upper case: ACL, BIND');
      expect(reply).toContain('PATCH, POST');
    }
    for (const method of ['PROPFIND', 'PURGE', 'QUERY']) {
      const reply = await rawExchange(receiver.port, [`${method} /standard HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`]);
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    }
    expect(store.list({ text: 'custom' }).total).toBe(0);
    expect(store.list({ text: 'standard' }).total).toBe(3);
  });

  it('answers 400 to a bad chunk size', async () => {
    const reply = await rawExchange(receiver.port, ['POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n']);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 400 to duplicate Content-Length', async () => {
    const reply = await rawExchange(receiver.port, ['POST /d HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd']);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 431 to an oversized header', async () => {
    const reply = await rawExchange(receiver.port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(HEADER_LIMIT)}\r\n\r\n`]);
    expect(reply).toMatch(/^HTTP\/1\.1 431/);
    expect(reply).toContain(`limit of ${HEADER_LIMIT} bytes`);
  });

  it('stores a header over Node\'s 16 KiB default', async () => {
    const long = 'b'.repeat(40 * 1024);
    const reply = await rawExchange(receiver.port, [`POST /long-header HTTP/1.1\r\nHost: x\r\nX-Long: ${long}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`]);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    const stored = store.list({ limit: 1 }).items[0];
    expect(stored?.path).toBe('/long-header');
    expect(store.get(stored?.id ?? '')?.headers).toContainEqual(['X-Long', long]);
  });

  it('closes a client that trickles its headers', async () => {
    // Forty header lines 200 ms apart would take 8 s; the headers timeout is 1 s.
    const chunks = Array.from({ length: 40 }, (_, index) => (index === 0 ? 'POST /slow HTTP/1.1\r\n' : 'X-Drip: 1\r\n'));
    const { reply, written } = await rawSend(receiver.port, chunks, 200);
    expect(written).toBeLessThan(chunks.length);
    expect(reply === '' || /^HTTP\/1\.1 408/.test(reply)).toBe(true);
  });

  it('closes a client that trickles its body', async () => {
    // A byte every 50 ms would take 5 s for the 100 declared; the request timeout is 2 s.
    const chunks = ['POST /slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', ...Array.from({ length: 100 }, () => 'x')];
    const { reply, written } = await rawSend(receiver.port, chunks, 50);
    expect(written).toBeLessThan(chunks.length);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(store.list({ text: 'slow-body' }).total).toBe(0);
  });

  it('answers 405 to CONNECT', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const proxyless = new Receiver({ port: 0, logger, persist: (capture) => store.ingest(capture) });
    await proxyless.listen();
    try {
      // Node closed the connection without a response.
      const reply = await rawExchange(proxyless.port, ['CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n']);
      expect(reply).toMatch(/^HTTP\/1\.1 405 Method Not Allowed/);
      expect(reply).toMatch(/^Allow: .*\bPOST\b/m);
      expect(reply).not.toMatch(/^Allow: .*\bCONNECT\b/m);
      expect(reply).toContain('not a proxy');
      expect(warnings).toEqual(['receiver: CONNECT request rejected with 405; Hooktray is not a proxy']);
    } finally {
      await proxyless.close();
    }
  });

  it('answers a client that half-closes', async () => {
    // A slow store widens the window between the client's FIN and the answer.
    const slow = new Receiver({
      port: 0,
      logger: silentLogger,
      persist: async (capture) => {
        await new Promise((wait) => setTimeout(wait, 100));
        return store.ingest(capture);
      },
    });
    await slow.listen();
    try {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(slow.port, '127.0.0.1');
        let received = '';
        socket.on('data', (data) => {
          received += data.toString('latin1');
        });
        socket.on('close', () => resolve(received));
        // end() sends the request and then FIN, as some senders do.
        socket.on('connect', () => socket.end('POST /half HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi'));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await slow.close();
    }
  });

  it('keeps serving after the hostile requests', async () => {
    const response = await fetch(`${receiver.localUrl}/after`, { method: 'POST', body: 'fine' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hooktray-delivery')).toMatch(/^[0-9A-Z]{26}$/);
  });
});

describe('receiver with pipelined requests', () => {
  let receiver: Receiver;
  let store: DeliveryStore;

  beforeAll(async () => {
    store = new DeliveryStore({ dataDir: tempDir() });
    // A slow store keeps the earlier requests unanswered when the malformed one is parsed.
    const persist = async (capture: Capture) => {
      await new Promise((wait) => setTimeout(wait, 50));
      return store.ingest(capture);
    };
    receiver = new Receiver({ port: 0, logger: silentLogger, persist });
    await receiver.listen();
  });

  afterAll(async () => {
    await receiver.close();
    await store.close();
  });

  function pipelined(prefix: string, count: number): string {
    return Array.from({ length: count }, (_, index) => `POST /${prefix}/${index} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`).join('');
  }

  function statusLines(reply: string): string[] {
    return reply.match(/HTTP\/1\.1 \d{3}/g) ?? [];
  }

  /** Sends `text` without half-closing, so the server decides when the connection ends, and resolves with the reply. */
  function sendAndRead(text: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(receiver.port, '127.0.0.1', () => socket.write(text));
      let reply = '';
      socket.on('data', (data) => {
        reply += data.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(reply));
    });
  }

  it('answers earlier requests before a 400', async () => {
    const reply = await sendAndRead(`${pipelined('before-400', 20)}\x01BAD\r\n\r\n`);
    expect(statusLines(reply)).toEqual([...Array.from({ length: 20 }, () => 'HTTP/1.1 200'), 'HTTP/1.1 400']);
    expect(store.list({ text: 'before-400' }).total).toBe(20);
  });

  it('answers an earlier request before a 431', async () => {
    const reply = await sendAndRead(`${pipelined('before-431', 1)}POST /second HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    expect(statusLines(reply)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 431']);
    expect(reply).toContain(`limit of ${HEADER_LIMIT} bytes`);
    expect(store.list({ text: 'before-431' }).total).toBe(1);
  });

  it('ignores data after Connection: close', async () => {
    const closing = 'POST /closing-last HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi';
    const reply = await sendAndRead(`${pipelined('before-close', 5)}${closing}GET /after-close HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(statusLines(reply)).toEqual(Array.from({ length: 6 }, () => 'HTTP/1.1 200'));
    expect(store.list({ text: 'before-close' }).total).toBe(5);
    expect(store.list({ text: 'after-close' }).total).toBe(0);
  });
});

describe('receiver logging of clients that reset', () => {
  let lines: { level: string; message: string }[];
  let receiver: Receiver;
  let store: DeliveryStore;

  beforeAll(async () => {
    lines = [];
    const record = (level: string) => (message: string) => lines.push({ level, message });
    store = new DeliveryStore({ dataDir: tempDir() });
    receiver = new Receiver({ port: 0, logger: { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') }, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
  });

  afterAll(async () => {
    await receiver.close();
    await store.close();
  });

  /** Sends `text`, then resets the connection instead of closing it. */
  function sendAndReset(text: string): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect(receiver.port, '127.0.0.1', () => {
        socket.write(text, () => setTimeout(() => socket.resetAndDestroy(), 50));
      });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
  }

  it('logs a reset within the headers at debug level', async () => {
    lines.length = 0;
    await sendAndReset('POST /in-headers HTTP/1.1\r\nHost: x\r\nContent-Le');
    await expect.poll(() => lines.map((line) => line.message)).toEqual(['receiver: client reset its connection']);
    expect(lines.map((line) => line.level)).toEqual(['debug']);
  });

  it('warns once about a body cut off by a reset', async () => {
    lines.length = 0;
    await sendAndReset('POST /in-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial');
    const notDebug = () => lines.filter((line) => line.level !== 'debug');
    await expect.poll(() => notDebug().map((line) => line.level)).toEqual(['warn']);
    expect(notDebug()[0]?.message).toMatch(/before the request body was complete; nothing stored/);
    expect(store.list().total).toBe(0);
  });
});

describe('receiver stop', () => {
  function newReceiver(persistDelayMs = 0): { receiver: Receiver; store: DeliveryStore; warnings: string[] } {
    const warnings: string[] = [];
    const store = new DeliveryStore({ dataDir: tempDir() });
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const persist = async (capture: Parameters<DeliveryStore['ingest']>[0]) => {
      await new Promise((wait) => setTimeout(wait, persistDelayMs));
      return store.ingest(capture);
    };
    return { receiver: new Receiver({ port: 0, logger, persist }), store, warnings };
  }

  it('closes a sender stalled mid-body after the grace time', async () => {
    const { receiver, store, warnings } = newReceiver();
    await receiver.listen();
    const socket = connect(receiver.port, '127.0.0.1');
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.write('POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nfour', () => resolve()));
    await new Promise((wait) => setTimeout(wait, 50));

    await receiver.close(200);
    await socketClosed;
    // The stalled request's own warning, that its body was cut off, may follow.
    expect(warnings[0]).toBe('receiver: closing connections still open at stop');
    expect(store.list().total).toBe(0);
    await store.close();
  });

  it('closes a connection that sent nothing at once', async () => {
    const { receiver, store, warnings } = newReceiver();
    await receiver.listen();
    // A tunnel client keeps such connections open, waiting for requests.
    const socket = connect(receiver.port, '127.0.0.1');
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));

    await receiver.close(10_000);
    await socketClosed;
    expect(warnings).toEqual([]);
    await store.close();
  });

  it('answers a request in progress before closing', async () => {
    const { receiver, store, warnings } = newReceiver(100);
    await receiver.listen();
    const status = new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: receiver.port, method: 'POST', path: '/in-progress' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end('body');
    });
    await new Promise((wait) => setTimeout(wait, 30));

    await receiver.close(5_000);
    expect(await status).toBe(200);
    expect(warnings).toEqual([]);
    expect(store.list().items.map((item) => item.path)).toEqual(['/in-progress']);
    await store.close();
  });
});

describe('receiver body limit', () => {
  it('keeps the connection after a 413', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      const socket = connect(receiver.port, '127.0.0.1');
      let reply = '';
      let error: Error | null = null;
      socket.on('data', (data) => {
        reply += data.toString('latin1');
      });
      socket.on('error', (failure) => {
        error = failure;
      });
      const replyContains = async (text: string): Promise<void> => {
        for (let attempt = 0; attempt < 200 && !reply.includes(text); attempt++) await new Promise((wait) => setTimeout(wait, 10));
        expect(reply).toContain(text);
      };
      await new Promise<void>((resolve) => socket.once('connect', resolve));

      socket.write(`POST /slow-big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n${'x'.repeat(1000)}`);
      await replyContains('413 Payload Too Large');
      // A receiver that closed after the 413 made the rest of the upload fail with a reset.
      socket.write('x'.repeat(1_999_000));
      socket.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
      await replyContains('200 OK');
      socket.end();

      expect(error).toBeNull();
      expect(store.list().items.map((item) => [item.path, item.truncated, item.size])).toEqual([
        ['/after', false, 0],
        ['/slow-big', true, 2_000_000],
      ]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('answers Expect: 100-continue by the limit', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      // Over the limit: the 413 comes instead of the 100, so the sender never uploads, and the connection closes.
      const over = await rawSend(receiver.port, ['POST /expect-big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n']);
      expect(over.reply).toMatch(/^HTTP\/1\.1 413 Payload Too Large/);
      expect(over.reply).not.toContain('100 Continue');
      expect(over.reply).toContain('limit of 1000 bytes');

      // Within the limit: the 100 comes first, then the body is read and stored.
      const socket = connect(receiver.port, '127.0.0.1');
      let reply = '';
      socket.on('data', (data) => {
        reply += data.toString('latin1');
      });
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write('POST /expect-small HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      for (let attempt = 0; attempt < 200 && !reply.includes('100 Continue'); attempt++) await new Promise((wait) => setTimeout(wait, 10));
      expect(reply).toMatch(/^HTTP\/1\.1 100 Continue/);
      socket.end('hello');
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      expect(reply).toContain('200 OK');

      expect(store.list().items.map((item) => [item.path, item.truncated, item.size])).toEqual([
        ['/expect-small', false, 5],
        ['/expect-big', true, 2_000_000],
      ]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('stores a request with another expectation', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const lines: string[] = [];
    const logger = { ...silentLogger, info: (message: string) => lines.push(message) };
    const receiver = new Receiver({ port: 0, logger, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      // Node responds 417 by default, which would leave no record and no log line.
      const { reply } = await rawSend(receiver.port, ['POST /odd-expect HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello']);
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);

      const [summary] = store.list().items;
      const stored = store.get(summary?.id ?? '');
      expect(stored?.path).toBe('/odd-expect');
      expect(stored?.headers).toContainEqual(['Expect', 'something-else']);
      expect(Buffer.from(stored?.body ?? []).toString()).toBe('hello');
      expect(lines).toEqual(['receiver: Expect value other than 100-continue ignored; the request is stored']);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('stores a request without Host', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      const { reply } = await rawSend(receiver.port, ['POST /no-host HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi']);
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(store.list().items.map((item) => [item.path, item.size])).toEqual([['/no-host', 2]]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('answers 503 over the limit when storing fails', async () => {
    const busy = Object.assign(new Error('The store is busy.'), { code: 'STORE_BUSY' });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: () => Promise.reject(busy) });
    await receiver.listen();
    try {
      const failed = new Promise<void>((resolve) => receiver.once('storeFailed', () => resolve()));
      // Before, the connection was destroyed once storing failed, and the rest of the upload met a reset.
      const { reply, error } = await uploadThenRead(receiver.port, 'POST /busy-big HTTP/1.1\r\nHost: x\r\nConnection: close', failed);

      expect(error).toBeNull();
      expect(reply).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(reply).toMatch(/Retry-After: 5/i);
      expect(reply).toContain('busy storing earlier deliveries');
    } finally {
      await receiver.close();
    }
  });

  it('answers 413 to a closing sender that reads last', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      // Both ask the server to close the connection after its response. Such a sender may read
      // only after uploading, so a socket closed during the upload resets and the 413 is lost.
      for (const requestHead of ['POST /closing HTTP/1.1\r\nHost: x\r\nConnection: close', 'POST /http-1-0 HTTP/1.0\r\nHost: x']) {
        const stored = new Promise<void>((resolve) => receiver.once('delivery', () => resolve()));
        const { reply, error } = await uploadThenRead(receiver.port, requestHead, stored);

        expect(error).toBeNull();
        expect(reply).toMatch(/^HTTP\/1\.1 413 Payload Too Large/);
        expect(reply).toContain('limit of 1000 bytes');
      }
      expect(store.list().items.map((item) => [item.path, item.truncated])).toEqual([
        ['/http-1-0', true],
        ['/closing', true],
      ]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('records the size of a chunked body over the limit', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      // Ten chunks of 500 bytes. Before, the size recorded was 1500, where the limit was passed.
      const chunks = Array.from({ length: 10 }, () => `1f4\r\n${'c'.repeat(500)}\r\n`).join('');
      const reply = await rawExchange(receiver.port, [`POST /chunked-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`]);

      expect(reply).toMatch(/^HTTP\/1\.1 413 Payload Too Large/);
      expect(reply).toContain('limit of 1000 bytes');
      expect(store.list().items.map((item) => [item.path, item.truncated, item.size])).toEqual([['/chunked-big', true, 5000]]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('answers 503 over the memory cap', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let waiting = 0;
    const persist = async (capture: Capture) => {
      if (capture.path.startsWith('/held/')) {
        waiting += 1;
        await gate;
      }
      return store.ingest(capture);
    };
    const receiver = new Receiver({ port: 0, logger, bodyLimit: 1000, maxBodyBytesInMemory: 2000, persist });
    await receiver.listen();
    try {
      // Two bodies of 1000 bytes wait for the store and fill the cap of 2000 bytes.
      const heldPosts = [postBytes(receiver.port, '/held/1', {}, Buffer.alloc(1000, 'a')), postBytes(receiver.port, '/held/2', {}, Buffer.alloc(1000, 'b'))];
      await expect.poll(() => waiting).toBe(2);

      const over = await rawExchange(receiver.port, [`POST /over HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n${'c'.repeat(1000)}`]);
      expect(over).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(over).toMatch(/Retry-After: 5/i);
      expect(over).toContain('busy receiving other deliveries');

      const chunked = await rawExchange(receiver.port, ['POST /over-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n258\r\n', `${'d'.repeat(600)}\r\n0\r\n\r\n`]);
      expect(chunked).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);

      // A sender waiting for 100 Continue gets the 503 instead and uploads nothing.
      const expecting = await rawExchange(receiver.port, ['POST /over-expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n']);
      expect(expecting).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(expecting).not.toContain('100 Continue');

      openGate();
      expect(await Promise.all(heldPosts)).toEqual([200, 200]);
      expect(await postBytes(receiver.port, '/after', {}, Buffer.alloc(1000, 'e'))).toBe(200);

      const recorded = store.list().items.map((item) => [item.path, item.truncated, item.size]);
      expect(recorded).toContainEqual(['/over', true, 1000]);
      expect(recorded).toContainEqual(['/over-chunked', true, 600]);
      expect(recorded).toContainEqual(['/over-expect', true, 500]);
      expect(recorded).toContainEqual(['/after', false, 1000]);
      expect(warnings).toEqual(['receiver: request bodies in memory reached the cap; responding 503']);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('records why a body was not stored', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let waiting = 0;
    const persist = async (capture: Capture) => {
      if (capture.path.startsWith('/held/')) {
        waiting += 1;
        await gate;
      }
      return store.ingest(capture);
    };
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, maxBodyBytesInMemory: 2000, persist });
    // The lines hooktray listen prints for the deliveries the receiver reports.
    const lines = new Map<string, string>();
    receiver.on('delivery', (delivery) => lines.set(delivery.path, formatDeliveryLine(delivery)));
    await receiver.listen();
    try {
      // Two bodies of 1000 bytes wait for the store and fill the cap of 2000 bytes.
      const heldPosts = [postBytes(receiver.port, '/held/1', {}, Buffer.alloc(1000, 'a')), postBytes(receiver.port, '/held/2', {}, Buffer.alloc(1000, 'b'))];
      await expect.poll(() => waiting).toBe(2);
      expect(await postBytes(receiver.port, '/busy', {}, Buffer.alloc(800, 'c'))).toBe(503);
      const chunked = await rawExchange(receiver.port, ['POST /busy-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n258\r\n', `${'d'.repeat(600)}\r\n0\r\n\r\n`]);
      expect(chunked).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      openGate();
      expect(await Promise.all(heldPosts)).toEqual([200, 200]);
      expect(await postBytes(receiver.port, '/too-big', {}, Buffer.alloc(1500, 'e'))).toBe(413);

      // list() reads the stored rows, so the reasons come from the database.
      const items = store.list().items;
      const reasons = items.map((item) => [item.path, item.truncated, item.truncatedReason]);
      expect(reasons).toContainEqual(['/busy', true, 'memory-cap']);
      expect(reasons).toContainEqual(['/busy-chunked', true, 'memory-cap']);
      expect(reasons).toContainEqual(['/too-big', true, 'body-limit']);
      expect(reasons).toContainEqual(['/held/1', false, null]);

      const busy = items.find((item) => item.path === '/busy');
      if (busy === undefined) throw new Error('The store has no delivery for /busy.');
      expect(busy.verdict.status).toBe('unverified');
      expect(busy.verdict.reason).toContain('Hooktray already held its maximum of request bodies in memory');
      expect(busy.verdict.reason).toContain('No setting needs to change');
      expect(busy.verdict.reason).not.toContain('body limit');
      expect(items.find((item) => item.path === '/too-big')?.verdict.reason).toContain('raise the body limit');

      expect(lines.get('/busy')).toContain('[busy receiving other deliveries: not stored, answered 503]');
      expect(lines.get('/busy')).not.toContain('413');
      expect(lines.get('/busy-chunked')).toContain('[busy receiving other deliveries: not stored, answered 503]');
      expect(lines.get('/too-big')).toContain('[over the body limit: not stored, answered 413]');
      expect(lines.get('/held/1')).not.toContain('not stored');
      expect(formatDeliveryLine(busy)).toBe(lines.get('/busy'));
    } finally {
      openGate();
      await receiver.close();
      await store.close();
    }
  });

  it('keeps a decoded body within the limit', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const decodedBodies: Uint8Array[] = [];
    const persist = (capture: Capture) => {
      if (capture.decodedBody !== null) decodedBodies.push(capture.decodedBody);
      return store.ingest(capture);
    };
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist });
    await receiver.listen();
    try {
      // About 100 bytes that decode to 16 MiB. Before, the whole decoded copy was stored.
      const bomb = gzipSync(gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }), { level: 9 });
      const fits = gzipSync(gzipSync(Buffer.alloc(1000, 'a')));
      expect(await postBytes(receiver.port, '/bomb', { 'Content-Encoding': 'gzip, gzip' }, bomb)).toBe(200);
      expect(await postBytes(receiver.port, '/fits', { 'Content-Encoding': 'gzip, gzip' }, fits)).toBe(200);

      const [bombSummary] = store.list({ text: 'bomb' }).items;
      const stored = store.get(bombSummary?.id ?? '');
      expect(stored?.truncated).toBe(false);
      expect(stored?.size).toBe(bomb.length);
      expect(Buffer.from(stored?.body ?? []).equals(bomb)).toBe(true);
      expect(stored?.decodedBody).toBeNull();
      expect(stored?.decodeError).toContain('gives more than 1000 bytes, the body limit, so only the body as received is stored.');
      expect(stored?.decodeError).toContain('Set a larger bodyLimit');

      const [fitsSummary] = store.list({ text: 'fits' }).items;
      const decoded = store.get(fitsSummary?.id ?? '');
      expect(decoded?.decodeError).toBeNull();
      expect(Buffer.from(decoded?.decodedBody ?? []).equals(Buffer.alloc(1000, 'a'))).toBe(true);
      // zlib returns a view of its larger output buffer, and the writer thread would get a copy of all of it.
      expect(decodedBodies.map((bytes) => bytes.buffer.byteLength)).toEqual([1000]);
    } finally {
      await receiver.close();
      await store.close();
    }
  });

  it('leaves MiB out of a limit under one MiB', async () => {
    const store = new DeliveryStore({ dataDir: tempDir() });
    const receiver = new Receiver({ port: 0, logger: silentLogger, bodyLimit: 1000, persist: (capture) => store.ingest(capture) });
    await receiver.listen();
    try {
      const reply = await rawExchange(receiver.port, [`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n${'x'.repeat(2000)}`]);
      expect(reply).toMatch(/^HTTP\/1\.1 413/);
      expect(reply).toContain('limit of 1000 bytes. Set a larger bodyLimit');
    } finally {
      await receiver.close();
      await store.close();
    }
  });
});
