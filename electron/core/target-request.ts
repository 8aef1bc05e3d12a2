import http from 'node:http';
import https from 'node:https';
import type { HeaderPair, TargetErrorCode } from './contract';
import { pairsFromRawHeaders } from './headers';
import { redactUrl } from './target-url';

/** A request to a target, with headers exactly as they go on the wire. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  /** Sent in this order and case; must already contain `Host` and `Content-Length`. */
  headers: readonly HeaderPair[];
  body: Uint8Array;
}

/**
 * A target's response, or the reason none arrived. With both `status` and `error` set, the
 * status line and headers arrived but the body did not finish, so `body` and `bodySize`
 * contain only what arrived before the error.
 */
export interface TargetAnswer {
  /** Wall-clock send time, ISO 8601. */
  sentAt: string;
  durationMs: number;
  status: number | null;
  headers: HeaderPair[];
  /** The first `maxBodyBytes` of the response body. */
  body: Buffer;
  /** Response body bytes received, including those beyond `maxBodyBytes`. */
  bodySize: number;
  error: { code: TargetErrorCode; message: string } | null;
  /**
   * The reason no HTTP response arrived, when a later try may get one. It is `not-connected` when no
   * connection to the target was made, so the target did not get the request, and
   * `connection-closed` when the connection closed before any response, so it may have. Null
   * when a response arrived, and for failures that another try does not fix, such as a TLS
   * error, a timeout after connecting, or a cancelled exchange.
   */
  unreachable: Unreachable | null;
}

export type Unreachable = 'not-connected' | 'connection-closed';

export interface SendOptions {
  /** Time allowed for the whole exchange, in ms. */
  timeoutMs?: number;
  /** Response body bytes kept; the rest is counted and dropped. */
  maxBodyBytes?: number;
  /** Aborts the exchange, such as when Hooktray stops. With the reason USER_CANCEL, the user cancelled it. */
  signal?: AbortSignal;
}

/** The abort reason of an exchange that the user cancelled, as opposed to one that Hooktray's stop ended. */
export const USER_CANCEL = 'user-cancel';

export const DEFAULT_TARGET_TIMEOUT_MS = 30_000;
export const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

/**
 * Sends a request with its headers in the given order and case and its body bytes as they
 * are, and collects the response. Never throws for network failures: they come back as
 * `error` with a stable code. Node adds a `Connection` header of its own.
 */
