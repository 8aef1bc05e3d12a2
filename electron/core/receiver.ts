import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DeliverySummary } from './contract';
import { ContentDecoder } from './content-encoding';
import type { Capture } from './ingest';
import { findRawHeader, joinRawHeader } from './headers';
import type { Logger } from './logger';
import type { ReadResult, Reservation } from './receiver-body';
import { BodyMemory, ownMemory, planBody, readBody } from './receiver-body';
import { ClientErrorHandler, PendingResponses, UNUSED_CONNECTION_MS } from './receiver-client-errors';
import type { GuardOptions } from './receiver-guard';
import { clientKey, ReceiverGuard } from './receiver-guard';
import { RepeatLog } from './repeat-log';
import { UlidGenerator } from './ulid';

/** Reserved path prefix for tunnel health probes; requests under it are never stored. */
export const PROBE_PATH_PREFIX = '/__hooktray/probe/';

/** Response header naming the stored delivery, so a sender can find what it posted. */
export const DELIVERY_ID_HEADER = 'X-Hooktray-Delivery';

export const DEFAULT_BODY_LIMIT = 25 * 1024 * 1024;

/**
 * Bytes allowed for the request line and headers together. Beyond it the receiver responds 431.
 * Node's default is 16 KiB, and a provider's long tokens or many headers can exceed that.
 */
export const HEADER_LIMIT = 64 * 1024;

/** Time a stop waits for requests in progress before it closes their connections, in ms. */
export const STOP_GRACE_MS = 5_000;

/**
 * Time, in ms, that the rest of an upload over the body limit may take. A body whose
 * `Content-Length` is over the limit gets the 413 at once, and the rest is read meanwhile. A
 * chunked body is read to its end before the 413, so its record has the size received. The
 * bytes are discarded. Closing at once would make the socket reply to them with a reset, and a
 * sender still uploading could miss the 413.
 */
export const OVER_LIMIT_DRAIN_MS = 10_000;

/**
 * Bodies decoded at once. Each holds up to bodyLimit decoded bytes, and decoding runs on
 * libuv's thread pool, which has 4 threads unless UV_THREADPOOL_SIZE sets another number.
 */
export const DECODE_CONCURRENCY = 2;

/**
 * Default cap on the bytes of request bodies held in memory, from the first byte read (or the
 * `Content-Length`) until the store commits them. A request that would pass it gets 503 with
 * Retry-After, so many concurrent uploads cannot exhaust memory. 256 MiB is the same bound as
 * the store's write queue.
 */
export const MAX_BODY_BYTES_IN_MEMORY = 256 * 1024 * 1024;

/** Retry-After, in seconds, of the 503 sent while the store's write queue or the receiver's memory is over its bound. */
export const BUSY_RETRY_AFTER_S = 5;

/** What the receiver answers to every stored delivery. Spike requires exactly 200 within 30 s. */
export interface ResponseSettings {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Delay before answering, in ms, to test a provider's timeout handling. */
  delayMs: number;
}

export const DEFAULT_RESPONSE: ResponseSettings = {
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  body: '{"received":true}',
  delayMs: 0,
};

export interface ReceiverOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  host?: string;
  bodyLimit?: number;
  /** Bytes of request bodies held in memory at once, across all requests. A value under bodyLimit counts as bodyLimit. */
  maxBodyBytesInMemory?: number;
  response?: ResponseSettings;
  /** Time allowed for the request headers, in ms. */
  headersTimeoutMs?: number;
  /** Time allowed for the whole request, headers and body, in ms. */
  requestTimeoutMs?: number;
  logger: Logger;
  /** Verifies and stores a capture. The receiver responds only after the returned promise resolves. */
  persist: (capture: Capture) => Promise<DeliverySummary>;
  /** Path token and rate limit; both off when absent. */
  guard?: GuardOptions;
}

export interface ReceiverEvents {
  delivery: [DeliverySummary];
  /** Storing a delivery failed and the sender got 503; STORE_BUSY errors are back-pressure. */
  storeFailed: [id: string, error: unknown];
  probe: [nonce: string, request: http.IncomingMessage];
}

