import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import type { HooktrayApi } from '../contract';
import type { Logger } from '../logger';
import { HELLO_TIMEOUT_MS, MAX_WAITING_CONNECTIONS, WaitingConnections, closeWithReason } from './admission';
import type { GuardFailure } from './guard';
import { checkHost, checkOrigin, cookieName, readCookie, tokenMatches } from './guard';
import { RequestBudget } from './request-budget';
import { readStaticFile } from './static-files';
import { CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED, MAX_CLIENT_FRAME_BYTES, MAX_REQUEST_CHARS } from './wire';
import { runSession } from './ws-session';

/** Path of the WebSocket endpoint. */
export const BRIDGE_SOCKET_PATH = '/api';

export interface BridgeOptions {
  /** The core's API on the server side, such as `coreApi(core)`. */
  api: HooktrayApi;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Folder of the renderer build, served as static files. */
  rendererDir: string;
  logger: Logger;
  /** Session token; a random one when absent. Tests pass their own. */
  token?: string;
  /** Time a connection has to authenticate with its hello, in ms; HELLO_TIMEOUT_MS when absent. */
  helloTimeoutMs?: number;
  /** Connections without a session cookie that may wait for their hello at once; MAX_WAITING_CONNECTIONS when absent. */
  maxWaitingConnections?: number;
  /** Message text of requests in parts that all connections may hold together; MAX_REQUEST_CHARS when absent. */
  maxHeldRequestChars?: number;
}

/**
 * The browser mode's server: serves the renderer build and the contract over a WebSocket,
 * on 127.0.0.1 only, to requests that carry the session token (in the URL once, then in a
 * cookie) and name this bridge's own host and origin.
 */
export class UiBridge {
  readonly token: string;
  private readonly server: http.Server;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  private readonly launchTokens = new Set<string>();
  private readonly waiting: WaitingConnections;
  private readonly requestBudget: RequestBudget;
  private connections = 0;
  private timedOut = 0;

  private constructor(private readonly options: BridgeOptions) {
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.waiting = new WaitingConnections(options.maxWaitingConnections ?? MAX_WAITING_CONNECTIONS);
    this.requestBudget = new RequestBudget(options.maxHeldRequestChars ?? MAX_REQUEST_CHARS);
    this.server = http.createServer((request, response) => {
      this.handleHttp(request, response).catch((error: unknown) => {
        options.logger.error('bridge: request failed', { path: pathOf(request), error: String(error) });
        if (!response.headersSent) this.sendText(response, 500, 'Hooktray failed to answer this request; see the log in the data folder.');
      });
    });
    this.server.on('upgrade', (request, socket: Socket, head) => this.handleUpgrade(request, socket, head));
  }

