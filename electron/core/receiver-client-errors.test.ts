import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from './logger';
import { ClientErrorHandler, MAX_UNUSED_CONNECTIONS, PendingResponses } from './receiver-client-errors';

interface LogLine {
  level: string;
  message: string;
}

/** Starts a server on 127.0.0.1 that never responds to /stuck and responds 200 to every other path. */
async function startServer(pendingTimeoutMs: number, serverOptions: http.ServerOptions = {}, unusedConnectionMs?: number): Promise<{ server: http.Server; port: number; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const record = (level: string) => (message: string) => lines.push({ level, message });
  const logger: Logger = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') };
  const pending = new PendingResponses();
  const handler = new ClientErrorHandler(logger, pending, { headerLimit: 1024, pendingTimeoutMs, ...(unusedConnectionMs === undefined ? {} : { unusedConnectionMs }) });
  const server = http.createServer({ maxHeaderSize: 1024, ...serverOptions }, (request, response) => {
    pending.track(request.socket, response);
    request.resume();
    if (request.url !== '/stuck') request.on('end', () => response.end('ok'));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => handler.handle(error, socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, lines };
}

/** Opens a connection, waits `idleMs` without sending, then sends `text` and resolves with what was read until the server closes. */
function sendAfterIdle(port: number, idleMs: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => setTimeout(() => socket.write(text), idleMs));
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      // One response is all these requests get, so the client closes after it.
      if (reply.includes('\r\n\r\n')) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

/** Sends `text` without half-closing and resolves with everything read until the server closes. */
function sendAndRead(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

describe('ClientErrorHandler', () => {
  let server: http.Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('closes after a request left without response', async () => {
    const started = await startServer(200);
    server = started.server;

    const reply = await sendAndRead(started.port, 'POST /stuck HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi\x01BAD\r\n\r\n');

    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(started.lines.map((line) => line.message)).toEqual([
      'receiver: request with a method the HTTP parser does not accept rejected; nothing stored',
      'receiver: earlier requests on a connection got no response in time; closing it',
    ]);
  });

  it('sends 431 after earlier responses', async () => {
    const started = await startServer(30_000);
    server = started.server;

    const reply = await sendAndRead(started.port, `POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /second HTTP/1.1\r\nX-Long: ${'a'.repeat(2048)}\r\n\r\n`);

    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).toContain('HTTP/1.1 431 Request Header Fields Too Large');
    expect(reply).toContain('limit of 1024 bytes');
    expect(started.lines.map((line) => line.message)).toEqual(['receiver: request headers over the limit rejected; nothing stored']);
  });

  it('names a body cut short by the client', async () => {
    const started = await startServer(200);
    server = started.server;

    // The client announces 100 bytes, sends 5 and ends its side of the connection.
    await new Promise<void>((resolve) => {
      const socket = connect(started.port, '127.0.0.1', () => socket.end('POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhello'));
      socket.on('error', () => {});
      socket.on('close', () => resolve());
      socket.resume();
    });

    // The server logs when it reads the end of the connection, which can come after the client's close.
    for (let waited = 0; started.lines.length === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const messages = started.lines.map((line) => line.message);
    expect(messages).toContain('receiver: connection closed before the request body was complete; nothing stored');
    expect(messages).not.toContain('receiver: malformed request rejected');
  });

  it('logs a flood of timeouts once', async () => {
    const started = await startServer(30_000, { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    server = started.server;

    // Five clients that never finish their headers, as in a slowloris attack.
    const replies = await Promise.all(Array.from({ length: 5 }, () => sendAndRead(started.port, 'POST /slow HTTP/1.1\r\nHost: x\r\n')));

    expect(replies.every((reply) => reply.startsWith('HTTP/1.1 408 Request Timeout'))).toBe(true);
    expect(started.lines.map((line) => line.message)).toEqual(['receiver: request timed out before it was complete; sending 408, nothing stored']);
  });

  it('keeps an unused connection past the header timeout', async () => {
    const started = await startServer(30_000, { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    server = started.server;

    // A tunnel client opens its connections before any request arrives over them.
    const reply = await sendAfterIdle(started.port, 800, 'POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi');

    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).not.toContain('408');
    expect(started.lines.map((line) => line.message)).toEqual(['receiver: connection has sent nothing yet; kept open for a later request']);
  });

  it('times a request that starts late', async () => {
    const started = await startServer(30_000, { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    server = started.server;

    const reply = await sendAfterIdle(started.port, 800, 'POST /slow HTTP/1.1\r\nHost: x\r\n');

    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('closes an unused connection after its own limit', async () => {
    const started = await startServer(30_000, { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 }, 300);
    server = started.server;

    const reply = await new Promise<string>((resolve) => {
      const socket = connect(started.port, '127.0.0.1');
      let text = '';
      socket.on('data', (data) => {
        text += data.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });

    expect(reply).toBe('');
  });

  it('keeps at most the cap of unused connections', async () => {
    const started = await startServer(30_000, { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    server = started.server;
    const extra = 4;

    const sockets = await Promise.all(
      Array.from({ length: MAX_UNUSED_CONNECTIONS + extra }, () => new Promise<Socket>((resolve) => {
        const socket = connect(started.port, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => {});
      })),
    );
    const closed = sockets.map((socket) => new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    }));

    expect((await Promise.all(closed)).filter((wasClosed) => wasClosed)).toHaveLength(extra);
    expect(started.lines.filter((line) => line.message === 'receiver: too many connections that sent nothing; closing the newest')).toHaveLength(1);
    for (const socket of sockets) socket.destroy();
  });
});
