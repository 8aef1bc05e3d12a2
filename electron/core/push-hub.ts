import type { DeliverySummary, PushChannel, PushChannels } from './contract';
import { PUSH_BATCH_INTERVAL_MS, PUSH_BATCH_MAX } from './contract';

type Listener<C extends PushChannel> = (payload: PushChannels[C]) => void;

/**
 * Fans pushes out to every subscriber of a channel. New delivery summaries are collected and
 * sent in batches (every PUSH_BATCH_INTERVAL_MS or PUSH_BATCH_MAX items, whichever is first),
 * so a burst of deliveries costs the UI a few updates instead of one per delivery.
 */
export class PushHub {
  private readonly listeners = new Map<PushChannel, Set<Listener<PushChannel>>>();
  private queued: DeliverySummary[] = [];
  private timer: NodeJS.Timeout | null = null;

  subscribe<C extends PushChannel>(channel: C, listener: Listener<C>): () => void {
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener as Listener<PushChannel>);
    return () => set.delete(listener as Listener<PushChannel>);
  }

  publish<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }

  /** Queues a new delivery's summary for the next `deliveries.added` batch. */
  queueDelivery(summary: DeliverySummary): void {
    this.queued.push(summary);
    if (this.queued.length >= PUSH_BATCH_MAX) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), PUSH_BATCH_INTERVAL_MS);
    }
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.publish('deliveries.added', batch);
  }
}
