import type { WebSocket } from 'ws';
import { z } from 'zod';
import { parseInvokeRequest } from '../contract-schemas';
import type { HooktrayApi, InvokeChannel, PushChannel } from '../contract';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../contract';
import type { Logger } from '../logger';
import { closeWithReason } from './admission';
import { tokenMatches } from './guard';
import { PartOutbox } from './part-outbox';
import type { ServerMessage } from './wire';
import { CLOSE_PROTOCOL_ERROR, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED, PartAssembler, SERVER_PART_CHARS, WireFormatError, fromWire, toWire } from './wire';

/** Unsent bytes at which a connection is closed instead of buffering more pushes. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Message text the bridge holds for requests still arriving in parts, such as files to import. */
const MAX_REQUEST_CHARS = 256 * 1024 * 1024;

const invokeId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: z.string().max(256).nullable() }),
  z.strictObject({
    type: z.literal('invoke'),
    id: invokeId,
    channel: z.string().max(100),
    request: z.unknown().optional(),
  }),
  z.strictObject({ type: z.literal('cancel'), id: invokeId }),
  z.strictObject({ type: z.literal('part'), id: invokeId, text: z.string(), final: z.boolean() }),
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
  /** Called once, when the hello authenticated the connection. */
  onAuthenticated: () => void;
}

/**
 * Runs the bridge protocol on one WebSocket: a `hello` with the token (or a session cookie
 * on the upgrade), then invokes validated against the channel schemas and push subscriptions.
 */
export function runSession(socket: WebSocket, options: SessionOptions): void {
  new BridgeSession(socket, options);
}

type ParsedMessage = z.infer<typeof clientMessage>;
type ResultMessage = Extract<ServerMessage, { type: 'result' }>;

/**
 * One connection's state. Requests and results longer than a frame travel as parts. A
 * `cancel` from the page drops the result of that invoke, or the parts of it not yet sent,
 * but lets the handler finish: cancelling saves the transfer, not the work.
 */
