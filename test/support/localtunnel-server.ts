/**
 * A localtunnel-protocol server on 127.0.0.1 that stands in for localtunnel.me in tests and
 * benchmarks, so nothing leaves the machine.
 *
 * The protocol, as the localtunnel client speaks it: `GET /?new` or `GET /<subdomain>` registers
 * a client and returns `{id, port, max_conn_count, url}`. The client then opens up to
 * `max_conn_count` TCP connections to `port`, and each one is piped to the client's local
 * server. A public request whose `Host` is `<id>.<domain>` is written, as HTTP/1.1, over one
 * of those connections, and the answer is sent back to the requester.
 *
 * Test controls: `stop()` and `start(port)` restart on the same port and forget every client;
 * `takenSubdomains` hands out a random id instead, as a server does when a subdomain is in
 * use; `silent` accepts public requests but forwards nothing and never answers;
 * `registrationError` rejects every registration with a status and message.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import type { Duplex } from 'node:stream';

const SUBDOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$/;

export interface LocaltunnelServerOptions {
  /** Domain of public URLs: a client `abc` gets `http://abc.<domain>:<port>`. */
  domain?: string;
  maxConnCount?: number;
  /** How long a client may have no TCP connection before its id is freed, in ms. */
  graceMs?: number;
  /** How long a public request waits for a free client connection before a 504, in ms. */
  socketWaitMs?: number;
  /**
   * Give every client the URL `http://localhost:<port>` and route requests with that Host to
   * the newest client. Test subdomains do not resolve, so this lets a process without a probe
   * origin option (the CLI) reach its own public URL.
   */
  localhostUrls?: boolean;
}

/** A public request that the server routed to a client, as it arrived. */
export interface TunnelledRequest {
  clientId: string;
  method: string;
  path: string;
  rawHeaders: string[];
}

/** Hands a client's pooled TCP connections to node:http as if it had dialled them. */
class PooledConnectionAgent extends http.Agent {
  private readonly idle: Socket[] = [];
  private readonly waiting: { callback: (error: Error | null, stream: Duplex) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    maxSockets: number,
    private readonly waitMs: number,
  ) {
    super({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Adds a connection the client opened, or gives it to a request that is waiting. */
  offer(socket: Socket): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.callback(null, socket);
      return;
    }
    this.idle.push(socket);
    socket.once('close', () => {
      const index = this.idle.indexOf(socket);
      if (index >= 0) this.idle.splice(index, 1);
    });
  }

  override createConnection(_options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    if (callback === undefined) throw new Error('PooledConnectionAgent needs the callback form of createConnection.');
    const socket = this.idle.shift();
    if (socket !== undefined) {
      callback(null, socket);
      return undefined;
    }
    const waiter = {
      callback,
      timer: setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        callback(new Error(`no tunnel connection became free within ${this.waitMs} ms`), new net.Socket());
      }, this.waitMs),
    };
    this.waiting.push(waiter);
    return undefined;
  }

  override destroy(): void {
    for (const waiter of this.waiting.splice(0)) clearTimeout(waiter.timer);
    for (const socket of this.idle.splice(0)) socket.destroy();
    super.destroy();
  }
}

interface TunnelClientRecord {
  id: string;
  tcpServer: net.Server;
  port: number;
  sockets: Set<Socket>;
  agent: PooledConnectionAgent;
  graceTimer: NodeJS.Timeout | null;
}

export class LocaltunnelTestServer {
  /** Subdomains treated as in use: a request for one gets a random id. */
  readonly takenSubdomains = new Set<string>();
  /** Every subdomain requested at registration, in order; `?new` is recorded as null. */
  readonly registrations: (string | null)[] = [];
  /** Every public request routed to a client, in order. */
  readonly tunnelled: TunnelledRequest[] = [];
  /** When true, public requests are read but never forwarded, and get no response. */
  silent = false;
  /** Message of every forward that failed while its requester waited; each got a 504. */
  readonly forwardErrors: string[] = [];
  /** When set, every registration gets this status and message instead of a client. */
  registrationError: { status: number; message: string } | null = null;

  private readonly options: Required<LocaltunnelServerOptions>;
  private readonly clients = new Map<string, TunnelClientRecord>();
  private readonly heldResponses = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  private boundPort = 0;

  constructor(options: LocaltunnelServerOptions = {}) {
    this.options = { domain: 'tunnel.test', maxConnCount: 10, graceMs: 1_000, socketWaitMs: 10_000, localhostUrls: false, ...options };
  }

  get port(): number {
    return this.boundPort;
  }

