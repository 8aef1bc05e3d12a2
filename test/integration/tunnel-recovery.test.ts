import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import type { TunnelOptions, TunnelSupervisor } from '../../electron/core/tunnel';
import { startTunnel } from '../../electron/core/tunnel';
import { LocaltunnelTestServer } from '../support/localtunnel-server';
import { FAST_TIMINGS, StatusRecorder, recordingLogger, sendThroughTunnel, startSpikeCore, tempDataDir, waitMs } from '../support/tunnel-harness';

const PROBE_PATH = '/__hooktray/probe/';

// Vitest fails the run on any unhandled error or rejection, so each test below also checks
// that the supervisor handled every `error` event the client library emitted.
describe('tunnel recovery', () => {
  let server: LocaltunnelTestServer;
  let core: HooktrayCore;
  let logger: ReturnType<typeof recordingLogger>;
  let recorder: StatusRecorder;
  let supervisor: TunnelSupervisor | null;

  beforeEach(async () => {
    server = new LocaltunnelTestServer({ graceMs: 50 });
    await server.start();
    logger = recordingLogger();
    core = await startSpikeCore(tempDataDir(), logger);
    recorder = new StatusRecorder(core);
    supervisor = null;
  });

  afterEach(async () => {
    supervisor?.stop();
    await core.stop();
    await server.stop();
  });

  function start(subdomain: string, options: Partial<TunnelOptions> = {}): TunnelSupervisor {
    const result = startTunnel(
      core,
      { dataDir: tempDataDir(), host: server.origin, probeOrigin: server.origin, subdomain, timings: FAST_TIMINGS, random: () => 0.5, ...options },
      logger,
    );
    if (!result.ok) throw new Error(`startTunnel failed: ${result.message}`);
    supervisor = result.supervisor;
    return result.supervisor;
  }

  it('reconnects after the server is down for 5 s', async () => {
    start('hooktray-restart');
    const firstOnline = await recorder.waitForState('online');
    const port = server.port;

    const stoppedAt = recorder.statuses.length;
    await server.stop();
    const reconnecting = await recorder.waitForState('reconnecting', stoppedAt);
    await waitMs(5_000);
    await server.start(port);
    const online = await recorder.waitFor((status) => status.state === 'online', recorder.statuses.indexOf(reconnecting));

    expect(online.url).toBe(firstOnline.url);
    expect(online.subdomainChanged).toBeUndefined();
    const states = recorder.states().slice(stoppedAt);
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('online');
    expect(states).not.toContain('offline');
    // Attempts count up by one while the server is away. They start above 1 when the first
    // connect needed a retry too, because the tunnel was online for less than `stableResetMs`.
    const attempts = recorder.statuses.slice(stoppedAt).filter((status) => status.state === 'reconnecting').map((status) => status.attempt ?? 0);
    expect(attempts).toEqual(attempts.map((_, index) => (attempts[0] ?? 0) + index));
    expect(attempts.length).toBeGreaterThanOrEqual(2);

    const arrived = new Promise<string>((resolveId) => core.receiver.once('delivery', (delivery) => resolveId(delivery.id)));
    const response = await sendThroughTunnel(server, online.url ?? '', '/after-restart', Buffer.from('{"after":"restart"}'));
    expect(response.status).toBe(200);
    expect(core.store.get(await arrived)?.path).toBe('/after-restart');
  });

  it('marks a silent tunnel degraded and reconnects', async () => {
    start('hooktray-silent');
    await recorder.waitForState('online');

    const probesBefore = server.tunnelled.length;
    server.silent = true;
    const silentFrom = recorder.statuses.length;
    const degraded = await recorder.waitForState('degraded', silentFrom);
    // Degraded on the first silent probe: at most two probe intervals after the failure began.
    const silentProbes = server.tunnelled.slice(probesBefore).filter((request) => request.path.startsWith(PROBE_PATH));
    expect(silentProbes.length).toBeLessThanOrEqual(2);
    expect(degraded.url).toBe(server.publicUrl('hooktray-silent'));
    expect(degraded.reason).toContain('did not reach the receiver');

    const degradedAt = recorder.statuses.indexOf(degraded);
    expect(recorder.statuses[degradedAt + 1]).toMatchObject({ state: 'reconnecting', attempt: 1, url: null });

    server.silent = false;
    const online = await recorder.waitForState('online', degradedAt);
    expect(online.url).toBe(server.publicUrl('hooktray-silent'));
  });

  it('probes at once after a wake from sleep', async () => {
    let clockOffsetMs = 0;
    // A probe interval far longer than the test: only the wake check can find the dead tunnel.
    start('hooktray-sleepy', {
      timings: { ...FAST_TIMINGS, probeIntervalMs: 600_000, wakeCheckMs: 100 },
      now: () => Date.now() + clockOffsetMs,
    });
    await recorder.waitForState('online');
    server.silent = true;
    const from = recorder.statuses.length;

    clockOffsetMs = 30 * 60_000;
    const degraded = await recorder.waitForState('degraded', from);

    expect(degraded.reason).toContain('did not reach the receiver');
    expect(logger.entries.some((entry) => entry.message.includes('the clock jumped'))).toBe(true);
    server.silent = false;
    await recorder.waitForState('online', recorder.statuses.indexOf(degraded));
  });

  it('starts the backoff over after a stable minute', async () => {
    let clockOffsetMs = 0;
    start('hooktray-stable', { now: () => Date.now() + clockOffsetMs });
    await recorder.waitForState('online');

    // Two failures in a row: the second waits for attempt 2.
    server.silent = true;
    await recorder.waitFor((status) => status.state === 'reconnecting' && status.attempt === 1);
    await recorder.waitFor((status) => status.state === 'reconnecting' && status.attempt === 2);
    server.silent = false;
    const online = await recorder.waitForState('online', recorder.statuses.length - 1);

    // After more than `stableResetMs` online, the next failure is attempt 1 again.
    clockOffsetMs = FAST_TIMINGS.stableResetMs + 1_000;
    const from = recorder.statuses.indexOf(online);
    server.silent = true;
    const next = await recorder.waitFor((status) => status.state === 'reconnecting', from);
    expect(next.attempt).toBe(1);
    server.silent = false;
  });
});