/**
 * The HTTP receiver the tunnel exposes: accepts the methods of ACCEPTED_METHODS on any path,
 * records the request exactly as received, and responds once the store has committed it.
 */
export class Receiver extends EventEmitter<ReceiverEvents> {
  private readonly server: http.Server;
  private readonly options: Required<Omit<ReceiverOptions, 'persist' | 'logger' | 'guard'>> & Pick<ReceiverOptions, 'persist' | 'logger'>;
  /** Path token and rate limit, with the counts of what they rejected. */
  readonly guard: ReceiverGuard;
  private readonly ids = new UlidGenerator();
  private readonly decoder: ContentDecoder;
  private readonly pending = new PendingResponses();
  private readonly memory: BodyMemory;
  private readonly memoryCapLog = new RepeatLog();
  private readonly unknownExpectationLog = new RepeatLog();
  private storeFailures = 0;
  /** Open connections, so a stop can close those that have sent nothing. */
  private readonly connections = new Set<Socket>();

  constructor(options: ReceiverOptions) {
    super();
    this.options = {
      host: '127.0.0.1',
      bodyLimit: DEFAULT_BODY_LIMIT,
      maxBodyBytesInMemory: MAX_BODY_BYTES_IN_MEMORY,
      response: DEFAULT_RESPONSE,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 120_000,
      ...options,
    };
    this.guard = new ReceiverGuard(options.guard ?? { pathToken: null, rateLimitPerSecond: 0 });
    // One body at the limit always fits when nothing else is held.
    this.memory = new BodyMemory(Math.max(this.options.maxBodyBytesInMemory, this.options.bodyLimit));
    // A few hundred compressed bytes can decode to gigabytes, so the decoded copy gets the body limit too.
    const raiseLimit = `Set a larger bodyLimit in the --config file of hooktray listen or hooktray ui to store it decoded as well`;
    this.decoder = new ContentDecoder({ maxBytes: this.options.bodyLimit, description: `the body limit, so only the body as received is stored. ${raiseLimit}` }, DECODE_CONCURRENCY);
    this.server = http.createServer(
      {
        headersTimeout: this.options.headersTimeoutMs,
        requestTimeout: this.options.requestTimeoutMs,
        // Tunnel connections idle between requests, and one closed just as the tunnel server
        // sends a request over it fails that request, so they stay open as long as unused ones.
        keepAliveTimeout: UNUSED_CONNECTION_MS,
        maxHeaderSize: HEADER_LIMIT,
        // Node rejects an HTTP/1.1 request without Host with its own 400, before the receiver
        // sees it. An inspector records it like any other request.
        requireHostHeader: false,
        // Node checks both timeouts only this often (30 s by default), so slow clients would linger.
        connectionsCheckingInterval: Math.min(1_000, this.options.headersTimeoutMs),
      },
      (request, response) => {
        this.pending.track(request.socket, response);
        this.handle(request, response).catch((error: unknown) => {
          this.options.logger.error('receiver: request handler failed', { path: this.guard.redact(request.url ?? '/'), error: String(error) });
          if (!response.headersSent) answer(response, 500, { error: 'Hooktray failed to handle the request; see its log.' });
        });
      },
    );
    // A sender that sends `Expect: 100-continue`, as curl does for bodies over 1 MiB, waits for
    // the 100 before it uploads. A body that will not be read gets the 413 or 503 instead.
    this.server.on('checkContinue', (request: http.IncomingMessage, response: http.ServerResponse) => {
      expectsContinue.add(request);
      this.server.emit('request', request, response);
    });
    // RFC 9110 allows a 417 for an expectation other than 100-continue, which Node sends by
    // default. An inspector records the request instead, so the sender's Expect header shows.
    this.server.on('checkExpectation', (request: http.IncomingMessage, response: http.ServerResponse) => {
      const count = this.unknownExpectationLog.next();
      if (count !== null) this.options.logger.info('receiver: Expect value other than 100-continue ignored; the request is stored', { expect: request.headers.expect?.slice(0, 200), count });
      this.server.emit('request', request, response);
    });
    // The response goes out only after the store commits, and by default Node closes the
    // socket on the client's FIN. This keeps it open, so a sender that half-closes still gets it.
    // NOTE: `httpAllowHalfOpen` is an undocumented property of node:http's Server (Node 20).
    (this.server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    // By default Node keeps only the first 2,000 header lines and drops the rest silently. The
    // header size limit (431 beyond it) bounds them instead, so every header received is stored.
    this.server.maxHeadersCount = 0;
    // Requests read before a malformed one on the same connection get their responses first.
    const clientErrors = new ClientErrorHandler(this.options.logger, this.pending, { headerLimit: HEADER_LIMIT });
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => clientErrors.handle(error, socket));
    this.server.on('connect', (request: http.IncomingMessage, socket: Socket) => clientErrors.handleConnect(request, socket));
    this.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /** Starts listening and resolves with the bound port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get localUrl(): string {
    return `http://${this.options.host}:${this.port}`;
  }

  /** Replaces the answer sent to deliveries from now on. */
  setResponse(response: ResponseSettings): void {
    this.options.response = response;
  }

  /**
   * Stops accepting connections and waits for the requests in progress. After `graceMs`, the
   * connections still open are closed, so a sender that stalls mid-body cannot hold up a stop.
   */
  async close(graceMs = STOP_GRACE_MS): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A keep-alive connection becomes idle once its response is out, so it is closed then, not after keepAliveTimeout.
    // Node does not count a connection that has sent nothing as idle, such as the tunnel's, so those are closed here.
    const idleSweep = setInterval(() => {
      this.server.closeIdleConnections();
      for (const socket of this.connections) if (socket.bytesRead === 0) socket.destroy();
    }, 25);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    clearInterval(idleSweep);
    if (outcome === 'late') {
      const open = await new Promise<number>((resolve) => this.server.getConnections((_error, count) => resolve(count)));
      this.options.logger.warn('receiver: closing connections still open at stop', { connections: open, graceMs });
      this.server.closeAllConnections();
      await closed;
    }
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const receivedAtMs = Date.now();
    const monotonicNs = process.hrtime.bigint().toString();
    const path = request.url ?? '/';

    if (path.startsWith(PROBE_PATH_PREFIX)) {
      request.resume();
      this.emit('probe', path.slice(PROBE_PATH_PREFIX.length).split('?', 1)[0] ?? '', request);
      answer(response, 200, { probe: true });
      return;
    }

    const storedPath = this.checkGuard(request, response, path);
    if (storedPath === null) return;

    const reservation = this.memory.reservation();
    let outcome: StoreOutcome | null;
    try {
      outcome = await this.receive(request, response, storedPath, reservation, { receivedAtMs, monotonicNs });
    } finally {
      // The store has the body now, or it was rejected, so the receiver no longer counts it.
      reservation.release();
    }
    if (outcome !== null) await this.respond(request, response, outcome);
  }

