import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeliverySummary, NotificationSettings, TunnelStatus, VerdictStatus } from '../../electron/core/contract';
import { silentLogger } from '../../electron/core/logger';
import { MAX_SINGLE_NOTIFICATIONS, NOTIFICATION_WINDOW_MS, Notifier, planDeliveryNotifications, planTunnelNotification } from '../../electron/notifications';
import { FakeNotification, resetFakeElectron } from '../support/fake-electron';

const ALL_ON: NotificationSettings = { deliveries: true, invalidSignatures: true, tunnel: true };
const ALL_OFF: NotificationSettings = { deliveries: false, invalidSignatures: false, tunnel: false };

function delivery(index: number, status: VerdictStatus = 'valid'): DeliverySummary {
  return {
    id: `01JRZ${String(index).padStart(21, '0')}`,
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: `/spike/${index}`,
    size: 120,
    truncated: false,
    truncatedReason: null,
    verdict: { status, scheme: 'spike', profile: 'spike', reason: status === 'invalid' ? 'No key matched the X-Body-Signature header.' : 'Key 1 matched.' },
    spike: null,
    retryOf: null,
    bodySha256: 'ab',
  };
}

describe('planDeliveryNotifications', () => {
  it('notifies each of a few deliveries', () => {
    const specs = planDeliveryNotifications([delivery(1), delivery(2)], ALL_ON);
    expect(specs.map((spec) => spec.body)).toEqual(['POST /spike/1 (120 bytes, valid)', 'POST /spike/2 (120 bytes, valid)']);
  });

  it('groups many deliveries into one', () => {
    const deliveries = Array.from({ length: MAX_SINGLE_NOTIFICATIONS + 5 }, (_, index) => delivery(index));
    const specs = planDeliveryNotifications(deliveries, ALL_ON);
    expect(specs).toHaveLength(1);
    expect(specs[0]?.title).toBe(`${deliveries.length} deliveries received`);
  });

  it('announces an invalid signature once', () => {
    const specs = planDeliveryNotifications([delivery(1, 'invalid'), delivery(2)], ALL_ON);
    expect(specs.map((spec) => spec.kind)).toEqual(['invalid-signatures', 'deliveries']);
    expect(specs[0]?.body).toBe('POST /spike/1: No key matched the X-Body-Signature header.');
  });

  it('groups many invalid signatures', () => {
    const deliveries = Array.from({ length: 10 }, (_, index) => delivery(index, 'invalid'));
    const specs = planDeliveryNotifications(deliveries, ALL_ON);
    expect(specs).toHaveLength(1);
    expect(specs[0]?.title).toBe('10 deliveries with invalid signatures');
  });

  it('keeps invalid deliveries in the delivery notice when their own notice is off', () => {
    const specs = planDeliveryNotifications([delivery(1, 'invalid')], { ...ALL_ON, invalidSignatures: false });
    expect(specs.map((spec) => spec.kind)).toEqual(['deliveries']);
  });

  it('shows nothing when turned off', () => {
    expect(planDeliveryNotifications([delivery(1, 'invalid'), delivery(2)], ALL_OFF)).toEqual([]);
  });
});

describe('planTunnelNotification', () => {
  const online: TunnelStatus = { state: 'online', url: 'https://a.loca.lt', reason: null };
  const reconnecting: TunnelStatus = { state: 'reconnecting', url: null, reason: 'The connection dropped.', attempt: 1 };

  it('announces the tunnel going down', () => {
    const spec = planTunnelNotification(online, reconnecting, ALL_ON);
    expect(spec?.title).toBe('Tunnel down');
    expect(spec?.body).toContain('https://a.loca.lt');
  });

  it('announces a changed subdomain', () => {
    const changed: TunnelStatus = { state: 'online', url: 'https://b.loca.lt', reason: null, subdomainChanged: { previousUrl: 'https://a.loca.lt', url: 'https://b.loca.lt' } };
    const spec = planTunnelNotification(reconnecting, changed, ALL_ON);
    expect(spec?.title).toBe('Public URL changed');
    expect(spec?.body).toContain('https://b.loca.lt');
  });

  it('announces the tunnel back online', () => {
    expect(planTunnelNotification(reconnecting, online, ALL_ON)?.title).toBe('Tunnel back online');
  });

  it('stays quiet on the first connect', () => {
    expect(planTunnelNotification({ state: 'connecting', url: null, reason: null }, online, ALL_ON)).toBeNull();
  });

  it('stays quiet when turned off', () => {
    expect(planTunnelNotification(online, reconnecting, ALL_OFF)).toBeNull();
  });
});

describe('Notifier', () => {
  beforeEach(() => {
    resetFakeElectron();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('groups pushes that arrive within one window', () => {
    const notifier = new Notifier({ settings: () => ALL_ON, onClick: () => undefined, logger: silentLogger });
    for (let index = 0; index < 20; index++) notifier.addDeliveries([delivery(index)]);
    expect(FakeNotification.instances).toHaveLength(0);
    vi.advanceTimersByTime(NOTIFICATION_WINDOW_MS);
    expect(FakeNotification.instances.map((notification) => notification.options.title)).toEqual(['20 deliveries received']);
    expect(FakeNotification.instances[0]?.shown).toBe(true);
  });

  it('opens the window on click', () => {
    let opened = 0;
    const notifier = new Notifier({ settings: () => ALL_ON, onClick: () => (opened += 1), logger: silentLogger });
    notifier.tunnelChanged({ state: 'online', url: 'https://a.loca.lt', reason: null });
    notifier.tunnelChanged({ state: 'offline', url: null, reason: 'down' });
    FakeNotification.instances[0]?.emit('click');
    expect(opened).toBe(1);
  });

  it('shows nothing where notifications are unsupported', () => {
    FakeNotification.supported = false;
    const notifier = new Notifier({ settings: () => ALL_ON, onClick: () => undefined, logger: silentLogger });
    notifier.addDeliveries([delivery(1)]);
    notifier.flush();
    expect(FakeNotification.instances).toHaveLength(0);
  });
});