export function sendToTarget(request: OutgoingRequest, options: SendOptions = {}): Promise<TargetAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_RESPONSE_BODY_BYTES;
  const sentAt = new Date().toISOString();
  const started = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  const transport = request.url.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Omit<TargetAnswer, 'sentAt' | 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ sentAt, durationMs: elapsedMs(), ...answer });
    };

    // The response as far as it arrived, so a failure during the body keeps the status, the headers and the bytes so far.
    let received: ReceivedResponse | null = null;
    // The error that Hooktray ended the exchange with. Node may report a reset of the response first.
    let stopError: NodeJS.ErrnoException | null = null;
    // Set once a TCP connection to the target is open, from when the request may reach it.
    let connected = false;
    const fail = (error: NodeJS.ErrnoException): void => {
      const cause = stopError ?? error;
      if (received === null) {
        finish({ status: null, headers: [], body: Buffer.alloc(0), bodySize: 0, error: describeError(cause, request.url, timeoutMs), unreachable: unreachableKind(cause, connected) });
        return;
      }
      const { status, headers, chunks, keptBytes, bodySize } = received;
      finish({ status, headers, body: Buffer.concat(chunks, keptBytes), bodySize, error: describeCutBody(cause, request.url, timeoutMs, status, bodySize), unreachable: null });
    };
    const stop = (error: NodeJS.ErrnoException): void => {
      stopError ??= error;
      outgoing.destroy(error);
    };

    let outgoing: http.ClientRequest;
    try {
      outgoing = transport.request(
        {
          method: request.method,
          hostname: request.url.hostname.replace(/^\[|\]$/g, ''),
          port: request.url.port,
          path: `${request.url.pathname}${request.url.search}`,
          auth: request.url.username === '' ? undefined : `${decodeURIComponent(request.url.username)}:${decodeURIComponent(request.url.password)}`,
          // A flat name, value list keeps order, case and repeats, unlike a headers object.
          headers: request.headers.flat(),
          // No shared agent: no idle socket outlives the exchange and keeps the process running.
          agent: false,
        },
        (response) => {
          const state: ReceivedResponse = { status: response.statusCode ?? 0, headers: pairsFromRawHeaders(response.rawHeaders), chunks: [], keptBytes: 0, bodySize: 0 };
          received = state;
          response.on('data', (chunk: Buffer) => {
            state.bodySize += chunk.length;
            if (state.keptBytes >= maxBodyBytes) return;
            const slice = chunk.subarray(0, maxBodyBytes - state.keptBytes);
            state.chunks.push(slice);
            state.keptBytes += slice.length;
          });
          response.on('end', () => {
            finish({ status: state.status, headers: state.headers, body: Buffer.concat(state.chunks, state.keptBytes), bodySize: state.bodySize, error: null, unreachable: null });
          });
          response.on('error', fail);
          response.on('aborted', () => fail(Object.assign(new Error('the target closed the connection during the response'), { code: 'ECONNRESET' })));
        },
      );
    } catch (error) {
      // node:http checks the method and the header names and values before it connects, and
      // throws for one it cannot send, such as a header edited by hand in an imported fixture.
      resolve({ sentAt, durationMs: elapsedMs(), status: null, headers: [], body: Buffer.alloc(0), bodySize: 0, error: unsendable(error as Error, request.url), unreachable: null });
      return;
    }
    const timer = setTimeout(() => stop(Object.assign(new Error('timed out'), { code: 'HOOKTRAY_TIMEOUT' })), timeoutMs);
    const abort = (): void => {
      const error =
        options.signal?.reason === USER_CANCEL
          ? Object.assign(new Error('the user cancelled the request'), { code: 'HOOKTRAY_CANCELLED' })
          : Object.assign(new Error('Hooktray stopped before the target answered'), { code: 'HOOKTRAY_ABORTED' });
      stop(error);
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    // Node passes a 101 Switching Protocols to neither the response callback nor `error`. It is
    // the target's response, so it is recorded with its headers and the switched connection is closed.
    outgoing.on('upgrade', (response, socket) => {
      received = { status: response.statusCode ?? 0, headers: pairsFromRawHeaders(response.rawHeaders), chunks: [], keptBytes: 0, bodySize: 0 };
      socket.destroy();
      finish({ status: received.status, headers: received.headers, body: Buffer.alloc(0), bodySize: 0, error: null, unreachable: null });
    });
    outgoing.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => (connected = true));
      else connected = true;
    });
    // A request that closes before any response, even without an error, has failed.
    outgoing.on('close', () => {
      options.signal?.removeEventListener('abort', abort);
      if (received === null) fail(Object.assign(new Error('the connection closed without a response'), { code: 'ECONNRESET' }));
    });
    outgoing.on('error', fail);
    outgoing.end(request.body);
  });
}

/** A response whose status line and headers arrived, with its body so far. */
interface ReceivedResponse {
  status: number;
  headers: HeaderPair[];
  chunks: Buffer[];
  /** Bytes in `chunks`, at most `maxBodyBytes`. */
  keptBytes: number;
  /** Body bytes received, kept or not. */
  bodySize: number;
}

function unsendable(error: Error, url: URL): { code: TargetErrorCode; message: string } {
  return {
    code: 'request-failed',
    message: `The request to ${redactUrl(url)} cannot be sent: ${error.message}. Correct that method or header in an export of the delivery and import it again, or edit it in a re-send from the app.`,
  };
}

/**
 * Describes an error that ended a response after its status line and headers arrived, so
 * the message names the status and states that the body is incomplete rather than missing.
 */
function describeCutBody(error: NodeJS.ErrnoException, url: URL, timeoutMs: number, status: number, bodySize: number): { code: TargetErrorCode; message: string } {
  const where = redactUrl(url);
  const errno = error.code ?? 'unknown';
  const arrived = `only ${bodySize} byte${bodySize === 1 ? '' : 's'} of the body arrived`;
  if (errno === 'HOOKTRAY_TIMEOUT' || errno === 'ETIMEDOUT') {
    return {
      code: 'timeout',
      message: `The target ${where} responded with ${status}, but its response body did not finish within ${timeoutMs} ms; ${arrived}. Check that the target ends its response, or re-send later.`,
    };
  }
  if (errno === 'HOOKTRAY_CANCELLED') {
    return { code: 'aborted', message: `The request to ${where} was cancelled while the target was sending its ${status} response; ${arrived}.` };
  }
  if (errno === 'HOOKTRAY_ABORTED') {
    return { code: 'aborted', message: `The request to ${where} was cancelled because Hooktray stopped while the target was sending its ${status} response; ${arrived}. Send it again once Hooktray runs.` };
  }
  if (errno === 'ECONNRESET' || errno === 'EPIPE') {
    return { code: 'connection-reset', message: `The target ${where} responded with ${status}, but closed the connection before its response body ended (${errno}); ${arrived}. Check its log, then re-send.` };
  }
  return { code: 'request-failed', message: `Receiving the ${status} response of ${where} failed (${errno}): ${error.message}; ${arrived}.` };
}