  /**
   * Reads the body, decodes it and stores the capture. Returns null when the request ended
   * before its body was complete, which is not stored.
   */
  private async receive(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    storedPath: string,
    reservation: Reservation,
    arrival: { receivedAtMs: number; monotonicNs: string },
  ): Promise<StoreOutcome | null> {
    const plan = planBody(findRawHeader(request.rawHeaders, 'content-length'), this.options.bodyLimit, reservation);
    // A sender waiting for 100 Continue uploads nothing unless it gets it.
    if (expectsContinue.has(request)) {
      if (plan.cutOff === null) response.writeContinue();
      else continueWithheld.add(request);
    }
    if (plan.cutOff === 'memory-cap') this.reportMemoryCap();

    let body: ReadResult;
    try {
      body = await readBody(request, plan, { limit: this.options.bodyLimit, reservation, drainMs: OVER_LIMIT_DRAIN_MS });
    } catch (error) {
      // No complete request arrived, so none is stored. The sender gets a connection error and may retry.
      this.options.logger.warn('receiver: connection closed before the request body was complete; nothing stored', {
        method: request.method,
        path: this.guard.redact(storedPath),
        error: String(error),
      });
      return null;
    }
    if (plan.cutOff === null && body.cutOff === 'memory-cap') this.reportMemoryCap();

    // Several Content-Encoding lines form one list of codings, in the order applied.
    const contentEncoding = joinRawHeader(request.rawHeaders, 'content-encoding')?.trim().toLowerCase() || null;
    // Decoded here, not on the writer thread, so the store's bound on queued bytes counts the result.
    const decoded = body.cutOff !== null || contentEncoding === null ? { bytes: null, error: null } : await this.decoder.decode(body.bytes, contentEncoding);
    if (decoded.bytes !== null) reservation.add(decoded.bytes.byteLength);
    const capture: Capture = {
      id: this.ids.next(arrival.receivedAtMs),
      receivedAtMs: arrival.receivedAtMs,
      monotonicNs: arrival.monotonicNs,
      method: request.method ?? 'GET',
      path: storedPath,
      httpVersion: request.httpVersion,
      remoteAddress: request.socket.remoteAddress ?? null,
      rawHeaders: request.rawHeaders,
      size: body.size,
      truncated: body.cutOff !== null,
      truncatedReason: body.cutOff,
      body: body.bytes,
      contentEncoding,
      decodedBody: decoded.bytes === null ? null : ownMemory(decoded.bytes),
      decodeError: decoded.error,
    };

    try {
      return { body, stored: await this.options.persist(capture), failure: null };
    } catch (error) {
      this.reportStoreFailure(capture.id, error);
      return { body, stored: null, failure: error };
    }
  }

