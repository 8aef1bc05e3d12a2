import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UiBridge } from '../../electron/core/bridge/bridge-server';
import { coreApi } from '../../electron/core/bridge/core-api';
import { cookieName } from '../../electron/core/bridge/guard';
import type { ServerMessage } from '../../electron/core/bridge/wire';
import { CLIENT_PART_CHARS, splitIntoParts } from '../../electron/core/bridge/wire';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Logger } from '../../electron/core/logger';
import type { WebSocketApi, WebSocketLike } from '../../renderer/src/api/ws-client';
import { connectWebSocketApi } from '../../renderer/src/api/ws-client';
import { connectClient, fakeRendererDir } from '../support/bridge-client';
import { tempDir } from '../support/listen-process';
import { postOrdered, startUi } from '../support/ui-process';

interface LogLine {
  level: string;
  message: string;
  context: Record<string, unknown>;
}

/** Creates a logger that keeps every line, to check what the bridge logs for each rejection. */
function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record =
    (level: string) =>
    (message: string, context: Record<string, unknown> = {}): void => {
      lines.push({ level, message, context });
    };
  return { lines, logger: { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') } };
}

interface Closed {
  code: number;
  reason: string;
}

/** Opens a WebSocket to the bridge that sends nothing; resolves once it is open, with a promise of how it closes. */
async function openSilent(port: number): Promise<{ socket: WebSocket; closed: Promise<Closed> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api`);
  socket.on('error', () => {});
  const closed = new Promise<Closed>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('close', () => reject(new Error('The bridge closed a connection before it opened')));
  });
  return { socket, closed };
}

/** Connects the renderer's client with the session cookie on the upgrade and no token in the hello, as a page's tab does. */
async function connectWithCookie(bridge: UiBridge): Promise<WebSocketApi> {
  const headers = { Cookie: `${cookieName(bridge.port)}=${bridge.token}` };
  const api = connectWebSocketApi({ url: `ws://127.0.0.1:${bridge.port}/api`, token: null, createSocket: (url) => new WebSocket(url, { headers }) as unknown as WebSocketLike });
  await api.connected;
  return api;
}

/** Opens an authenticated WebSocket that speaks the protocol by hand, with a function that resolves the result of an invoke id. */
async function rawClient(bridge: UiBridge): Promise<{ socket: WebSocket; result: (id: number) => Promise<ServerMessage> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${bridge.port}/api`);
  const results = new Map<number, (message: ServerMessage) => void>();
  const ready = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'ready') resolve();
      if (message.type === 'result') results.get(message.id)?.(message);
    });
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'hello', token: bridge.token }));
  await ready;
  const result = (id: number): Promise<ServerMessage> => new Promise((resolve) => results.set(id, resolve));
  return { socket, result };
}

/** Returns one line of `hooktray export --format ndjson`, with a body of `bodyBytes` bytes. */
function ndjsonRecord(id: string, bodyBytes: number): Uint8Array {
  const record = { format: 'hooktray-fixture', version: 1, id, receivedAt: '2025-04-15T13:33:55.271Z', method: 'POST', path: '/webhooks/imported', headers: [['Content-Type', 'text/plain']], body: { encoding: 'utf8', data: 'x'.repeat(bodyBytes) } };
  return new TextEncoder().encode(`${JSON.stringify(record)}\n`);
}

describe('bridge connection limits', () => {
  let dataDir: string;
  let core: HooktrayCore;
  const bridges: UiBridge[] = [];
  const sockets: WebSocket[] = [];
  const clients: WebSocketApi[] = [];

  const startBridge = async (options: { helloTimeoutMs?: number; maxWaitingConnections?: number; maxHeldRequestChars?: number }, logger: Logger): Promise<UiBridge> => {
    const bridge = await UiBridge.start({ api: coreApi(core), port: 0, rendererDir: fakeRendererDir(), logger, ...options });
    bridges.push(bridge);
    return bridge;
  };

  beforeAll(async () => {
    dataDir = tempDir('hooktray-bridge-limits-');
    const { logger } = recordingLogger();
    core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger });
    expect(await postOrdered(core.receiver.localUrl, '/webhooks/before', [['Content-Type', 'application/json']], '{"n":1}')).toBe(200);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const socket of sockets) socket.terminate();
    for (const bridge of bridges) await bridge.close();
    await core?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes connections that never send hello', async () => {
    const { logger, lines } = recordingLogger();
    const bridge = await startBridge({ helloTimeoutMs: 200 }, logger);
    const silent = await Promise.all([openSilent(bridge.port), openSilent(bridge.port), openSilent(bridge.port)]);
    sockets.push(...silent.map(({ socket }) => socket));

    for (const { closed } of silent) {
      const outcome = await closed;
      expect(outcome.code).toBe(4401);
      expect(outcome.reason).toBe('No hello with the session token within 0.2 s; reload the page.');
    }
    const client = await connectClient(bridge);
    clients.push(client);
    expect((await client.invoke('deliveries.list', {})).total).toBe(1);

    const timeouts = lines.filter((line) => line.message.includes('hello timed out'));
    expect(timeouts).toHaveLength(3);
    expect(timeouts.map((line) => line.context.timedOut).sort()).toEqual([1, 2, 3]);
    expect(timeouts[0]?.context.timeoutMs).toBe(200);
    expect(lines.filter((line) => line.message === 'bridge: page connected')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(bridge.token);
  });

  it('closes the connection over the cap', async () => {
    const { logger, lines } = recordingLogger();
    const bridge = await startBridge({ helloTimeoutMs: 60_000, maxWaitingConnections: 2 }, logger);
    const waiting = [await openSilent(bridge.port), await openSilent(bridge.port)];
    sockets.push(...waiting.map(({ socket }) => socket));

    const over = await openSilent(bridge.port);
    sockets.push(over.socket);
    const outcome = await over.closed;
    expect(outcome.code).toBe(1013);
    expect(outcome.reason).toBe('Too many connections (2) are waiting to authenticate; reload the page to retry.');

    const rejections = lines.filter((line) => line.message.includes('too many connections are waiting'));
    expect(rejections).toHaveLength(1);
    expect(rejections[0]?.context).toMatchObject({ waiting: 2, cap: 2, rejected: 1 });
    expect(JSON.stringify(lines)).not.toContain(bridge.token);
  });

  it('admits a tab with the session cookie over the cap', async () => {
    const bridge = await startBridge({ helloTimeoutMs: 60_000, maxWaitingConnections: 1 }, recordingLogger().logger);
    const waiting = await openSilent(bridge.port);
    sockets.push(waiting.socket);

    const tab = await connectWithCookie(bridge);
    clients.push(tab);
    expect((await tab.invoke('deliveries.list', {})).total).toBe(1);
  });

  it('frees a place once a connection authenticates', async () => {
    const bridge = await startBridge({ helloTimeoutMs: 60_000, maxWaitingConnections: 1 }, recordingLogger().logger);
    const waiting = await openSilent(bridge.port);
    sockets.push(waiting.socket);
    const over = await openSilent(bridge.port);
    expect((await over.closed).code).toBe(1013);

    // The bridge frees the place before it sends "ready", so the next connection finds it free.
    const ready = new Promise((resolve) => waiting.socket.once('message', resolve));
    waiting.socket.send(JSON.stringify({ type: 'hello', token: bridge.token }));
    expect(JSON.parse(String(await ready))).toEqual({ type: 'ready' });
    const client = await connectClient(bridge);
    clients.push(client);
    expect((await client.invoke('deliveries.list', {})).total).toBe(1);
  });

  it('rejects parts over the shared limit until others finish', async () => {
    const { logger, lines } = recordingLogger();
    const maxHeldRequestChars = 8 * CLIENT_PART_CHARS;
    const bridge = await startBridge({ maxHeldRequestChars }, logger);

    // Another connection reserves 6 of the 8 parts' worth with a request that is still arriving.
    const holder = await rawClient(bridge);
    sockets.push(holder.socket);
    const unfinished = JSON.stringify({ type: 'invoke', id: 1, channel: 'status.get', request: 'x'.repeat(6 * CLIENT_PART_CHARS) });
    const parts = splitIntoParts(1, unfinished, CLIENT_PART_CHARS);
    for (const part of parts.slice(0, -1)) holder.socket.send(JSON.stringify(part));
    // The bridge reads one connection's messages in order, so this result comes after the parts were held.
    holder.socket.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'status.get' }));
    expect(await holder.result(2)).toMatchObject({ ok: true });

    const client = await connectClient(bridge);
    clients.push(client);
    const file = ndjsonRecord('01JRQ8Z6X3K2M4N5P6Q7R8S9T1', 3 * CLIENT_PART_CHARS);
    const rejected = client.invoke('import.run', { files: [{ name: 'large.ndjson', data: file }] });
    await expect(rejected).rejects.toMatchObject({ code: 'busy' });
    await expect(rejected).rejects.toThrow(/for all requests together\. Retry once they finish\./);
    const busy = lines.filter((line) => line.message.includes('shared limit'));
    expect(busy).toHaveLength(1);
    expect(busy[0]?.context.maxChars).toBe(maxHeldRequestChars);

    // The last part completes that request, whose reservation is released before its result is sent.
    holder.socket.send(JSON.stringify(parts.at(-1)));
    expect(await holder.result(1)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const imported = await client.invoke('import.run', { files: [{ name: 'large.ndjson', data: file }] });
    expect(imported).toMatchObject({ ok: true, imported: 1 });
    expect((await client.invoke('deliveries.list', {})).total).toBe(2);
  });
});

describe('hooktray ui connection limits', () => {
  it('closes unauthenticated connections by the defaults', async () => {
    const dataDir = tempDir('hooktray-ui-limits-');
    const ui = await startUi(['--data-dir', dataDir]);
    const sockets: WebSocket[] = [];
    try {
      expect(await postOrdered(ui.receiverUrl, '/webhooks/before', [['Content-Type', 'application/json']], '{"n":1}')).toBe(200);
      const waiting = [];
      for (let i = 0; i < 16; i++) waiting.push(await openSilent(ui.uiPort));
      sockets.push(...waiting.map(({ socket }) => socket));

      const over = await openSilent(ui.uiPort);
      sockets.push(over.socket);
      expect(await over.closed).toEqual({ code: 1013, reason: 'Too many connections (16) are waiting to authenticate; reload the page to retry.' });
      for (const { closed } of waiting) {
        expect(await closed).toEqual({ code: 4401, reason: 'No hello with the session token within 5 s; reload the page.' });
      }

      const token = new URL(ui.uiUrl).searchParams.get('token') as string;
      const client = connectWebSocketApi({ url: `ws://127.0.0.1:${ui.uiPort}/api`, token, createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
      await client.connected;
      expect((await client.invoke('deliveries.list', {})).total).toBe(1);
      client.close();

      const log = ui.stderr();
      expect(log.match(/too many connections are waiting to authenticate/g)).toHaveLength(1);
      expect(log.match(/hello timed out/g)).toHaveLength(16);
      expect(log).not.toContain(token);
    } finally {
      for (const socket of sockets) socket.terminate();
      await ui.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