  static async start(options: BridgeOptions): Promise<UiBridge> {
    const bridge = new UiBridge(options);
    await new Promise<void>((resolve, reject) => {
      bridge.server.once('error', reject);
      bridge.server.listen(options.port, '127.0.0.1', () => {
        bridge.server.off('error', reject);
        resolve();
      });
    });
    options.logger.info('bridge: started', { port: bridge.port, rendererDir: options.rendererDir });
    return bridge;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL to open, token included. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  /**
   * Returns a URL with a single-use token, for handing to a browser on a command line:
   * a process list may show it, but it is spent by the time anyone could read it.
   */
  createLaunchUrl(): string {
    const launchToken = randomBytes(32).toString('base64url');
    this.launchTokens.add(launchToken);
    return `http://127.0.0.1:${this.port}/?token=${launchToken}`;
  }

  async close(): Promise<void> {
    const port = this.port;
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.options.logger.info('bridge: stopped', { port });
  }

  private guard(request: http.IncomingMessage): GuardFailure | null {
    return checkHost(request.headers.host, this.port) ?? checkOrigin(request.headers.origin, this.port);
  }

  private hasSessionCookie(request: http.IncomingMessage): boolean {
    return tokenMatches(readCookie(request.headers.cookie, cookieName(this.port)), this.token);
  }

  private async handleHttp(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const rejected = this.guard(request);
    if (rejected !== null) {
      // The query can carry the session token, so only the path is logged.
      this.options.logger.warn('bridge: request rejected', { code: rejected.code, path: pathOf(request) });
      this.sendText(response, 403, rejected.message);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.sendText(response, 405, `Method ${request.method ?? ''} is not allowed: the bridge serves files with GET and its API over the WebSocket at ${BRIDGE_SOCKET_PATH}.`, { Allow: 'GET, HEAD' });
      return;
    }

    const url = parseTarget(request.url ?? '/', this.port);
    if (url === null) {
      this.options.logger.warn('bridge: request with an invalid target rejected', { path: pathOf(request) });
      this.sendText(response, 400, `Invalid request target: request a path on http://127.0.0.1:${this.port}/, such as the URL that "hooktray ui" printed.`);
      return;
    }
    const presented = url.searchParams.get('token');
    if (presented !== null) {
      this.exchangeToken(presented, response);
      return;
    }
    if (!this.hasSessionCookie(request)) {
      // A cookie for this port that does not match is the session of an earlier hooktray ui on the same port.
      const earlier = readCookie(request.headers.cookie, cookieName(this.port)) !== null;
      this.options.logger.warn('bridge: request without a session rejected', { path: url.pathname, earlierSession: earlier });
      const text = earlier
        ? 'This page is from an earlier hooktray ui, and each start makes a new token. Open the URL that the running hooktray ui printed, which ends in ?token=…'
        : 'Missing token: open the URL that "hooktray ui" printed, which ends in ?token=…';
      this.sendText(response, 401, text);
      return;
    }

    const file = await readStaticFile(this.options.rendererDir, url.pathname);
    if (!file.ok) {
      this.sendText(response, file.status, file.status === 404 ? `Not found: ${url.pathname}` : `Invalid path: ${url.pathname}`);
      return;
    }
    response.writeHead(200, { ...this.securityHeaders(), 'Content-Type': file.contentType, 'Content-Length': file.body.length });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  /** Turns a valid token from the URL into a session cookie and redirects to the bare URL. */
  private exchangeToken(presented: string, response: http.ServerResponse): void {
    const launch = [...this.launchTokens].find((candidate) => tokenMatches(presented, candidate));
    if (launch !== undefined) this.launchTokens.delete(launch);
    if (launch === undefined && !tokenMatches(presented, this.token)) {
      this.options.logger.warn('bridge: request with an invalid token rejected', {});
      this.sendText(response, 401, 'Invalid token: open the URL that the running "hooktray ui" printed; a restart makes a new token.');
      return;
    }
    const cookie = `${cookieName(this.port)}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
    response.writeHead(303, { ...this.securityHeaders(), 'Set-Cookie': cookie, Location: '/', 'Content-Length': 0 });
    response.end();
  }

  private handleUpgrade(request: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const rejected = this.guard(request);
    const path = pathOf(request);
    if (rejected !== null || path !== BRIDGE_SOCKET_PATH) {
      const reason = rejected?.message ?? `No WebSocket endpoint at ${path}; use ${BRIDGE_SOCKET_PATH}.`;
      this.options.logger.warn('bridge: WebSocket upgrade rejected', { code: rejected?.code ?? 'not-found', path });
      const status = rejected === null ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
      return;
    }

    const cookieAuthenticated = this.hasSessionCookie(request);
    this.sockets.handleUpgrade(request, socket, head, (webSocket) => {
      this.connections += 1;
      this.startSession(webSocket, `ws-${this.connections}`, cookieAuthenticated);
    });
  }

  /**
   * Runs the protocol on a new connection. A connection without the session cookie takes one
   * of the places for connections waiting to authenticate, and is closed when none is free.
   * Every connection is closed when it has not authenticated within the hello timeout. Only
   * authenticated connections log their start and end, so each rejected one logs one line.
   */
  private startSession(webSocket: WebSocket, label: string, cookieAuthenticated: boolean): void {
    const { logger } = this.options;
    webSocket.on('error', (error) => logger.warn('bridge: WebSocket error', { connection: label, error: String(error) }));
    const leaveWaiting = cookieAuthenticated ? () => {} : this.waiting.admit();
    if (leaveWaiting === null) {
      const { cap } = this.waiting;
      logger.warn('bridge: connection rejected; too many connections are waiting to authenticate', { connection: label, waiting: this.waiting.count, cap, rejected: this.waiting.rejectedCount });
      closeWithReason(webSocket, CLOSE_TRY_AGAIN_LATER, `Too many connections (${cap}) are waiting to authenticate; reload the page to retry.`);
      return;
    }

    const timeoutMs = this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
    const helloTimer = setTimeout(() => {
      this.timedOut += 1;
      logger.warn('bridge: connection rejected; hello timed out', { connection: label, timeoutMs, waiting: this.waiting.count, timedOut: this.timedOut });
      closeWithReason(webSocket, CLOSE_UNAUTHORIZED, `No hello with the session token within ${timeoutMs / 1000} s; reload the page.`);
    }, timeoutMs);

    let authenticated = false;
    webSocket.on('close', (code) => {
      clearTimeout(helloTimer);
      leaveWaiting();
      if (authenticated) logger.info('bridge: page disconnected', { connection: label, code });
    });
    const onAuthenticated = (): void => {
      authenticated = true;
      clearTimeout(helloTimer);
      leaveWaiting();
      logger.info('bridge: page connected', { connection: label, cookie: cookieAuthenticated });
    };
    runSession(webSocket, { api: this.options.api, token: this.token, cookieAuthenticated, logger, label, requestBudget: this.requestBudget, onAuthenticated });
  }

  private securityHeaders(): Record<string, string> {
    const sockets = [`ws://127.0.0.1:${this.port}`, `ws://localhost:${this.port}`].join(' ');
    return {
      'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ${sockets}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      // The first URL carries the token: never send it on to another site.
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
  }

  private sendText(response: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    const body = `${text}\n`;
    response.writeHead(status, { ...this.securityHeaders(), ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }
}

/** Returns the request target without its query, which can carry the session token. */
function pathOf(request: http.IncomingMessage): string {
  return (request.url ?? '').split('?', 1)[0] ?? '';
}

/**
 * Parses a request target in origin form, such as `/assets/app.js?x=1`. The target is read
 * as a path even when it starts with `//`, which a URL parser would take for a host. Returns
 * null for any other form, such as the absolute form `http://host/`.
 */
function parseTarget(target: string, port: number): URL | null {
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://127.0.0.1:${port}${target}`);
  } catch {
    return null;
  }
}
