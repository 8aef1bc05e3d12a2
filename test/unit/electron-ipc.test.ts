import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliverySummary, PushChannel } from '../../electron/core/contract';
import { INVOKE_CHANNELS } from '../../electron/core/contract';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Logger } from '../../electron/core/logger';
import { silentLogger } from '../../electron/core/logger';
import type { IpcResult } from '../../electron/ipc-channels';
import { invokeIpcChannel, LOG_IPC_CHANNEL, pushIpcChannel, READY_IPC_CHANNEL } from '../../electron/ipc-channels';
import { createRendererLogForwarder, MAX_QUEUED_DELIVERIES, PushDispatcher, registerIpc, watchRendererLifecycle } from '../../electron/ipc';
import type { RendererTarget } from '../../electron/window';
import { FakeBrowserWindow, FakeWebContents, ipcMain, resetFakeElectron } from '../support/fake-electron';
import { spikeBody } from '../support/spike';

const INDEX_HTML = '/opt/hooktray/out/renderer/index.html';
const TARGET: RendererTarget = { kind: 'file', indexHtml: INDEX_HTML };
const APP_URL = `file://${INDEX_HTML}`;

function summary(id: string): DeliverySummary {
  return {
    id,
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/spike',
    size: 2,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'unverified', scheme: null, profile: null, reason: 'No profile covers this path.' },
    spike: null,
    retryOf: null,
    bodySha256: 'ab',
  };
}

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') };
}

describe('registerIpc with a running core', () => {
  let dataDir: string;
  let core: HooktrayCore;
  let window: FakeBrowserWindow;

  beforeEach(async () => {
    resetFakeElectron();
    dataDir = mkdtempSync(join(tmpdir(), 'hooktray-ipc-'));
    core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger: silentLogger });
    window = new FakeBrowserWindow({});
    await window.loadFile(INDEX_HTML);
  });

  afterEach(async () => {
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const register = () =>
    registerIpc({ ipcMain, handlers: core.handlers, pushes: core.pushes, getWindow: () => window, target: TARGET, logger: silentLogger, logFile: '/tmp/main.log' });

  it('registers one handler per contract channel and the ready signal', () => {
    register();
    const expected = [...INVOKE_CHANNELS.map(invokeIpcChannel), READY_IPC_CHANNEL].sort();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(expected);
  });

  it('serves status.get to the app window', async () => {
    register();
    const result = (await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, invokeIpcChannel('status.get'), undefined)) as IpcResult<{ receiverPort: number }>;
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.receiverPort).toBe(core.receiver.port);
  });

  it('rejects a foreign web contents', async () => {
    register();
    const stranger = new FakeWebContents();
    const result = (await ipcMain.invokeFrom(stranger, { url: APP_URL }, invokeIpcChannel('status.get'), undefined)) as IpcResult<unknown>;
    expect(result).toMatchObject({ ok: false, code: 'foreign-sender' });
  });

  it('rejects the app window after it navigated elsewhere', async () => {
    register();
    const frame = { url: 'https://attacker.example/' };
    const result = (await ipcMain.invokeFrom(window.webContents, frame, invokeIpcChannel('deliveries.list'), {})) as IpcResult<unknown>;
    expect(result).toMatchObject({ ok: false, code: 'foreign-sender' });
  });

  it('rejects another file in the app window', async () => {
    register();
    const frame = { url: 'file:///tmp/downloaded.html' };
    const result = (await ipcMain.invokeFrom(window.webContents, frame, invokeIpcChannel('status.get'), undefined)) as IpcResult<unknown>;
    expect(result).toMatchObject({ ok: false, code: 'foreign-sender' });
  });

  it('rejects a request without a sender frame', async () => {
    register();
    const result = (await ipcMain.invokeFrom(window.webContents, null, invokeIpcChannel('status.get'), undefined)) as IpcResult<unknown>;
    expect(result).toMatchObject({ ok: false, code: 'foreign-sender' });
  });

  it.each([
    ['deliveries.get', { id: '../../etc/passwd' }, 'id'],
    ['deliveries.get', {}, 'id'],
    ['deliveries.list', { limit: 1_000_000 }, 'limit'],
    ['deliveries.list', { verdicts: ['everything'] }, 'verdicts.0'],
    ['deliveries.list', { ids: ['../../etc/passwd'] }, 'ids.0'],
    ['deliveries.list', { ids: Array.from({ length: 1001 }, () => '01JRTS7XG2W4Y6Z8A0B2C4D6E8') }, 'ids'],
    ['deliveries.list', { extra: true }, '(request)'],
    ['deliveries.list', 'SELECT 1', '(request)'],
  ] as const)('rejects invalid %s request %j', async (channel, request, field) => {
    register();
    const result = (await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, invokeIpcChannel(channel), request)) as IpcResult<unknown>;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid-request');
    expect(result.message).toContain(channel);
    expect(result.message).toContain(`"${field}"`);
  });

  it('queues a delivery push until ready', async () => {
    register();
    const response = await fetch(`${core.receiver.localUrl}/spike`, { method: 'POST', body: spikeBody(), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    core.pushes.flush();
    expect(window.webContents.sent).toEqual([]);

    const ready = (await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, READY_IPC_CHANNEL)) as IpcResult<null>;
    expect(ready.ok).toBe(true);
    expect(window.webContents.sent).toHaveLength(1);
    const push = window.webContents.sent[0];
    expect(push?.channel).toBe(pushIpcChannel('deliveries.added'));
    expect((push?.payload as DeliverySummary[])[0]?.path).toBe('/spike');
  });

  it('sends pushes at once after ready', async () => {
    register();
    await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, READY_IPC_CHANNEL);
    core.setTunnelStatus({ state: 'offline', url: null, reason: 'test' });
    expect(window.webContents.sent.map((entry) => entry.channel)).toEqual([pushIpcChannel('tunnel.status')]);
  });

  it('ignores ready from a foreign sender', async () => {
    const { dispatcher } = register();
    const result = (await ipcMain.invokeFrom(new FakeWebContents(), { url: APP_URL }, READY_IPC_CHANNEL)) as IpcResult<null>;
    expect(result).toMatchObject({ ok: false, code: 'foreign-sender' });
    expect(dispatcher.isReady).toBe(false);
  });

  it('removes every handler on dispose', () => {
    const registration = register();
    registration.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listenerCount(LOG_IPC_CHANNEL)).toBe(0);
    core.setTunnelStatus({ state: 'offline', url: null, reason: 'test' });
    expect(registration.dispatcher.queuedCount).toBe(0);
  });
});