  private async respond(request: http.IncomingMessage, response: http.ServerResponse, { body, stored, failure }: StoreOutcome): Promise<void> {
    if (stored === null) {
      const busy = (failure as { code?: unknown }).code === 'STORE_BUSY';
      const payload = { error: busy ? `Hooktray is busy storing earlier deliveries; retry after ${BUSY_RETRY_AFTER_S} s.` : 'Hooktray could not store the delivery; retry later.' };
      const headers = { 'Retry-After': busy ? String(BUSY_RETRY_AFTER_S) : '30' };
      if (body.cutOff !== null) answerOverLimit(request, response, body, 503, payload, headers);
      else answer(response, 503, payload, headers);
      return;
    }
    this.storeFailures = 0;
    this.emit('delivery', stored);

    if (body.cutOff === 'memory-cap') {
      const payload = { error: `Hooktray is busy receiving other deliveries; retry after ${BUSY_RETRY_AFTER_S} s.` };
      answerOverLimit(request, response, body, 503, payload, { 'Retry-After': String(BUSY_RETRY_AFTER_S) });
      return;
    }
    if (body.cutOff === 'body-limit') {
      const limit = this.options.bodyLimit;
      const inMiB = limit >= 1024 * 1024 ? ` (${(limit / 1024 / 1024).toFixed(1)} MiB)` : '';
      const error = `Body exceeds Hooktray's limit of ${limit} bytes${inMiB}. Set a larger bodyLimit in the --config file of hooktray listen or hooktray ui.`;
      answerOverLimit(request, response, body, 413, { error });
      return;
    }
    await this.sendConfiguredResponse(response, stored.id);
  }

  /**
   * Applies the path token and rate limit. Returns the path to store, or null after answering
   * 404 or 429 without reading the body; rejected requests are counted, never stored.
   */
  private checkGuard(request: http.IncomingMessage, response: http.ServerResponse, path: string): string | null {
    if (!this.guard.active) return path;
    const decision = this.guard.check(path, clientKey(request.socket.remoteAddress ?? null, findRawHeader(request.rawHeaders, 'x-forwarded-for') ?? null));
    if (decision.outcome === 'accept') return decision.path;

    // The body is never read; closing the connection avoids draining an unbounded upload.
    request.resume();
    if (decision.outcome === 'reject-token') {
      answer(response, 404, { error: 'Not found.' }, { Connection: 'close' });
    } else {
      answer(response, 429, { error: `Too many requests from this client; retry after ${decision.retryAfterSeconds} s.` }, { 'Retry-After': String(decision.retryAfterSeconds), Connection: 'close' });
    }
    const { missingToken, rateLimited } = this.guard.counts;
    const total = missingToken + rateLimited;
    if (total === 1 || total % 1000 === 0) this.options.logger.warn('receiver: rejected requests by path token or rate limit', { missingToken, rateLimited });
    return null;
  }

