import type { HooktrayApi, InvokeChannel, InvokeChannels, PushChannel, PushChannels } from '../../../electron/core/contract';
import type { ClientMessage, InvokeErrorCode, PartMessage, ServerMessage } from '../../../electron/core/bridge/wire';
import { CLIENT_PART_CHARS, PartAssembler, fromWire, splitIntoParts, toWire } from '../../../electron/core/bridge/wire';

/** The parts of a WebSocket the client uses; the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A failed invoke; `code` is one of the bridge's stable codes, `disconnected` or `cancelled`. */
export class InvokeError extends Error {
  override name = 'InvokeError';
  constructor(
    readonly code: InvokeErrorCode | 'disconnected' | 'cancelled',
    message: string,
  ) {
    super(message);
  }
}

export interface InvokeOptions {
  /**
   * Cancels the invoke: the promise rejects with code `cancelled` and the bridge sends no
   * result, or no further parts of one. The handler still runs to its end.
   */
  signal?: AbortSignal;
}

export interface WebSocketApi extends HooktrayApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request'], options?: InvokeOptions): Promise<InvokeChannels[C]['response']>;
  /** Resolves once the bridge accepted the token; rejects when the connection closes first. */
  readonly connected: Promise<void>;
  /** Registers a listener for the end of the connection; returns the unsubscribe function. */
  onDisconnect(listener: (reason: string) => void): () => void;
  close(): void;
}

export interface WebSocketApiOptions {
  /** `ws://host:port/api` of the bridge. */
  url: string;
  /** The token from the page URL, or null when the session cookie authenticates. */
  token: string | null;
  createSocket: (url: string) => WebSocketLike;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Message text held for results still arriving in parts; well above the largest body the receiver stores. */
const MAX_RESULT_CHARS = 1024 * 1024 * 1024;

/**
 * Implements the contract over the browser bridge's WebSocket. Byte arrays cross it as base64
 * in both directions, and long messages cross it in parts. Once the connection closes, every
 * pending and later invoke rejects with code `disconnected`.
 */
export function connectWebSocketApi(options: WebSocketApiOptions): WebSocketApi {
  const socket = options.createSocket(options.url);
  const pending = new Map<number, Pending>();
  const resultParts = new PartAssembler(MAX_RESULT_CHARS);
  const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
  const disconnectListeners = new Set<(reason: string) => void>();
  let nextId = 1;
  let disconnected: InvokeError | null = null;
  let markReady: () => void = () => {};
  let failReady: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // Callers that never await `ready` must not see an unhandled rejection.
  ready.catch(() => {});

  const send = (message: ClientMessage): void => {
    if (disconnected === null) socket.send(JSON.stringify(message));
  };
  const sendInvoke = (id: number, channel: InvokeChannel, request: unknown): void => {
    const text = JSON.stringify({ type: 'invoke', id, channel, request: toWire(request) } satisfies ClientMessage);
    if (disconnected !== null) return;
    if (text.length <= CLIENT_PART_CHARS) socket.send(text);
    else for (const part of splitIntoParts(id, text, CLIENT_PART_CHARS)) socket.send(JSON.stringify(part));
  };
  const settle = (message: Extract<ServerMessage, { type: 'result' }>): void => {
    const request = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) request?.resolve(fromWire(message.response));
    else request?.reject(new InvokeError(message.error.code, message.error.message));
  };
  const receivePart = (part: PartMessage): void => {
    // Parts of a cancelled invoke still in flight are dropped.
    if (!pending.has(part.id)) return;
    const joined = resultParts.add(part);
    if (joined.status === 'too-large') {
      pending.get(part.id)?.reject(new InvokeError('internal-error', `The response is over the page's limit of ${MAX_RESULT_CHARS / 1024 / 1024} MiB; use the hooktray CLI for it.`));
      pending.delete(part.id);
    } else if (joined.status === 'complete') {
      settle(JSON.parse(joined.text) as Extract<ServerMessage, { type: 'result' }>);
    }
  };

  socket.onopen = () => send({ type: 'hello', token: options.token });
  socket.onerror = () => {};
  socket.onclose = (event) => {
    const closed = `closed (code ${event.code}${event.reason === '' ? '' : `: ${event.reason}`})`;
    const reason = `the connection to hooktray ui ${closed}`;
    disconnected = new InvokeError(
      'disconnected',
      `The connection to hooktray ui ${closed}. If hooktray ui stopped, start it again and open the new URL that it prints. If it still runs, reload the page.`,
    );
    failReady(disconnected);
    for (const request of pending.values()) request.reject(disconnected);
    pending.clear();
    resultParts.clear();
    for (const listener of disconnectListeners) listener(reason);
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data) as ServerMessage;
    if (message.type === 'ready') {
      markReady();
    } else if (message.type === 'result') {
      settle(message);
    } else if (message.type === 'part') {
      receivePart(message);
    } else if (message.type === 'push') {
      const payload = fromWire(message.payload);
      for (const listener of listeners.get(message.channel) ?? []) listener(payload);
    }
  };

  const cancel = (id: number, reject: (error: Error) => void): void => {
    if (!pending.delete(id)) return;
    resultParts.drop(id);
    send({ type: 'cancel', id });
    reject(new InvokeError('cancelled', 'The request was cancelled.'));
  };

  return {
    connected: ready,
    // The bridge forwards pushes as soon as a channel is subscribed, so there is nothing to release.
    ready: () => ready,
    async invoke<C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request'], invokeOptions: InvokeOptions = {}): Promise<InvokeChannels[C]['response']> {
      await ready;
      if (disconnected !== null) throw disconnected;
      const { signal } = invokeOptions;
      if (signal?.aborted === true) throw new InvokeError('cancelled', 'The request was cancelled.');

      const id = nextId++;
      const response = new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        signal?.addEventListener('abort', () => cancel(id, reject), { once: true });
      });
      sendInvoke(id, channel, request);
      return (await response) as InvokeChannels[C]['response'];
    },
    subscribe<C extends PushChannel>(channel: C, listener: (payload: PushChannels[C]) => void): () => void {
      let set = listeners.get(channel);
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
        // The bridge ignores everything but `hello` until it has accepted the token.
        void ready.then(() => send({ type: 'subscribe', channel }), () => {});
      }
      const entry = listener as (payload: unknown) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size > 0) return;
        listeners.delete(channel);
        void ready.then(() => send({ type: 'unsubscribe', channel }), () => {});
      };
    },
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
    close() {
      socket.close(1000, 'closed by the page');
    },
  };
}
