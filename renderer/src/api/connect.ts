import type { HooktrayApi } from '../../../electron/core/contract';
import type { WebSocketApi, WebSocketLike } from './ws-client';
import { connectWebSocketApi } from './ws-client';

declare global {
  interface Window {
    /** The typed API the Electron preload exposes; absent in a browser. */
    hooktray?: HooktrayApi;
  }
}

export type Connection = { transport: 'electron'; api: HooktrayApi } | { transport: 'browser'; api: WebSocketApi };

/**
 * Picks the transport: the preload's API inside Electron, otherwise a WebSocket to the
 * `hooktray ui` bridge that served this page. The bridge moved the URL's token into a
 * session cookie, which the WebSocket upgrade carries; a token still in the URL is sent too.
 */
export function connect(): Connection {
  if (window.hooktray !== undefined) return { transport: 'electron', api: window.hooktray };

  const token = new URLSearchParams(window.location.search).get('token');
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api`;
  const api = connectWebSocketApi({ url, token, createSocket: (target) => new WebSocket(target) as unknown as WebSocketLike });
  return { transport: 'browser', api };
}

/** Returns true when the page talks to the core through the `hooktray ui` bridge, which limits the size of a request. */
export function usesBrowserBridge(): boolean {
  return window.hooktray === undefined;
}
