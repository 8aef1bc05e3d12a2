import { Notification } from 'electron';
import type { DeliverySummary, NotificationSettings, TunnelStatus } from './core/contract';
import type { Logger } from './core/logger';

export interface NotificationSpec {
  kind: 'deliveries' | 'invalid-signatures' | 'tunnel';
  title: string;
  body: string;
}

/** Up to this many deliveries get a notification each; more are grouped into one. */
export const MAX_SINGLE_NOTIFICATIONS = 3;

/**
 * How long deliveries are collected before notifying, in ms. The core pushes every 50 ms,
 * so without this window a steady stream would raise a notification per push.
 */
export const NOTIFICATION_WINDOW_MS = 2000;

function describeDelivery(delivery: DeliverySummary): string {
  return `${delivery.method} ${delivery.path} (${delivery.size} bytes, ${delivery.verdict.status})`;
}

/**
 * Plans the notifications for deliveries collected in one window. Invalid signatures get
 * their own notifications when those are on, and are then left out of the delivery ones,
 * so no delivery is announced twice.
 */
export function planDeliveryNotifications(deliveries: readonly DeliverySummary[], settings: NotificationSettings): NotificationSpec[] {
  const invalid = deliveries.filter((delivery) => delivery.verdict.status === 'invalid');
  const others = settings.invalidSignatures ? deliveries.filter((delivery) => delivery.verdict.status !== 'invalid') : deliveries;
  const specs: NotificationSpec[] = [];

  if (settings.invalidSignatures && invalid.length > 0) {
    if (invalid.length <= MAX_SINGLE_NOTIFICATIONS) {
      for (const delivery of invalid) {
        specs.push({ kind: 'invalid-signatures', title: 'Invalid signature', body: `${delivery.method} ${delivery.path}: ${delivery.verdict.reason}` });
      }
    } else {
      const paths = [...new Set(invalid.map((delivery) => delivery.path))].slice(0, 3).join(', ');
      specs.push({ kind: 'invalid-signatures', title: `${invalid.length} deliveries with invalid signatures`, body: `Paths: ${paths}. Check the keys in Settings.` });
    }
  }

  if (settings.deliveries && others.length > 0) {
    if (others.length <= MAX_SINGLE_NOTIFICATIONS) {
      for (const delivery of others) specs.push({ kind: 'deliveries', title: 'Delivery received', body: describeDelivery(delivery) });
    } else {
      const latest = others.at(-1) as DeliverySummary;
      specs.push({ kind: 'deliveries', title: `${others.length} deliveries received`, body: `Latest: ${describeDelivery(latest)}` });
    }
  }
  return specs;
}

/** Plans the notification for a tunnel status change: down, back online, or a new subdomain. */
export function planTunnelNotification(previous: TunnelStatus | null, next: TunnelStatus, settings: NotificationSettings): NotificationSpec | null {
  if (!settings.tunnel) return null;

  if (next.subdomainChanged !== undefined) {
    const { previousUrl, url } = next.subdomainChanged;
    return { kind: 'tunnel', title: 'Public URL changed', body: `The tunnel server gave ${url} instead of ${previousUrl}. Paste the new URL into your provider's console.` };
  }

  const wasUp = previous?.state === 'online' || previous?.state === 'degraded';
  const isDown = next.state === 'offline' || next.state === 'reconnecting';
  if (wasUp && isDown) {
    const reason = next.reason === null ? '' : ` ${next.reason}`;
    return { kind: 'tunnel', title: 'Tunnel down', body: `Providers cannot reach ${previous?.url ?? 'the public URL'} until it reconnects.${reason}` };
  }
  const wasDown = previous?.state === 'offline' || previous?.state === 'reconnecting';
  if (wasDown && next.state === 'online') {
    return { kind: 'tunnel', title: 'Tunnel back online', body: `Receiving again at ${next.url ?? 'the public URL'}.` };
  }
  return null;
}

export interface NotifierOptions {
  settings: () => NotificationSettings;
  onClick: () => void;
  logger: Logger;
}

/** Shows desktop notifications for deliveries and tunnel changes, grouped per window. */
export class Notifier {
  private pending: DeliverySummary[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastTunnel: TunnelStatus | null = null;

  constructor(private readonly options: NotifierOptions) {}

  addDeliveries(deliveries: readonly DeliverySummary[]): void {
    const settings = this.options.settings();
    if (!settings.deliveries && !settings.invalidSignatures) return;
    this.pending.push(...deliveries);
    this.timer ??= setTimeout(() => this.flush(), NOTIFICATION_WINDOW_MS);
  }

  tunnelChanged(status: TunnelStatus): void {
    const spec = planTunnelNotification(this.lastTunnel, status, this.options.settings());
    this.lastTunnel = status;
    if (spec !== null) this.show(spec);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const deliveries = this.pending;
    this.pending = [];
    for (const spec of planDeliveryNotifications(deliveries, this.options.settings())) this.show(spec);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }

  private show(spec: NotificationSpec): void {
    if (!Notification.isSupported()) return;
    try {
      const notification = new Notification({ title: spec.title, body: spec.body, silent: spec.kind === 'deliveries' });
      notification.on('click', () => this.options.onClick());
      notification.show();
    } catch (error) {
      this.options.logger.warn('notifications: showing a notification failed', { kind: spec.kind, error: String(error) });
    }
  }
}