class BridgeSession {
  private readonly subscriptions = new Map<PushChannel, () => void>();
  private readonly outbox: PartOutbox;
  private readonly incomingParts = new PartAssembler(MAX_REQUEST_CHARS);
  /** Ids whose parts passed MAX_REQUEST_CHARS; their remaining parts are ignored. */
  private readonly refusedParts = new Set<number>();
  private readonly inFlight = new Set<number>();
  private readonly cancelled = new Set<number>();
  private ready = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: SessionOptions,
  ) {
    this.outbox = new PartOutbox(socket, SERVER_PART_CHARS);
    socket.on('close', () => this.closed());
    socket.on('message', (data, isBinary) => {
      const parsed = isBinary ? null : parseMessage(data.toString());
      if (parsed === null) {
        this.reject(CLOSE_PROTOCOL_ERROR, 'Expected a JSON text message of the bridge protocol.');
        return;
      }
      this.handle(parsed);
    });
  }

  private closed(): void {
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
    this.outbox.clear();
    this.incomingParts.clear();
  }

  private handle(message: ParsedMessage): void {
    if (!this.ready) {
      this.hello(message);
      return;
    }
    switch (message.type) {
      case 'invoke':
        this.invoke(message.id, message.channel, message.request);
        break;
      case 'part':
        this.part(message);
        break;
      case 'cancel':
        this.cancel(message.id);
        break;
      case 'subscribe':
        this.subscribe(message.channel);
        break;
      case 'unsubscribe':
        this.subscriptions.get(message.channel)?.();
        this.subscriptions.delete(message.channel);
        break;
      case 'hello':
        break;
    }
  }

  private hello(message: ParsedMessage): void {
    if (message.type !== 'hello') return this.reject(CLOSE_UNAUTHORIZED, 'The first message must be hello.');
    if (!this.options.cookieAuthenticated && !tokenMatches(message.token, this.options.token)) return this.reject(CLOSE_UNAUTHORIZED, 'Missing or invalid token.');
    this.ready = true;
    this.options.onAuthenticated();
    this.sendText(JSON.stringify({ type: 'ready' } satisfies ServerMessage));
  }

  private subscribe(channel: PushChannel): void {
    if (this.subscriptions.has(channel)) return;
    const unsubscribe = this.options.api.subscribe(channel, (payload) => this.sendText(JSON.stringify({ type: 'push', channel, payload: toWire(payload) } satisfies ServerMessage)));
    this.subscriptions.set(channel, unsubscribe);
  }

  private invoke(id: number, channel: string, request: unknown): void {
    const { api, logger, label } = this.options;
    this.inFlight.add(id);
    void invoke(api, id, channel, request, logger, label)
      // An unhandled rejection would end the process, so a throw outside the handler gets a result too.
      .catch((error: unknown) => failedResult(id, channel, error, logger, label))
      .then((result) => {
        this.inFlight.delete(id);
        if (this.cancelled.delete(id)) return;
        this.sendResult(result);
      });
  }

  private part(message: Extract<ParsedMessage, { type: 'part' }>): void {
    if (this.refusedParts.has(message.id)) {
      if (message.final) this.refusedParts.delete(message.id);
      return;
    }

    const joined = this.incomingParts.add(message);
    if (joined.status === 'incomplete') return;
    if (joined.status === 'too-large') {
      if (!message.final) this.refusedParts.add(message.id);
      this.options.logger.warn('bridge: request too large; rejected', { connection: this.options.label, id: message.id, chars: joined.chars });
      const limitMiB = MAX_REQUEST_CHARS / 1024 / 1024;
      const text = `The request is over the browser bridge's limit of ${limitMiB} MiB: import files that large with "hooktray import PATH".`;
      this.sendResult({ type: 'result', id: message.id, ok: false, error: { code: 'invalid-request', message: text } });
      return;
    }

    const whole = parseMessage(joined.text);
    if (whole?.type !== 'invoke' || whole.id !== message.id) {
      this.reject(CLOSE_PROTOCOL_ERROR, 'Expected the parts of a message to join into an invoke with the same id.');
      return;
    }
    this.invoke(whole.id, whole.channel, whole.request);
  }

  private cancel(id: number): void {
    if (this.inFlight.has(id)) this.cancelled.add(id);
    else this.outbox.cancel(id);
  }

  /** Sends a result in one frame, or in parts through the outbox when it is long. */
  private sendResult(result: ResultMessage): void {
    const text = JSON.stringify(result);
    if (text.length <= SERVER_PART_CHARS) this.sendText(text);
    else this.outbox.enqueue(result.id, text);
  }

  private sendText(text: string): void {
    const { socket, options } = this;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      options.logger.warn('bridge: page is not reading its messages; closing the connection', { connection: options.label, buffered: socket.bufferedAmount });
      socket.close(CLOSE_TRY_AGAIN_LATER, 'The page fell behind; reload it.');
      return;
    }
    socket.send(text);
  }

  private reject(code: number, reason: string): void {
    this.options.logger.warn('bridge: connection rejected', { connection: this.options.label, code, reason, authenticated: this.ready });
    closeWithReason(this.socket, code, reason);
  }
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

async function invoke(api: HooktrayApi, id: number, name: string, request: unknown, logger: Logger, label: string): Promise<ResultMessage> {
  if (!(INVOKE_CHANNELS as readonly string[]).includes(name)) {
    return { type: 'result', id, ok: false, error: { code: 'unknown-channel', message: `Unknown channel "${name}": the page and hooktray ui are different versions; reload the page.` } };
  }
  const channel = name as InvokeChannel;
  let decoded: unknown;
  try {
    decoded = fromWire(request);
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    logger.warn('bridge: request that cannot be decoded rejected', { connection: label, channel, id, problem: error.message });
    return { type: 'result', id, ok: false, error: { code: 'invalid-request', message: `Invalid request on channel "${channel}": it contains ${error.message}, which no request of the contract has; reload the page.` } };
  }
  const check = parseInvokeRequest(channel, decoded);
  if (!check.ok) return { type: 'result', id, ok: false, error: { code: 'invalid-request', message: check.message } };

  try {
    const response = await api.invoke(channel, check.request as never);
    return { type: 'result', id, ok: true, response: toWire(response) };
  } catch (error) {
    return failedResult(id, channel, error, logger, label);
  }
}

function failedResult(id: number, channel: string, error: unknown, logger: Logger, label: string): ResultMessage {
  logger.error('bridge: handler failed', { connection: label, channel, error: String(error) });
  return { type: 'result', id, ok: false, error: { code: 'internal-error', message: `Hooktray failed to handle "${channel}" (${String(error)}); see the log in the data folder.` } };
}