/** Errors that leave no connection to the target, where a later try may get a response. */
const NOT_CONNECTED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN']);

/** Classifies an error that ended an exchange before any response, as TargetAnswer's `unreachable` describes. */
function unreachableKind(error: NodeJS.ErrnoException, connected: boolean): Unreachable | null {
  const errno = error.code ?? 'unknown';
  if (NOT_CONNECTED_CODES.has(errno)) return 'not-connected';
  if (errno === 'ECONNRESET' || errno === 'EPIPE') return connected ? 'connection-closed' : 'not-connected';
  // A timeout before the connection opened sent nothing, unlike one while the target had the request.
  if ((errno === 'HOOKTRAY_TIMEOUT' || errno === 'ETIMEDOUT') && !connected) return 'not-connected';
  return null;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

function describeError(error: NodeJS.ErrnoException, url: URL, timeoutMs: number): { code: TargetErrorCode; message: string } {
  const where = redactUrl(url);
  const errno = error.code ?? 'unknown';
  if (errno === 'HOOKTRAY_TIMEOUT' || errno === 'ETIMEDOUT') {
    return { code: 'timeout', message: `The target ${where} did not answer within ${timeoutMs} ms; check that it responds, or re-send later.` };
  }
  if (errno === 'HOOKTRAY_CANCELLED') {
    return { code: 'aborted', message: `The request to ${where} was cancelled before the target answered; the target may still have received it.` };
  }
  if (errno === 'HOOKTRAY_ABORTED') {
    return {
      code: 'aborted',
      message: `The request to ${where} was cancelled because Hooktray stopped before the target responded. The target may still have received it, so check before you send it again.`,
    };
  }
  if (errno === 'ECONNREFUSED') {
    return { code: 'connection-refused', message: `The target ${where} refused the connection (ECONNREFUSED); start the server or correct the URL, then re-send.` };
  }
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') {
    return { code: 'dns-failed', message: `The host of ${where} could not be resolved (${errno}); correct the URL.` };
  }
  if (errno === 'ECONNRESET' || errno === 'EPIPE') {
    return { code: 'connection-reset', message: `The target ${where} closed the connection before answering (${errno}); check its log, then re-send.` };
  }
  if (errno === 'ERR_SSL_WRONG_VERSION_NUMBER' || (errno === 'EPROTO' && /wrong version number/i.test(error.message))) {
    return { code: 'tls-failed', message: `The server at ${where} responded in plain HTTP, not TLS; use ${plainHttpUrl(url)} instead.` };
  }
  if (TLS_CODES.test(errno) || errno === 'EPROTO') {
    return { code: 'tls-failed', message: `The TLS handshake with ${where} failed (${errno}): ${singleLine(error.message)}; use http:// for a local server without a trusted certificate.` };
  }
  // llhttp, Node's HTTP parser, reports a response it cannot parse with an HPE_ code.
  if (errno === 'HPE_INVALID_CONSTANT') {
    return { code: 'request-failed', message: `The server at ${where} replied with something other than HTTP (${errno}); check that the URL names the port of an HTTP server.` };
  }
  if (errno.startsWith('HPE_')) {
    return { code: 'request-failed', message: `The response of ${where} is not valid HTTP (${errno}: ${singleLine(error.message)}); check the target's response.` };
  }
  return { code: 'request-failed', message: `Sending to ${where} failed (${errno}): ${singleLine(error.message)}.` };
}

/** Returns an error message on one line, because OpenSSL's messages end with a line break. */
function singleLine(message: string): string {
  return message.trim().replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Returns the https URL with http as its scheme and its port kept, so a server on port 443 is still named. */
function plainHttpUrl(url: URL): string {
  const copy = new URL(redactUrl(url));
  const port = copy.port === '' ? '443' : copy.port;
  copy.protocol = 'http:';
  copy.port = port;
  return copy.href;
}
