import type { HooktrayApi, InvokeChannel, InvokeChannels } from '../../../electron/core/contract';
import type { WebSocketApi } from './ws-client';

function isWebSocketApi(api: HooktrayApi): api is WebSocketApi {
  return typeof (api as Partial<WebSocketApi>).onDisconnect === 'function';
}

/**
 * Invokes a channel that `signal` can cancel. Over the browser bridge a cancel stops the
 * transfer of the result. The Electron preload's IPC has no cancel and gets no signal, so
 * there the caller drops a result that arrives after the abort.
 */
export function invokeCancellable<C extends InvokeChannel>(api: HooktrayApi, channel: C, request: InvokeChannels[C]['request'], signal: AbortSignal): Promise<InvokeChannels[C]['response']> {
  if (isWebSocketApi(api)) return api.invoke(channel, request, { signal });
  return api.invoke(channel, request);
}
