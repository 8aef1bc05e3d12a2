import type { WebSocket } from 'ws';

/**
 * Limits on WebSocket connections that have not authenticated yet. Any local process can open
 * one, so both their number and their lifetime are bounded. Neither limit slows a page's own
 * tab, because its upgrade carries the session cookie, which exempts it from the cap, and it
 * sends its hello as soon as the socket opens.
 */

/** Time a new connection has to send a hello that authenticates it, in ms. A page sends its hello as soon as the socket opens. */
export const HELLO_TIMEOUT_MS = 5_000;
/**
 * Connections without a session cookie that may wait for their hello at the same time. Only
 * clients that send the token in their hello, such as scripts, need these places.
 */
export const MAX_WAITING_CONNECTIONS = 16;
/**
 * Time the peer has to complete the closing handshake that the bridge starts, in ms, before
 * the socket is destroyed. The `ws` package (8.x) waits 30 s by default, which would let a
 * client that ignores close frames keep every rejected socket open that long.
 */
const CLOSE_GRACE_MS = 1_000;

/** Counts the connections waiting to authenticate against a cap. */
export class WaitingConnections {
  private waiting = 0;
  private rejected = 0;

  constructor(readonly cap: number) {}

  /** Connections that hold a place now. */
  get count(): number {
    return this.waiting;
  }

  /** Connections rejected because the cap was reached, since the bridge started. */
  get rejectedCount(): number {
    return this.rejected;
  }

  /**
   * Takes a place for a new connection. Returns the function that gives the place back, which
   * may be called more than once, or null when the cap is reached.
   */
  admit(): (() => void) | null {
    if (this.waiting >= this.cap) {
      this.rejected += 1;
      return null;
    }

    this.waiting += 1;
    let placeTaken = true;
    return () => {
      if (!placeTaken) return;
      placeTaken = false;
      this.waiting -= 1;
    };
  }
}

/** Closes a WebSocket with a code and reason, and destroys it when the peer does not complete the closing handshake within CLOSE_GRACE_MS. */
export function closeWithReason(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