  /** The address clients register at and probes and test requests connect to. */
  get origin(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** Public URL the server gives a client `id`; the host does not resolve, so send to `origin` with this Host. */
  publicUrl(id: string): string {
    if (this.options.localhostUrls) return `http://localhost:${this.boundPort}`;
    return `http://${id}.${this.options.domain}:${this.boundPort}`;
  }

  clientIds(): string[] {
    return [...this.clients.keys()];
  }

  /** Number of TCP connections client `id` has open. */
  connectionCount(id: string): number {
    return this.clients.get(id)?.sockets.size ?? 0;
  }

  /** Listens on 127.0.0.1; pass the previous port to restart where clients expect the server. */
  async start(port = 0): Promise<void> {
    const server = http.createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every client and connection, like a server that went away. */
  async stop(): Promise<void> {
    for (const response of this.heldResponses) response.destroy();
    this.heldResponses.clear();
    for (const id of [...this.clients.keys()]) this.removeClient(id);

    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const hostname = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const suffix = `.${this.options.domain}`;
    if (hostname.endsWith(suffix)) {
      this.forward(hostname.slice(0, -suffix.length), request, response);
      return;
    }
    if (this.options.localhostUrls && hostname === 'localhost') {
      this.forward([...this.clients.keys()].at(-1) ?? '', request, response);
      return;
    }
    this.handleApi(request, response).catch((error: unknown) => {
      sendJson(response, 500, { message: `test tunnel server failed: ${String(error)}` });
    });
  }

  private async handleApi(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://api.invalid');
    if (request.method !== 'GET') {
      sendJson(response, 405, { message: 'only GET is supported' });
      return;
    }
    const wantsNew = url.pathname === '/' && url.searchParams.has('new');
    const requested = wantsNew ? null : url.pathname.slice(1);
    this.registrations.push(requested);

    if (this.registrationError !== null) {
      sendJson(response, this.registrationError.status, { message: this.registrationError.message });
      return;
    }
    if (requested === null) {
      sendJson(response, 200, await this.createClient(randomId()));
      return;
    }
    if (!SUBDOMAIN_PATTERN.test(requested)) {
      sendJson(response, 403, { message: `Invalid subdomain "${requested}": use 4 to 63 lowercase letters, digits and hyphens.` });
      return;
    }
    const inUse = this.takenSubdomains.has(requested) || this.clients.has(requested);
    sendJson(response, 200, await this.createClient(inUse ? randomId() : requested));
  }

  private async createClient(id: string): Promise<object> {
    const record: TunnelClientRecord = {
      id,
      tcpServer: net.createServer(),
      port: 0,
      sockets: new Set(),
      agent: new PooledConnectionAgent(this.options.maxConnCount, this.options.socketWaitMs),
      graceTimer: null,
    };
    record.tcpServer.on('connection', (socket) => this.acceptConnection(record, socket));
    await new Promise<void>((resolve) => record.tcpServer.listen(0, '127.0.0.1', resolve));
    record.port = (record.tcpServer.address() as AddressInfo).port;
    this.clients.set(id, record);
    // A client that never connects, or loses every connection, gives its id back, as on localtunnel.me.
    this.startGrace(record);
    return { id, port: record.port, max_conn_count: this.options.maxConnCount, url: this.publicUrl(id) };
  }

  private acceptConnection(record: TunnelClientRecord, socket: Socket): void {
    if (record.sockets.size >= this.options.maxConnCount) {
      socket.destroy();
      return;
    }
    record.sockets.add(socket);
    if (record.graceTimer !== null) clearTimeout(record.graceTimer);
    record.graceTimer = null;

    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      record.sockets.delete(socket);
      if (record.sockets.size === 0 && this.clients.get(record.id) === record) this.startGrace(record);
    });
    record.agent.offer(socket);
  }

  private startGrace(record: TunnelClientRecord): void {
    if (record.graceTimer !== null) clearTimeout(record.graceTimer);
    record.graceTimer = setTimeout(() => {
      if (record.sockets.size === 0) this.removeClient(record.id);
    }, this.options.graceMs);
  }

  private removeClient(id: string): void {
    const record = this.clients.get(id);
    if (record === undefined) return;
    this.clients.delete(id);
    if (record.graceTimer !== null) clearTimeout(record.graceTimer);
    record.agent.destroy();
    for (const socket of record.sockets) socket.destroy();
    record.tcpServer.close();
  }

  private forward(id: string, request: http.IncomingMessage, response: http.ServerResponse): void {
    const record = this.clients.get(id);
    if (record === undefined) {
      request.resume();
      sendJson(response, 404, { message: `no active client for "${id}"` });
      return;
    }
    this.tunnelled.push({ clientId: id, method: request.method ?? 'GET', path: request.url ?? '/', rawHeaders: [...request.rawHeaders] });

    if (this.silent) {
      // Keep the request open without a response until the requester gives up or the server stops.
      request.resume();
      this.heldResponses.add(response);
      response.once('close', () => this.heldResponses.delete(response));
      return;
    }

    const upstream = http.request(
      { agent: record.agent, method: request.method, path: request.url, headers: request.rawHeaders },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.rawHeaders);
        upstreamResponse.pipe(response);
      },
    );
    // A requester that goes away mid-request must not leave a half-written request on the connection.
    let requesterGone = false;
    response.once('close', () => {
      if (response.writableFinished) return;
      requesterGone = true;
      upstream.destroy();
    });
    upstream.on('error', (error) => {
      if (requesterGone) return;
      this.forwardErrors.push(error.message);
      if (!response.headersSent) sendJson(response, 504, { message: `tunnel client "${id}" did not respond: ${error.message}` });
      else response.destroy();
    });
    request.pipe(upstream);
  }
}

function randomId(): string {
  return `lt-${randomBytes(5).toString('hex')}`;
}

function sendJson(response: http.ServerResponse, status: number, payload: object): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
