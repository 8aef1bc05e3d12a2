import type { WebSocket } from 'ws';
import type { PartMessage } from './wire';
import { splitIntoParts } from './wire';

interface Stream {
  id: number;
  parts: PartMessage[];
  next: number;
}

/**
 * Sends long results as parts, one part at a time: the next part goes out once the previous
 * one reached the socket. When a page reads slowly, the rest waits in this queue instead of
 * the socket's send buffer, and a cancelled result stops between two parts. Several results
 * take turns part by part, so a short one does not wait for a long one.
 */
export class PartOutbox {
  private readonly streams: Stream[] = [];
  private sending = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly partChars: number,
  ) {}

  enqueue(id: number, text: string): void {
    this.streams.push({ id, parts: splitIntoParts(id, text, this.partChars), next: 0 });
    this.sendNext();
  }

  /** Drops the unsent parts of `id`; returns false when nothing of it was queued. */
  cancel(id: number): boolean {
    const index = this.streams.findIndex((stream) => stream.id === id);
    if (index === -1) return false;
    this.streams.splice(index, 1);
    return true;
  }

  clear(): void {
    this.streams.length = 0;
  }

  private sendNext(): void {
    if (this.sending) return;
    const stream = this.streams.shift();
    if (stream === undefined) return;
    if (this.socket.readyState !== this.socket.OPEN) {
      this.clear();
      return;
    }

    const part = stream.parts[stream.next] as PartMessage;
    stream.next += 1;
    if (stream.next < stream.parts.length) this.streams.push(stream);
    this.sending = true;
    this.socket.send(JSON.stringify(part), (error) => {
      this.sending = false;
      if (error !== undefined && error !== null) {
        this.clear();
        return;
      }
      this.sendNext();
    });
  }
}
