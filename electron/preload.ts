/**
 * The preload script: exposes one object, `window.hooktray`, that implements the contract's
 * HooktrayApi over IPC. The page never gets `ipcRenderer` itself, so a delivery rendered by
 * mistake as HTML could still only call the channels listed in the contract.
 */
import type { IpcRendererEvent } from 'electron';
import { contextBridge, ipcRenderer } from 'electron';
import type { HooktrayApi, InvokeChannel, InvokeChannels, PushChannel, PushChannels } from './core/contract';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from './core/contract';
import type { IpcResult, RendererLogLevel } from './ipc-channels';
import { invokeIpcChannel, LOG_IPC_CHANNEL, pushIpcChannel, READY_IPC_CHANNEL, RENDERER_LOG_LEVELS } from './ipc-channels';

/** The global name of the API object in the renderer. */
export const API_GLOBAL_NAME = 'hooktray';

/** Turns a failed IPC result into an error; the code leads the message because contextBridge drops custom properties. */
function unwrap<T>(result: IpcResult<T>): T {
  if (result.ok) return result.value;
  throw new Error(`${result.code}: ${result.message}`);
}

/** Builds the API object on an `ipcRenderer`-like transport; exported for the unit tests. */
export function createPreloadApi(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener' | 'send'>): Required<HooktrayApi> {
  const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
  const forwarders = new Map<PushChannel, (event: IpcRendererEvent, payload: unknown) => void>();

  const subscribe = <C extends PushChannel>(channel: C, listener: (payload: PushChannels[C]) => void): (() => void) => {
    if (!PUSH_CHANNELS.includes(channel)) throw new Error(`Unknown push channel "${String(channel)}": use one of ${PUSH_CHANNELS.join(', ')}.`);
    if (typeof listener !== 'function') throw new Error(`The listener for push channel "${channel}" is not a function.`);

    let set = listeners.get(channel);
    if (set === undefined) {
      const channelListeners = new Set<(payload: unknown) => void>();
      set = channelListeners;
      listeners.set(channel, channelListeners);
      // One IPC listener per channel fans out to every subscriber of that channel.
      const forward = (_event: IpcRendererEvent, payload: unknown): void => {
        for (const each of channelListeners) each(payload);
      };
      forwarders.set(channel, forward);
      ipc.on(pushIpcChannel(channel), forward);
    }
    const entry = listener as (payload: unknown) => void;
    set.add(entry);

    return () => {
      set.delete(entry);
      if (set.size > 0) return;
      const forward = forwarders.get(channel);
      if (forward !== undefined) ipc.removeListener(pushIpcChannel(channel), forward);
      forwarders.delete(channel);
      listeners.delete(channel);
    };
  };

  return {
    invoke: async <C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request']): Promise<InvokeChannels[C]['response']> => {
      if (!INVOKE_CHANNELS.includes(channel)) throw new Error(`Unknown invoke channel "${String(channel)}": use one of ${INVOKE_CHANNELS.join(', ')}.`);
      const result = (await ipc.invoke(invokeIpcChannel(channel), request)) as IpcResult<InvokeChannels[C]['response']>;
      return unwrap(result);
    },
    subscribe,
    ready: async (): Promise<void> => {
      unwrap((await ipc.invoke(READY_IPC_CHANNEL)) as IpcResult<null>);
    },
    log: (level: RendererLogLevel, message: string): void => {
      if (!RENDERER_LOG_LEVELS.includes(level)) return;
      ipc.send(LOG_IPC_CHANNEL, level, String(message));
    },
  };
}

// contextBridge exists only in a renderer; the guard lets unit tests import this file.
// NOTE: contextBridge copies a plain object by assigning each key (CreateProxyForAPI in Electron's
// electron_api_context_bridge.cc), so a "__proto__" key such as a response header of that name is
// likely lost both ways. That is read from the source only, because no test runs Electron itself.
if (process.contextIsolated) contextBridge.exposeInMainWorld(API_GLOBAL_NAME, createPreloadApi(ipcRenderer));