describe('PushDispatcher', () => {
  it('sends queued pushes in arrival order', () => {
    const sent: PushChannel[] = [];
    const dispatcher = new PushDispatcher((channel) => sent.push(channel), silentLogger);
    dispatcher.push('tunnel.status', { state: 'connecting', url: null, reason: null });
    dispatcher.push('deliveries.added', [summary('01JRZ0000000000000000000A1')]);
    dispatcher.push('verdicts.changed', []);
    dispatcher.markReady();
    expect(sent).toEqual(['tunnel.status', 'deliveries.added', 'verdicts.changed']);
  });

  it('queues again after reset', () => {
    const sent: PushChannel[] = [];
    const dispatcher = new PushDispatcher((channel) => sent.push(channel), silentLogger);
    dispatcher.markReady();
    dispatcher.reset();
    dispatcher.push('verdicts.changed', []);
    expect(sent).toEqual([]);
    dispatcher.markReady();
    expect(sent).toEqual(['verdicts.changed']);
  });

  it('drops the oldest deliveries beyond the cap', () => {
    const sent: unknown[] = [];
    const logger = recordingLogger();
    const dispatcher = new PushDispatcher((_channel, payload) => sent.push(payload), logger);
    const batch = Array.from({ length: 1000 }, (_, index) => summary(`01JRZ${String(index).padStart(21, '0')}`));
    const batches = MAX_QUEUED_DELIVERIES / 1000 + 2;
    for (let index = 0; index < batches; index++) dispatcher.push('deliveries.added', batch);
    dispatcher.markReady();
    expect(sent).toHaveLength(MAX_QUEUED_DELIVERIES / 1000);
    expect(logger.lines.some((line) => line.level === 'warn' && line.message.includes('dropped'))).toBe(true);
  });
});

describe('renderer lifecycle', () => {
  it('queues again when the page navigates', () => {
    const webContents = new FakeWebContents() as FakeWebContents & { reload(): void };
    webContents.reload = () => undefined;
    const dispatcher = new PushDispatcher(() => undefined, silentLogger);
    watchRendererLifecycle(webContents as never, dispatcher, silentLogger);
    dispatcher.markReady();
    webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    expect(dispatcher.isReady).toBe(false);
  });

  it('keeps ready on a same-document navigation', () => {
    const webContents = new FakeWebContents() as FakeWebContents & { reload(): void };
    webContents.reload = () => undefined;
    const dispatcher = new PushDispatcher(() => undefined, silentLogger);
    watchRendererLifecycle(webContents as never, dispatcher, silentLogger);
    dispatcher.markReady();
    webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    expect(dispatcher.isReady).toBe(true);
  });

  it('reloads a crashed renderer once per interval', () => {
    let reloads = 0;
    let time = 0;
    const webContents = new FakeWebContents() as FakeWebContents & { reload(): void };
    webContents.reload = () => (reloads += 1);
    const dispatcher = new PushDispatcher(() => undefined, silentLogger);
    watchRendererLifecycle(webContents as never, dispatcher, silentLogger, () => time);
    dispatcher.markReady();
    webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    time = 1000;
    webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(dispatcher.isReady).toBe(false);
    expect(reloads).toBe(1);
  });
});

describe('renderer log forwarding', () => {
  it('prefixes and forwards valid lines', () => {
    const logger = recordingLogger();
    const forward = createRendererLogForwarder(logger, () => 0);
    forward('error', 'render failed');
    expect(logger.lines).toEqual([{ level: 'error', message: 'renderer: render failed' }]);
  });

  it('ignores an invalid level', () => {
    const logger = recordingLogger();
    const forward = createRendererLogForwarder(logger, () => 0);
    forward('debug', 'x');
    forward({ toString: 'evil' }, 'x');
    expect(logger.lines.every((line) => line.message.startsWith('ipc: invalid renderer log line'))).toBe(true);
  });

  it('rate-limits a flood and reports the count', () => {
    const logger = recordingLogger();
    let time = 0;
    const forward = createRendererLogForwarder(logger, () => time);
    for (let index = 0; index < 500; index++) forward('info', `line ${index}`);
    time = 1500;
    forward('info', 'after');
    const forwarded = logger.lines.filter((line) => line.message.startsWith('renderer: line'));
    expect(forwarded).toHaveLength(50);
    expect(logger.lines.some((line) => line.message.includes('dropped'))).toBe(true);
    expect(logger.lines.at(-1)?.message).toBe('renderer: after');
  });
});
