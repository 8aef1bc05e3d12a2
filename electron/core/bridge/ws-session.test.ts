import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketApi, WebSocketLike } from '../../../renderer/src/api/ws-client';
import { connectWebSocketApi } from '../../../renderer/src/api/ws-client';
import type { DeliveryDetail, HooktrayApi, ImportRequest, InvokeChannel } from '../contract';
import { silentLogger } from '../logger';
import { UiBridge } from './bridge-server';
import type { ServerMessage } from './wire';
import { SERVER_PART_CHARS } from './wire';

const SMALL_ID = '01HZX3Y5N8QK2W7R4T6V9B1C3D';
const LARGE_ID = '01HZX3Y5N8QK2W7R4T6V9B1C3E';
const GATED_ID = '01HZX3Y5N8QK2W7R4T6V9B1C3F';

/** A core stand-in: `import.run` records its request, `deliveries.get` returns bodies by id. */
class FakeCore {
  imports: ImportRequest[] = [];
  bodies = new Map<string, Uint8Array>();
  private releaseGate: () => void = () => {};
  private gate = new Promise<void>((resolve) => (this.releaseGate = resolve));

  release(): void {
    this.releaseGate();
  }

  readonly api: HooktrayApi = {
    invoke: async (channel: InvokeChannel, request: unknown) => {
      if (channel === 'import.run') {
        this.imports.push(request as ImportRequest);
        return { ok: true, imported: 0, ids: [], renamed: 0, invalidIds: 0, warnings: [] };
      }
      if (channel === 'deliveries.get') {
        const { id } = request as { id: string };
        if (id === GATED_ID) await this.gate;
        const body = this.bodies.get(id) ?? new Uint8Array();
        return { id, body, decodedBody: null } as unknown as DeliveryDetail;
      }
      return null;
    },
    subscribe: () => () => {},
  } as HooktrayApi;
}

function connect(bridge: UiBridge): Promise<WebSocketApi> {
  const api = connectWebSocketApi({ url: `ws://127.0.0.1:${bridge.port}/api`, token: bridge.token, createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
  return api.connected.then(() => api);
}

/** Opens a WebSocket that speaks the protocol by hand, to see every message the bridge sends. */
async function rawSocket(bridge: UiBridge): Promise<{ socket: WebSocket; messages: ServerMessage[]; next: (match: (message: ServerMessage) => boolean) => Promise<ServerMessage> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${bridge.port}/api`);
  const messages: ServerMessage[] = [];
  const waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.match(message)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const next = (match: (message: ServerMessage) => boolean): Promise<ServerMessage> => {
    const found = messages.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'hello', token: bridge.token }));
  await next((message) => message.type === 'ready');
  return { socket, messages, next };
}

const idOf = (message: ServerMessage): number | null => ('id' in message ? message.id : null);
const errorOf = (message: ServerMessage): { code: string; message: string } | null => (message.type === 'result' && !message.ok ? message.error : null);

describe('bridge session', () => {
  const core = new FakeCore();
  let bridge: UiBridge;
  let client: WebSocketApi;

  beforeAll(async () => {
    bridge = await UiBridge.start({ api: core.api, port: 0, rendererDir: tmpdir(), logger: silentLogger });
    client = await connect(bridge);
  });

  afterAll(async () => {
    client?.close();
    await bridge?.close();
  });

  it('carries request bytes exactly', async () => {
    const data = new Uint8Array(256).map((_, index) => index);
    await client.invoke('import.run', { files: [{ name: 'capture.body', data }] });

    const received = core.imports.at(-1)?.files?.[0]?.data;
    expect(received).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(received as Uint8Array).equals(Buffer.from(data))).toBe(true);
  });

  it('sends a long request in parts', async () => {
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
    await client.invoke('import.run', { files: [{ name: 'deliveries.har', data }] });

    const received = core.imports.at(-1)?.files?.[0]?.data;
    expect(received?.byteLength).toBe(data.byteLength);
    expect(Buffer.from(received as Uint8Array).equals(Buffer.from(data))).toBe(true);
  });

  it('sends a long result in parts', async () => {
    const body = new Uint8Array(randomBytes(5 * 1024 * 1024));
    core.bodies.set(LARGE_ID, body);
    const detail = await client.invoke('deliveries.get', { id: LARGE_ID });

    expect(detail?.body.byteLength).toBe(body.byteLength);
    expect(Buffer.from(detail?.body as Uint8Array).equals(Buffer.from(body))).toBe(true);
  });

  it('rejects a cancelled invoke at once', async () => {
    const abort = new AbortController();
    const pending = client.invoke('deliveries.get', { id: LARGE_ID }, { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(await client.invoke('deliveries.get', { id: SMALL_ID })).toMatchObject({ id: SMALL_ID });
  });

  it('drops the result of an invoke cancelled in flight', async () => {
    const { socket, messages, next } = await rawSocket(bridge);
    socket.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'deliveries.get', request: { id: GATED_ID } }));
    socket.send(JSON.stringify({ type: 'cancel', id: 1 }));
    socket.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'deliveries.get', request: { id: SMALL_ID } }));
    await next((message) => idOf(message) === 2);

    // Once released, the gated handler finishes before the bridge reads invoke 3.
    core.release();
    socket.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'deliveries.get', request: { id: SMALL_ID } }));
    await next((message) => idOf(message) === 3);
    expect(messages.filter((message) => idOf(message) === 1)).toEqual([]);
    socket.close();
  });

  it('rejects requests that cannot be decoded', async () => {
    const { socket, next } = await rawSocket(bridge);
    // 100,000 nested arrays fit in one frame and would overflow the call stack of a recursive decoder.
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    socket.send(`{"type":"invoke","id":1,"channel":"status.get","request":${nested}}`);
    const notBase64 = { files: [{ name: 'a.har', data: { $type: 'bytes', base64: '!!!*' } }] };
    socket.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'import.run', request: notBase64 }));

    const deep = errorOf(await next((message) => idOf(message) === 1));
    expect(deep?.code).toBe('invalid-request');
    expect(deep?.message).toContain('nested deeper than 256 levels');
    const bytes = errorOf(await next((message) => idOf(message) === 2));
    expect(bytes?.code).toBe('invalid-request');
    expect(bytes?.message).toContain('not valid base64');
    socket.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'deliveries.get', request: { id: SMALL_ID } }));
    expect(await next((message) => idOf(message) === 3)).toMatchObject({ ok: true });
    socket.close();
  });

  it('stops sending parts of a cancelled result', async () => {
    const body = new Uint8Array(randomBytes(40 * 1024 * 1024));
    core.bodies.set(LARGE_ID, body);
    const totalParts = Math.ceil((body.byteLength * 4) / 3 / SERVER_PART_CHARS);
    const { socket, messages, next } = await rawSocket(bridge);

    socket.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'deliveries.get', request: { id: LARGE_ID } }));
    await next((message) => message.type === 'part' && message.id === 1);
    // While the page reads nothing, the bridge can send only what the socket buffers hold.
    socket.pause();
    socket.send(JSON.stringify({ type: 'cancel', id: 1 }));
    socket.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'deliveries.get', request: { id: SMALL_ID } }));
    socket.resume();
    await next((message) => idOf(message) === 2);

    const parts = messages.filter((message) => message.type === 'part' && message.id === 1);
    expect(parts.length).toBeLessThan(totalParts / 2);
    expect(parts.some((part) => part.type === 'part' && part.final)).toBe(false);
    socket.close();
  });
});
