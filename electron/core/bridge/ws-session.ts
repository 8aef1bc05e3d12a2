import type { WebSocket } from 'ws';
import { z } from 'zod';
import { parseInvokeRequest } from '../contract-schemas';
import type { HooktrayApi, InvokeChannel, PushChannel } from '../contract';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../contract';
import type { Logger } from '../logger';
import { tokenMatches } from './guard';
import type { ServerMessage } from './wire';
import { CLOSE_PROTOCOL_ERROR, CLOSE_UNAUTHORIZED, toWire } from './wire';

/** Time a new connection has to send its `hello`, in ms. */
const HELLO_TIMEOUT_MS = 10_000;
/** Unsent bytes at which a connection is closed instead of buffering more pushes. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: z.string().max(256).nullable() }),
  z.strictObject({
    type: z.literal('invoke'),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(100),
    request: z.unknown().optional(),
  }),
  z.strictObject({ type: z.literal('subscribe'), channel: z.enum(PUSH_CHANNELS as [PushChannel, ...PushChannel[]]) }),
  z.strictObject({ type: z.literal('unsubscribe'), channel: z.enum(PUSH_CHANNELS as [PushChannel, ...PushChannel[]]) }),
]);

export interface SessionOptions {
  api: HooktrayApi;
  token: string;
  /** True when the upgrade request carried a valid session cookie. */
  cookieAuthenticated: boolean;
  logger: Logger;
  /** Identifies the connection in log lines. */
  label: string;
}

/**
 * Runs the bridge protocol on one WebSocket: a `hello` with the token (or a session cookie
 * on the upgrade), then invokes validated against the channel schemas and push subscriptions.
 */
export function runSession(socket: WebSocket, options: SessionOptions): void {
  const { api, logger, label } = options;
  const subscriptions = new Map<PushChannel, () => void>();
  let ready = false;

  const send = (message: ServerMessage): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn('bridge: page is not reading its messages; closing the connection', { connection: label, buffered: socket.bufferedAmount });
      socket.close(1013, 'The page fell behind; reload it.');
      return;
    }
    socket.send(JSON.stringify(message));
  };
  const reject = (code: number, reason: string): void => {
    logger.warn('bridge: connection rejected', { connection: label, code, reason });
    socket.close(code, reason);
  };

  const helloTimer = setTimeout(() => reject(CLOSE_UNAUTHORIZED, 'No hello message within 10 s.'), HELLO_TIMEOUT_MS);
  socket.on('close', () => {
    clearTimeout(helloTimer);
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  });

  socket.on('message', (data, isBinary) => {
    const parsed = isBinary ? null : parseMessage(data.toString());
    if (parsed === null) {
      reject(CLOSE_PROTOCOL_ERROR, 'Expected a JSON text message of the bridge protocol.');
      return;
    }

    if (!ready) {
      if (parsed.type !== 'hello') return reject(CLOSE_UNAUTHORIZED, 'The first message must be hello.');
      if (!options.cookieAuthenticated && !tokenMatches(parsed.token, options.token)) return reject(CLOSE_UNAUTHORIZED, 'Missing or invalid token.');
      clearTimeout(helloTimer);
      ready = true;
      send({ type: 'ready' });
      return;
    }

    if (parsed.type === 'invoke') {
      void invoke(api, parsed.id, parsed.channel, parsed.request, logger, label).then(send);
    } else if (parsed.type === 'subscribe' && !subscriptions.has(parsed.channel)) {
      const channel = parsed.channel;
      subscriptions.set(channel, api.subscribe(channel, (payload) => send({ type: 'push', channel, payload: toWire(payload) })));
    } else if (parsed.type === 'unsubscribe') {
      subscriptions.get(parsed.channel)?.();
      subscriptions.delete(parsed.channel);
    }
  });
}

function parseMessage(text: string): z.infer<typeof clientMessage> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = clientMessage.safeParse(json);
  return result.success ? result.data : null;
}

async function invoke(api: HooktrayApi, id: number, name: string, request: unknown, logger: Logger, label: string): Promise<ServerMessage> {
  if (!(INVOKE_CHANNELS as readonly string[]).includes(name)) {
    return { type: 'result', id, ok: false, error: { code: 'unknown-channel', message: `Unknown channel "${name}": the page and hooktray ui are different versions; reload the page.` } };
  }
  const channel = name as InvokeChannel;
  const check = parseInvokeRequest(channel, request);
  if (!check.ok) return { type: 'result', id, ok: false, error: { code: 'invalid-request', message: check.message } };

  try {
    const response = await api.invoke(channel, check.request as never);
    return { type: 'result', id, ok: true, response: toWire(response) };
  } catch (error) {
    logger.error('bridge: handler failed', { connection: label, channel, error: String(error) });
    return { type: 'result', id, ok: false, error: { code: 'internal-error', message: `Hooktray failed to handle "${channel}" (${String(error)}); see the log in the data folder.` } };
  }
}