  private async sendConfiguredResponse(response: http.ServerResponse, id: string): Promise<void> {
    const settings = this.options.response;
    if (settings.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
    if (response.destroyed) return;
    // Built by assignment: in a microbenchmark of writeHead, an object made with spread syntax
    // cost about 2 µs more per response. It has no prototype, so a configured header named
    // __proto__ becomes a property instead of replacing the prototype.
    const headers = Object.create(null) as Record<string, string | number>;
    for (const [name, value] of Object.entries(settings.headers)) headers[name] = value;
    headers[DELIVERY_ID_HEADER] = id;
    headers['Content-Length'] = Buffer.byteLength(settings.body);
    response.writeHead(settings.status, headers);
    response.end(settings.body);
  }

  private reportMemoryCap(): void {
    const count = this.memoryCapLog.next();
    if (count === null) return;
    this.options.logger.warn('receiver: request bodies in memory reached the cap; responding 503', { capBytes: this.memory.capBytes, heldBytes: this.memory.heldBytes, rejected: count });
  }

  private reportStoreFailure(id: string, error: unknown): void {
    this.emit('storeFailed', id, error);
    this.storeFailures += 1;
    // A full disk fails every request: log the first failure and then every hundredth.
    if (this.storeFailures === 1 || this.storeFailures % 100 === 0) {
      this.options.logger.error('receiver: storing a delivery failed; answering 503', { id, failures: this.storeFailures, error: String(error) });
    }
  }
}

/** Requests that sent `Expect: 100-continue`; the handler decides whether they get the 100. */
const expectsContinue = new WeakSet<http.IncomingMessage>();

/** Requests that expected a 100 Continue and got none, because their body is not read. */
const continueWithheld = new WeakSet<http.IncomingMessage>();

/** Result of storing a capture: the stored summary, or the store's error. */
interface StoreOutcome {
  body: ReadResult;
  stored: DeliverySummary | null;
  failure: unknown;
}

/**
 * Responds to a request whose body is over the limit. A sender still waiting for its 100 Continue
 * sends no body, so its connection closes after the response. A body read to its end gets the
 * response as usual, and one still arriving when its time ran out gets it with the connection
 * closed. Otherwise the rest of the upload may still be arriving, and the connection stays open
 * while it is read.
 */
function answerOverLimit(request: http.IncomingMessage, response: http.ServerResponse, body: ReadResult, status: number, payload: object, headers: Record<string, string> = {}): void {
  if (continueWithheld.has(request) || (body.drained && !request.complete)) answer(response, status, payload, { ...headers, Connection: 'close' });
  else respondDuringUpload(request, response, status, payload, OVER_LIMIT_DRAIN_MS, headers);
}

/**
 * Writes the whole response while the request body may still be arriving, and ends it only once
 * the body has been read. Node closes the connection when a response ends if the sender
 * requested that (`Connection: close`, HTTP/1.0). Closing it during the upload makes the socket
 * reset the connection, so a sender that reads only after uploading would lose the response.
 * An upload still running after `timeoutMs` gets its connection closed.
 */
function respondDuringUpload(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  payload: object,
  timeoutMs: number,
  headers: Record<string, string> = {},
): void {
  if (request.complete || request.destroyed) {
    answer(response, status, payload, headers);
    return;
  }
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  response.write(body);

  const timer = setTimeout(() => request.socket.destroy(), timeoutMs);
  request.once('end', () => {
    clearTimeout(timer);
    if (!response.destroyed) response.end();
  });
  request.once('close', () => clearTimeout(timer));
}

function answer(response: http.ServerResponse, status: number, payload: object, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  response.end(body);
}
