import { z } from 'zod';
import type { InvokeChannel, PushChannel, PushChannels } from './core/contract';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from './core/contract';
import { parseInvokeRequest } from './core/contract-schemas';
import type { InvokeHandlers } from './core/hooktray-core';
import type { Logger } from './core/logger';
import type { IpcResult, RendererLogLevel } from './ipc-channels';
import { invokeIpcChannel, LOG_IPC_CHANNEL, pushIpcChannel, READY_IPC_CHANNEL, RENDERER_LOG_LEVELS } from './ipc-channels';
import type { RendererTarget } from './window';
import { isAppUrl } from './window';

/** The parts of an IPC event that the sender check reads. */
export interface IpcSenderEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

/** The window whose page may call the API, or null before it exists. */
export interface TrustedWindow {
  webContents: { id: number; isDestroyed(): boolean; send(channel: string, payload: unknown): void };
}

/** The part of Electron's `ipcMain` used here, typed by what the handlers read. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): unknown;
}

export interface PushSource {
  subscribe<C extends PushChannel>(channel: C, listener: (payload: PushChannels[C]) => void): () => void;
}

/**
 * Maximum delivery summaries queued while the renderer is not ready. Dropping the oldest
 * beyond it loses nothing, because the store has every delivery and the renderer reads its
 * first page from there. The cap bounds memory while the window is not loaded.
 */
export const MAX_QUEUED_DELIVERIES = 10_000;

/** Renderer log lines accepted per second; the rest are counted and reported as one line. */
const RENDERER_LOG_LINES_PER_SECOND = 50;
const MAX_RENDERER_LOG_LENGTH = 2000;

/**
 * Returns true when an IPC message comes from the app's own window and its top frame shows
 * the app's page. Anything else, such as a frame that navigated elsewhere, is foreign.
 */
export function isTrustedSender(event: IpcSenderEvent, window: TrustedWindow | null, target: RendererTarget): boolean {
  if (window === null || window.webContents.isDestroyed()) return false;
  if (event.sender.id !== window.webContents.id) return false;
  if (event.senderFrame === null) return false;
  return isAppUrl(event.senderFrame.url, target);
}

/**
 * Sends pushes to the renderer, holding them until the renderer signals that it is ready. Without
 * the queue, a delivery that arrives while the page loads would be pushed before anyone
 * listens and would only show up after a reload.
 */
export class PushDispatcher {
  private ready = false;
  private queue: { channel: PushChannel; payload: unknown }[] = [];
  private queuedDeliveries = 0;
  private droppedDeliveries = 0;

  constructor(
    private readonly send: (channel: PushChannel, payload: unknown) => void,
    private readonly logger: Logger,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  push<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
    if (this.ready) {
      this.send(channel, payload);
      return;
    }
    this.queue.push({ channel, payload });
    if (channel === 'deliveries.added') this.queuedDeliveries += (payload as PushChannels['deliveries.added']).length;
    this.dropOldestDeliveries();
  }

  /** Sends everything queued, in arrival order, then sends pushes as they come. */
  markReady(): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedDeliveries = 0;
    this.ready = true;
    if (this.droppedDeliveries > 0) {
      this.logger.warn('ipc: dropped queued delivery pushes while the renderer was not ready; it reads them from the store', { dropped: this.droppedDeliveries });
      this.droppedDeliveries = 0;
    }
    for (const { channel, payload } of queued) this.send(channel, payload);
  }

  /** Queues again, after the renderer reloaded or crashed and until it signals ready anew. */
  reset(): void {
    this.ready = false;
  }

  private dropOldestDeliveries(): void {
    while (this.queuedDeliveries > MAX_QUEUED_DELIVERIES) {
      const index = this.queue.findIndex((entry) => entry.channel === 'deliveries.added');
      if (index < 0) return;
      const [entry] = this.queue.splice(index, 1);
      const count = (entry?.payload as unknown[]).length;
      this.queuedDeliveries -= count;
      this.droppedDeliveries += count;
    }
  }
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  handlers: InvokeHandlers;
  pushes: PushSource;
  getWindow: () => TrustedWindow | null;
  target: RendererTarget;
  logger: Logger;
  /** Path of the log file, named in failure messages so the user can find the details. */
  logFile: string;
  now?: () => number;
}

export interface IpcRegistration {
  dispatcher: PushDispatcher;
  /** Removes every handler and push subscription. */
  dispose(): void;
}

/**
 * Registers one IPC handler per invoke channel of the contract, the ready signal, the log
 * forwarder, and a push subscription per push channel. Every handler checks the sender
 * and validates its arguments before calling the core.
 */
