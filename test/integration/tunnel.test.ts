import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { settingsPath } from '../../electron/core/settings-file';
import type { TunnelSupervisor } from '../../electron/core/tunnel';
import { startTunnel } from '../../electron/core/tunnel';
import { BYPASS_REMINDER_HEADER } from '../../electron/core/tunnel-probe';
import { CLI } from '../support/listen-process';
import { LocaltunnelTestServer } from '../support/localtunnel-server';
import type { LogEntry } from '../support/tunnel-harness';
import { FAST_TIMINGS, SPIKE_KEY, StatusRecorder, recordingLogger, sendThroughTunnel, startSpikeCore, tempDataDir, waitMs } from '../support/tunnel-harness';

describe('tunnel through a localtunnel server on loopback', () => {
  let server: LocaltunnelTestServer;
  let core: HooktrayCore;
  let dataDir: string;
  let logger: ReturnType<typeof recordingLogger>;
  let recorder: StatusRecorder;
  let supervisor: TunnelSupervisor | null;

  beforeEach(async () => {
    server = new LocaltunnelTestServer({ graceMs: 50 });
    await server.start();
    dataDir = tempDataDir();
    logger = recordingLogger();
    core = await startSpikeCore(dataDir, logger);
    recorder = new StatusRecorder(core);
    supervisor = null;
  });

  afterEach(async () => {
    supervisor?.stop();
    await core.stop();
    await server.stop();
  });

  function start(subdomain?: string): TunnelSupervisor {
    const result = startTunnel(
      core,
      { dataDir, host: server.origin, probeOrigin: server.origin, timings: FAST_TIMINGS, random: () => 0.5, ...(subdomain === undefined ? {} : { subdomain }) },
      logger,
    );
    if (!result.ok) throw new Error(`startTunnel failed: ${result.message}`);
    supervisor = result.supervisor;
    return result.supervisor;
  }

  it('stores a signed Spike POST byte-identical and valid', async () => {
    start('hooktray-spike1');
    const online = await recorder.waitForState('online');
    expect(online.url).toBe(server.publicUrl('hooktray-spike1'));

    const body = Buffer.from(JSON.stringify([{ application_user_id: 'tunnel-user', event_type: 'record_change', metrics: ['steps'], timestamp: '2025-04-15T13:33:55.271331177Z' }]));
    const signature = createHmac('sha256', SPIKE_KEY).update(body).digest('hex');
    const arrived = new Promise<string>((resolveId) => core.receiver.once('delivery', (delivery) => resolveId(delivery.id)));
    const response = await sendThroughTunnel(server, online.url ?? '', '/webhooks/spike', body, { 'Content-Type': 'application/json', 'X-Body-Signature': signature });
    expect(response.status).toBe(200);

    const stored = core.store.get(await arrived);
    expect(stored).not.toBeNull();
    expect(Buffer.from(stored?.body ?? []).equals(body)).toBe(true);
    expect(stored?.verdict.status).toBe('valid');
    expect(stored?.verdict.encoding).toBe('hex');
    expect(stored?.headers).toContainEqual(['X-Body-Signature', signature]);
  });

  it('stores a 1 MiB binary body byte-identical', async () => {
    start('hooktray-binary');
    const online = await recorder.waitForState('online');

    // Every byte value, and invalid UTF-8 sequences, which a text rewrite of the stream would break.
    const body = randomBytes(1024 * 1024);
    const arrived = new Promise<string>((resolveId) => core.receiver.once('delivery', (delivery) => resolveId(delivery.id)));
    const response = await sendThroughTunnel(server, online.url ?? '', '/upload.bin', body, { 'Content-Type': 'application/octet-stream' });
    expect(response.status).toBe(200);

    const stored = core.store.get(await arrived);
    expect(stored?.size).toBe(body.length);
    expect(stored?.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(Buffer.from(stored?.body ?? []).equals(body)).toBe(true);
  });

  it('probes through the public URL, stores none', async () => {
    start('hooktray-probes');
    await recorder.waitForState('online');
    // FAST_TIMINGS probes every second; wait for the connect probe and at least one periodic one.
    await waitMs(FAST_TIMINGS.probeIntervalMs * 2 + 500);

    const probes = server.tunnelled.filter((request) => request.path.startsWith('/__hooktray/probe/'));
    expect(probes.length).toBeGreaterThanOrEqual(2);
    for (const probe of probes) {
      const headerNames = probe.rawHeaders.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
      expect(headerNames).toContain(BYPASS_REMINDER_HEADER);
    }
    expect(core.store.count()).toBe(0);
  });

  it('saves the generated subdomain and requests it again', async () => {
    const first = start();
    expect(first.subdomain).toMatch(/^hooktray-[a-z0-9]{6}$/);
    await recorder.waitForState('online');
    const saved = JSON.parse(readFileSync(settingsPath(dataDir), 'utf8')) as { settings: { subdomain?: string } };
    expect(saved.settings.subdomain).toBe(first.subdomain);
    first.stop();
    // Let the server free the subdomain, as localtunnel.me does once a client's connections close.
    for (let waited = 0; server.clientIds().length > 0 && waited < 5_000; waited += 50) await waitMs(50);
    expect(server.clientIds()).toEqual([]);

    const afterStop = recorder.statuses.length;
    const second = start();
    const online = await recorder.waitForState('online', afterStop);
    expect(second.subdomain).toBe(first.subdomain);
    expect(online.url).toBe(server.publicUrl(first.subdomain));
    // A probe that times out on a loaded machine adds a reconnect; each one requests the same name.
    expect(server.registrations.length).toBeGreaterThanOrEqual(2);
    expect(new Set(server.registrations)).toEqual(new Set([first.subdomain]));
  });

  it('reports subdomain-changed with both URLs', async () => {
    server.takenSubdomains.add('hooktray-taken1');
    start('hooktray-taken1');
    const online = await recorder.waitForState('online');

    const assigned = server.clientIds()[0] ?? '';
    expect(assigned).not.toBe('hooktray-taken1');
    expect(online.url).toBe(server.publicUrl(assigned));
    expect(online.subdomainChanged).toEqual({ previousUrl: server.publicUrl('hooktray-taken1'), url: server.publicUrl(assigned) });
    expect(logger.entries.some((entry: LogEntry) => entry.level === 'warn' && entry.message.includes('assigned another subdomain'))).toBe(true);
  });

  it('rejects an invalid subdomain before connecting', async () => {
    const result = startTunnel(core, { dataDir, host: server.origin, subdomain: 'Bad_Name', timings: FAST_TIMINGS }, logger);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid-subdomain');
    expect(result.message).toContain('"Bad_Name"');
    expect(result.message).toContain('4 to 63 lowercase letters, digits and hyphens');
    expect(core.status().tunnel).toMatchObject({ state: 'offline', url: null, reason: result.message });
    await waitMs(300);
    expect(server.registrations).toEqual([]);
  });

  it('goes offline on a rejected registration', async () => {
    server.registrationError = { status: 403, message: 'subdomains are reserved on this server' };
    start('hooktray-denied');
    const offline = await recorder.waitForState('offline');

    expect(offline.reason).toContain('subdomains are reserved on this server');
    expect(offline.reason).toContain('"hooktray-denied"');
    await waitMs(FAST_TIMINGS.backoffMaxMs * 2);
    expect(server.registrations).toEqual(['hooktray-denied']);
    expect(recorder.states()).toEqual(['connecting', 'offline']);
  });
});

describe('hooktray listen with a tunnel', () => {
  it('prints tunnel transitions as NDJSON', async () => {
    // The CLI has no option for a probe origin, so the server hands out resolvable localhost URLs.
    const server = new LocaltunnelTestServer({ localhostUrls: true });
    await server.start();
    const child = spawn(process.execPath, [CLI, 'listen', '--json', '--tunnel-host', server.origin, '--subdomain', 'hooktray-cli01', '--data-dir', tempDataDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const records: Record<string, unknown>[] = [];
    const lines = createInterface({ input: child.stdout });
    const waitForRecord = (predicate: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
      new Promise((resolveRecord, reject) => {
        const timer = setTimeout(() => reject(new Error(`No matching record within 20 s; records: ${JSON.stringify(records)}; stderr: ${stderr}`)), 20_000);
        const check = (): void => {
          const found = records.find(predicate);
          if (found === undefined) return;
          clearTimeout(timer);
          lines.off('line', check);
          resolveRecord(found);
        };
        lines.on('line', check);
        check();
      });
    lines.on('line', (line) => records.push(JSON.parse(line) as Record<string, unknown>));

    try {
      const online = await waitForRecord((record) => record.type === 'tunnel' && record.state === 'online');
      expect(online).toMatchObject({ type: 'tunnel', state: 'online', url: server.publicUrl('hooktray-cli01'), reason: null });
      expect(records[0]).toMatchObject({ type: 'listening', publicUrl: null });
      expect(records[1]).toMatchObject({ type: 'tunnel', state: 'connecting', url: null });
      const listening = await waitForRecord((record) => record.type === 'listening' && record.publicUrl !== null);
      expect(listening).toEqual({ type: 'listening', localUrl: records[0]?.localUrl, publicUrl: server.publicUrl('hooktray-cli01') });
      expect(server.registrations).toEqual(['hooktray-cli01']);

      const response = await fetch(`${String(online.url)}/through/the/tunnel`, { method: 'POST', body: 'hello' });
      expect(response.status).toBe(200);
      const delivery = await waitForRecord((record) => record.type === 'delivery');
      expect(delivery.path).toBe('/through/the/tunnel');
    } finally {
      const exitCode = await new Promise<number | null>((resolveExit) => {
        child.once('exit', (code) => resolveExit(code));
        child.kill('SIGTERM');
      });
      await server.stop();
      expect(exitCode).toBe(0);
    }
    expect(records.at(-1)).toMatchObject({ type: 'tunnel', state: 'disabled' });
  });
});

describe('hooktray listen --subdomain', () => {
  it('exits with code 2 for an invalid subdomain', () => {
    const dataDir = tempDataDir();
    const result = spawnSync(process.execPath, [CLI, 'listen', '--subdomain', 'Bad_Name', '--data-dir', dataDir, '--port', '0'], { encoding: 'utf8', timeout: 20_000 });

    expect(result.stderr).toContain('Invalid tunnel subdomain "Bad_Name"');
    expect(result.stderr).toContain('--subdomain');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('exits with code 2 for an invalid tunnel host', () => {
    const dataDir = tempDataDir();
    const result = spawnSync(process.execPath, [CLI, 'listen', '--tunnel-host', 'ftp://tunnel.example', '--data-dir', join(dataDir, 'data')], { encoding: 'utf8', timeout: 20_000 });

    expect(result.stderr).toContain('Invalid tunnel host "ftp://tunnel.example"');
    expect(result.status).toBe(2);
  });
});

describe('tunnel connections left idle', () => {
  it('deliver after the header timeout passed', async () => {
    const server = new LocaltunnelTestServer({ graceMs: 50 });
    await server.start();
    const dataDir = tempDataDir();
    const logger = recordingLogger();
    // The tunnel client opens its connections at once, and they wait far longer than 300 ms for a request.
    const core = await startSpikeCore(dataDir, logger, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const recorder = new StatusRecorder(core);
    const result = startTunnel(core, { dataDir, host: server.origin, probeOrigin: server.origin, timings: FAST_TIMINGS, random: () => 0.5, subdomain: 'hooktray-idle' }, logger);
    if (!result.ok) throw new Error(`startTunnel failed: ${result.message}`);
    try {
      const online = await recorder.waitForState('online');
      const statuses: number[] = [];
      for (let index = 0; index < 3; index++) {
        await waitMs(700);
        const response = await sendThroughTunnel(server, online.url ?? '', `/idle/${index}`, Buffer.from(`{"index":${index}}`), { 'Content-Type': 'application/json' });
        statuses.push(response.status);
      }

      expect(statuses).toEqual([200, 200, 200]);
      expect(core.store.list({ text: '/idle/' }).total).toBe(3);
      expect(logger.entries.map((entry) => entry.message)).not.toContain('receiver: request timed out before it was complete; sending 408, nothing stored');
    } finally {
      result.supervisor.stop();
      await core.stop();
      await server.stop();
    }
  });
});
