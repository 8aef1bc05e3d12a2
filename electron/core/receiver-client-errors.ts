import http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger';
import { RepeatLog } from './repeat-log';

/**
 * Time, in ms, that the requests already read from a connection get for their responses after
 * the next request on it turned out malformed. Then the error response goes out and the
 * connection closes, so a store that never commits cannot hold the connection open.
 */
export const PENDING_RESPONSES_MS = 30_000;

/**
 * Time, in ms, that a connection stays open after its error response. Meanwhile the rest of
 * what the client sends is read and discarded. Closing at once would reset the connection
 * while data is unread, and a client can then lose the responses it has not read yet.
 */
const CLOSE_AFTER_ERROR_MS = 1_000;

/**
 * Time, in ms, that a connection which has sent no byte stays open after the header timeout.
 * The tunnel client opens its connections to the receiver ahead of any request and keeps them
 * idle, so closing them often would make a request that the tunnel server sends just then fail.
 */
export const UNUSED_CONNECTION_MS = 10 * 60_000;

/**
 * Connections that have sent nothing kept open at once. A tunnel client opens at most 32, so
 * beyond this many the connections come from elsewhere, and one that times out is closed as
 * before, so a local process cannot hold the receiver's file descriptors for minutes.
 */
export const MAX_UNUSED_CONNECTIONS = 256;

/**
 * Counts the responses each connection still owes. A client may pipeline several requests,
 * and Node sends their responses in order, so an error response must wait for them.
 */
export class PendingResponses {
  private readonly counts = new WeakMap<Socket, number>();
  private readonly idleCallbacks = new WeakMap<Socket, () => void>();

  track(socket: Socket, response: http.ServerResponse): void {
    this.counts.set(socket, (this.counts.get(socket) ?? 0) + 1);
    let done = false;
    const settle = (): void => {
      if (done) return;
      done = true;
      const left = (this.counts.get(socket) ?? 1) - 1;
      this.counts.set(socket, left);
      if (left === 0) this.idleCallbacks.get(socket)?.();
    };
    response.once('finish', settle);
    response.once('close', settle);
  }

  /**
   * Resolves with true once every response tracked on `socket` is written, or with false after
   * `timeoutMs` or when the connection closes first.
   */
  whenIdle(socket: Socket, timeoutMs: number): Promise<boolean> {
    if ((this.counts.get(socket) ?? 0) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (idle: boolean): void => {
        clearTimeout(timer);
        socket.off('close', onClose);
        this.idleCallbacks.delete(socket);
        resolve(idle);
      };
      const onClose = (): void => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      socket.once('close', onClose);
      this.idleCallbacks.set(socket, () => finish(true));
    });
  }
}

type ClientErrorKind = 'timeout' | 'header-overflow' | 'invalid-method' | 'closed-early' | 'malformed' | 'connect';

function clientErrorKind(error: NodeJS.ErrnoException): ClientErrorKind {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'header-overflow';
  if (error.code === 'HPE_INVALID_METHOD') return 'invalid-method';
  // The client ended its side of the connection before the body it announced was complete.
  if (error.code === 'HPE_INVALID_EOF_STATE') return 'closed-early';
  return 'malformed';
}

/**
 * Methods the receiver accepts: those of Node's HTTP parser (llhttp) but CONNECT. The parser
 * rejects any other name, and any name not in upper case, before the receiver gets the request.
 */
export const ACCEPTED_METHODS: readonly string[] = http.METHODS.filter((method) => method !== 'CONNECT');

/**
 * Responds to what Node's HTTP parser rejects, the `clientError` event: malformed requests,
 * methods it does not know, headers over the limit and clients too slow to send a request.
 * Requests read from the same connection before the faulty one get their responses first.
 * Also rejects CONNECT requests.
 */
export class ClientErrorHandler {
  /** Connections whose error is being handled; Node reports the error again for each later read. */
  private readonly handling = new WeakSet<Socket>();
  /** Connections kept open after their header timeout, which have sent nothing yet. */
  private readonly unused = new Set<Socket>();
  private readonly unusedCapLog = new RepeatLog();
  /** A slowloris attack or a scan times out or fails hundreds of requests at once, so repeats are counted. */
  private readonly repeats: Record<ClientErrorKind, RepeatLog> = {
    timeout: new RepeatLog(),
    'header-overflow': new RepeatLog(),
    'invalid-method': new RepeatLog(),
    'closed-early': new RepeatLog(),
    malformed: new RepeatLog(),
    connect: new RepeatLog(),
  };

  private readonly headerLimit: number;
  private readonly pendingTimeoutMs: number;
  private readonly unusedConnectionMs: number;

  constructor(
    private readonly logger: Logger,
    private readonly pending: PendingResponses,
    { headerLimit, pendingTimeoutMs = PENDING_RESPONSES_MS, unusedConnectionMs = UNUSED_CONNECTION_MS }: { headerLimit: number; pendingTimeoutMs?: number; unusedConnectionMs?: number },
  ) {
    this.headerLimit = headerLimit;
    this.pendingTimeoutMs = pendingTimeoutMs;
    this.unusedConnectionMs = unusedConnectionMs;
  }