export function registerIpc(options: IpcOptions): IpcRegistration {
  const { ipcMain, logger } = options;
  const trusted = (event: IpcSenderEvent): boolean => isTrustedSender(event, options.getWindow(), options.target);

  const dispatcher = new PushDispatcher((channel, payload) => {
    const window = options.getWindow();
    if (window === null || window.webContents.isDestroyed()) return;
    window.webContents.send(pushIpcChannel(channel), payload);
  }, logger);

  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(invokeIpcChannel(channel), (event, request) => invoke(channel, event, request, trusted, options));
  }

  ipcMain.handle(READY_IPC_CHANNEL, (event): IpcResult<null> => {
    if (!trusted(event)) return foreignSender(READY_IPC_CHANNEL, event, logger);
    dispatcher.markReady();
    return { ok: true, value: null };
  });

  const forwardLog = createRendererLogForwarder(logger, options.now ?? Date.now);
  const onLog = (event: IpcSenderEvent, level: unknown, message: unknown): void => {
    if (!trusted(event)) {
      foreignSender(LOG_IPC_CHANNEL, event, logger);
      return;
    }
    forwardLog(level, message);
  };
  ipcMain.on(LOG_IPC_CHANNEL, onLog);

  const unsubscribes = PUSH_CHANNELS.map((channel) => options.pushes.subscribe(channel, (payload) => dispatcher.push(channel, payload)));

  return {
    dispatcher,
    dispose: () => {
      for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(invokeIpcChannel(channel));
      ipcMain.removeHandler(READY_IPC_CHANNEL);
      ipcMain.removeListener(LOG_IPC_CHANNEL, onLog);
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}

async function invoke<C extends InvokeChannel>(
  channel: C,
  event: IpcSenderEvent,
  request: unknown,
  trusted: (event: IpcSenderEvent) => boolean,
  options: IpcOptions,
): Promise<IpcResult<unknown>> {
  if (!trusted(event)) return foreignSender(channel, event, options.logger);

  const parsed = parseInvokeRequest(channel, request);
  if (!parsed.ok) {
    options.logger.warn('ipc: invalid request rejected', { channel, message: parsed.message });
    return { ok: false, code: 'invalid-request', message: parsed.message };
  }

  const handler = options.handlers[channel] as (request: unknown) => Promise<unknown>;
  try {
    return { ok: true, value: await handler(parsed.request) };
  } catch (error) {
    options.logger.error('ipc: handler failed', { channel, error: String(error) });
    return {
      ok: false,
      code: 'handler-failed',
      message: `The request on channel "${channel}" failed: ${(error as Error).message ?? String(error)}. Details are in ${options.logFile}.`,
    };
  }
}

function foreignSender(channel: string, event: IpcSenderEvent, logger: Logger): IpcResult<never> {
  logger.warn('ipc: request from a foreign sender rejected', { channel, senderId: event.sender.id, url: event.senderFrame?.url ?? null });
  return {
    ok: false,
    code: 'foreign-sender',
    message: `The request on channel "${channel}" came from a page other than Hooktray's window and was rejected.`,
  };
}

const rendererLogLine = z.tuple([z.enum(RENDERER_LOG_LEVELS), z.string()]);

/**
 * Returns a function that writes renderer log lines to main's log, at most
 * RENDERER_LOG_LINES_PER_SECOND per second, so a renderer stuck in a loop cannot fill the disk.
 */
export function createRendererLogForwarder(logger: Logger, now: () => number): (level: unknown, message: unknown) => void {
  let windowStart = 0;
  let linesInWindow = 0;
  let dropped = 0;

  return (level, message) => {
    const parsed = rendererLogLine.safeParse([level, message]);
    if (!parsed.success) {
      logger.warn('ipc: invalid renderer log line ignored', { level: typeof level === 'string' ? level : typeof level });
      return;
    }

    const time = now();
    if (time - windowStart >= 1000) {
      if (dropped > 0) logger.warn('renderer: log lines dropped by the rate limit', { dropped });
      windowStart = time;
      linesInWindow = 0;
      dropped = 0;
    }
    if (linesInWindow >= RENDERER_LOG_LINES_PER_SECOND) {
      dropped += 1;
      return;
    }
    linesInWindow += 1;

    const [lineLevel, text] = parsed.data as [RendererLogLevel, string];
    logger[lineLevel](`renderer: ${text.slice(0, MAX_RENDERER_LOG_LENGTH)}`);
  };
}

/** How long after a page load main waits for the ready signal before sending queued pushes anyway, in ms. */
export const READY_FALLBACK_MS = 10_000;
/** Minimum time between two automatic reloads after renderer crashes, in ms, so a crash loop stays slow. */
const CRASH_RELOAD_INTERVAL_MS = 10_000;

export interface RendererEvents {
  on(event: 'did-start-navigation', listener: (details: { isMainFrame: boolean; isSameDocument: boolean }) => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  reload(): void;
}

/**
 * Queues pushes again whenever the page reloads or its process dies, and reloads a crashed
 * page. The page reads the store again on load, so pushes it missed while down are not needed.
 * A page that never signals ready gets its queued pushes after READY_FALLBACK_MS, with a warning.
 */
export function watchRendererLifecycle(webContents: RendererEvents, dispatcher: PushDispatcher, logger: Logger, now: () => number = Date.now): void {
  let fallback: NodeJS.Timeout | null = null;
  let lastCrashReload = Number.NEGATIVE_INFINITY;

  webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) dispatcher.reset();
  });

  webContents.on('did-finish-load', () => {
    if (fallback !== null) clearTimeout(fallback);
    fallback = setTimeout(() => {
      fallback = null;
      if (dispatcher.isReady) return;
      logger.warn('ipc: the renderer did not signal ready after loading; sending queued pushes anyway', { queued: dispatcher.queuedCount });
      dispatcher.markReady();
    }, READY_FALLBACK_MS);
    fallback.unref();
  });

  webContents.on('render-process-gone', (_event, details) => {
    dispatcher.reset();
    logger.error('window: renderer process gone', { reason: details.reason, exitCode: details.exitCode });
    if (details.reason === 'clean-exit') return;
    if (now() - lastCrashReload < CRASH_RELOAD_INTERVAL_MS) {
      logger.error('window: renderer crashed again within 10 s; not reloading it. Open Hooktray from the tray to retry.');
      return;
    }
    lastCrashReload = now();
    webContents.reload();
  });
}
