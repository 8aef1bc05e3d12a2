/**
 * Electron IPC channel names, shared by main (`ipc.ts`) and the preload. Each contract
 * channel gets its own IPC channel, so main registers one handler per contract channel
 * and never dispatches on a name sent by the renderer.
 */
import type { InvokeChannel, PushChannel } from './core/contract';

export function invokeIpcChannel(channel: InvokeChannel): string {
  return `hooktray:invoke:${channel}`;
}

export function pushIpcChannel(channel: PushChannel): string {
  return `hooktray:push:${channel}`;
}

/** The renderer invokes this once its subscriptions are in place; main then sends queued pushes. */
export const READY_IPC_CHANNEL = 'hooktray:ready';

/** Renderer log lines, sent one way to main's log file. */
export const LOG_IPC_CHANNEL = 'hooktray:log';

export const RENDERER_LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type RendererLogLevel = (typeof RENDERER_LOG_LEVELS)[number];

/** Stable codes of the failures an invoke can report to the renderer. */
export type IpcErrorCode = 'foreign-sender' | 'invalid-request' | 'handler-failed';

/** Result of every invoke handler; the preload turns a failure into a rejected promise. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; code: IpcErrorCode; message: string };