  handle(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET') {
      // The client reset its connection, often between requests, so no response can be sent.
      this.logger.debug('receiver: client reset its connection', { remote: socket.remoteAddress });
      socket.destroy();
      return;
    }
    if (this.handling.has(socket)) return;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0) {
      this.keepUnused(socket);
      return;
    }
    this.handling.add(socket);

    this.log(error, socket);
    // A request that timed out is itself among the pending ones, and waiting would let it go on.
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      this.respond(error, socket);
      return;
    }
    void this.pending.whenIdle(socket, this.pendingTimeoutMs).then((idle) => {
      if (!idle && !socket.destroyed) this.logger.warn('receiver: earlier requests on a connection got no response in time; closing it', { remote: socket.remoteAddress, waitedMs: this.pendingTimeoutMs });
      this.respond(error, socket);
    });
  }

  /**
   * Keeps open a connection that timed out before sending anything. A 408 written there would
   * become the response to the first request that a tunnel server sends over it later. Node
   * stops timing the connection once it reported the timeout, and starts again with the first
   * request, so the connection gets its own, longer limit here.
   */
  private keepUnused(socket: Socket): void {
    // Node's parser reads the socket itself, without 'data' events, so bytesRead shows which ones have sent a request since.
    for (const kept of this.unused) if (kept.bytesRead > 0) this.unused.delete(kept);
    if (this.unused.size >= MAX_UNUSED_CONNECTIONS) {
      const count = this.unusedCapLog.next();
      if (count !== null) this.logger.warn('receiver: too many connections that sent nothing; closing the newest', { kept: this.unused.size, count });
      socket.destroy();
      return;
    }
    this.logger.debug('receiver: connection has sent nothing yet; kept open for a later request', { remote: socket.remoteAddress });
    this.unused.add(socket);
    socket.once('close', () => this.unused.delete(socket));
    socket.setTimeout(this.unusedConnectionMs, () => {
      if (socket.bytesRead === 0) socket.destroy();
      else socket.setTimeout(0);
    });
  }


  /**
   * Rejects a CONNECT request, the `connect` event, with 405. Node hands its connection over
   * as a raw socket and, without a listener, closes it with no response at all.
   */
  handleConnect(request: http.IncomingMessage, socket: Socket): void {
    const count = this.repeats.connect.next();
    if (count !== null) this.logger.warn('receiver: CONNECT request rejected with 405; Hooktray is not a proxy', { target: request.url?.slice(0, 200), remote: socket.remoteAddress, count });

    socket.on('error', () => {});
    // Anything the client sends next, such as the start of a tunneled TLS handshake, is discarded.
    socket.resume();
    const body = JSON.stringify({ error: 'Hooktray receives webhooks and is not a proxy, so it rejects CONNECT. Send the webhook with another method, such as POST.' });
    const allow = ACCEPTED_METHODS.join(', ');
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${allow}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), CLOSE_AFTER_ERROR_MS).unref();
  }

  private log(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'HPE_CLOSED_CONNECTION') {
      // The client sent more after a request with `Connection: close`, whose response closes the connection.
      this.logger.debug('receiver: data after a Connection: close request ignored', { remote: socket.remoteAddress });
      return;
    }
    const kind = clientErrorKind(error);
    const count = this.repeats[kind].next();
    if (count === null) return;

    const context = { code: error.code, remote: socket.remoteAddress, count };
    if (kind === 'timeout') this.logger.warn('receiver: request timed out before it was complete; sending 408, nothing stored', context);
    else if (kind === 'header-overflow') this.logger.warn('receiver: request headers over the limit rejected; nothing stored', { ...context, headerLimit: this.headerLimit });
    else if (kind === 'invalid-method') this.logger.warn('receiver: request with a method the HTTP parser does not accept rejected; nothing stored', context);
    else if (kind === 'closed-early') this.logger.warn('receiver: connection closed before the request body was complete; nothing stored', context);
    else this.logger.warn('receiver: malformed request rejected', context);
  }

  private respond(error: NodeJS.ErrnoException, socket: Socket): void {
    const response = error.code === 'HPE_CLOSED_CONNECTION' ? '' : this.errorResponse(error);
    if (socket.writable && !socket.destroyed) socket.end(response);
    setTimeout(() => socket.destroy(), CLOSE_AFTER_ERROR_MS).unref();
  }

  private errorResponse(error: NodeJS.ErrnoException): string {
    let status = '400 Bad Request';
    let body = '';
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = '408 Request Timeout';
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      status = '431 Request Header Fields Too Large';
      body = JSON.stringify({ error: `The request line and headers exceed Hooktray's limit of ${this.headerLimit} bytes; send fewer or shorter headers.` });
    } else if (error.code === 'HPE_INVALID_METHOD') {
      body = JSON.stringify({ error: `The request method is not one that Hooktray accepts. Send one of these, in upper case: ${ACCEPTED_METHODS.join(', ')}.` });
    }
    const type = body === '' ? '' : 'Content-Type: application/json\r\n';
    return `HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
}
