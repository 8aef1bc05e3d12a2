import type { WebSocket } from 'ws';
import { z } from 'zod';
import { parseInvokeRequest } from '../contract-schemas';
import type { HooktrayApi, InvokeChannel, PushChannel } from '../contract';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../contract';
import type { Logger } from '../logger';
import { closeWithReason } from './admission';
import { tokenMatches } from './guard';
import { PartOutbox } from './part-outbox';
import type { RequestBudget } from './request-budget';
import type { InvokeErrorCode, PartMessage, ServerMessage } from './wire';
import { CLOSE_PROTOCOL_ERROR, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED, MAX_REQUEST_CHARS, PartAssembler, SERVER_PART_CHARS, WireFormatError, fromWire, toWire } from './wire';

/** Unsent bytes at which a connection is closed instead of buffering more pushes. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

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
  /** Message text of requests in parts, shared by all connections of the bridge. */
  requestBudget: RequestBudget;
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
  /** Ids whose parts were rejected for a limit; their remaining parts are ignored. */
  private readonly refusedParts = new Set<number>();
  /** Characters reserved in the shared budget for the parts of each id still arriving. */
  private readonly reservedChars = new Map<number, number>();
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
    // Requests already joined keep their reservation until their handler finishes.
    for (const chars of this.reservedChars.values()) this.options.requestBudget.release(chars);
    this.reservedChars.clear();
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

  /** Runs an invoke. A request that arrived in parts brings its `reservedChars` of the shared budget, released when the invoke settles. */
  private invoke(id: number, channel: string, request: unknown, reservedChars = 0): void {
    const { api, logger, label } = this.options;
    this.inFlight.add(id);
    void invoke(api, id, channel, request, logger, label)
      // An unhandled rejection would end the process, so a throw outside the handler gets a result too.
      .catch((error: unknown) => failedResult(id, channel, error, logger, label))
      .then((result) => {
        this.options.requestBudget.release(reservedChars);
        this.inFlight.delete(id);
        if (this.cancelled.delete(id)) return;
        this.sendResult(result);
      });
  }

  private part(message: PartMessage): void {
    const { id } = message;
    if (this.refusedParts.has(id)) {
      if (message.final) this.refusedParts.delete(id);
      return;
    }

    const { requestBudget: budget, logger, label } = this.options;
    const joined = this.incomingParts.add(message);
    if (joined.status === 'too-large') {
      this.ignoreRemainingParts(message);
      logger.warn('bridge: request too large; rejected', { connection: label, id, chars: joined.chars, maxChars: MAX_REQUEST_CHARS });
      const text = `The request is over the browser bridge's limit of ${mebibytes(MAX_REQUEST_CHARS)}: import files that large with "hooktray import PATH".`;
      this.sendError(id, 'invalid-request', text);
      return;
    }
    if (!budget.reserve(message.text.length)) {
      const otherChars = budget.heldChars - (this.reservedChars.get(id) ?? 0);
      this.incomingParts.drop(id);
      this.ignoreRemainingParts(message);
      logger.warn('bridge: request rejected; the requests of all connections are at their shared limit', { connection: label, id, heldChars: budget.heldChars, maxChars: budget.maxChars });
      const text = `Hooktray is still receiving or handling ${mebibytes(otherChars)} of other requests, such as an import in another tab, and this request would exceed the browser bridge's limit of ${mebibytes(budget.maxChars)} for all requests together. Retry once they finish.`;
      this.sendError(id, 'busy', text);
      return;
    }
    this.reservedChars.set(id, (this.reservedChars.get(id) ?? 0) + message.text.length);
    if (joined.status === 'incomplete') return;

    const reserved = this.takeReservation(id);
    const whole = parseMessage(joined.text);
    if (whole?.type !== 'invoke' || whole.id !== id) {
      budget.release(reserved);
      this.reject(CLOSE_PROTOCOL_ERROR, 'Expected the parts of a message to join into an invoke with the same id.');
      return;
    }
    this.invoke(whole.id, whole.channel, whole.request, reserved);
  }

  /** Ignores the parts of this message's id that are still to come, and releases the id's reservation. */
  private ignoreRemainingParts(message: PartMessage): void {
    this.options.requestBudget.release(this.takeReservation(message.id));
    if (!message.final) this.refusedParts.add(message.id);
  }

  /** Removes the reservation of `id` from this connection's parts and returns its characters. */
  private takeReservation(id: number): number {
    const chars = this.reservedChars.get(id) ?? 0;
    this.reservedChars.delete(id);
    return chars;
  }

  private cancel(id: number): void {
    if (this.inFlight.has(id)) this.cancelled.add(id);
    else this.outbox.cancel(id);
  }

  private sendError(id: number, code: InvokeErrorCode, message: string): void {
    this.sendResult({ type: 'result', id, ok: false, error: { code, message } });
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

function mebibytes(chars: number): string {
  return `${Math.ceil(chars / 1024 / 1024)} MiB`;
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
