import { describe, expect, it } from 'vitest';
import type { ClientMessage, ServerMessage } from '../../../electron/core/bridge/wire';
import type { WebSocketLike } from './ws-client';
import { connectWebSocketApi } from './ws-client';

/** A socket the test drives: it records what the client sends and delivers the test's messages. */
class ScriptedSocket implements WebSocketLike {
  readyState = 1;
  sent: ClientMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(): void {}

  deliver(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code: number, reason: string): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

async function connectedClient() {
  const socket = new ScriptedSocket();
  const api = connectWebSocketApi({ url: 'ws://127.0.0.1:1/api', token: 'token', createSocket: () => socket });
  socket.onopen?.({});
  socket.deliver({ type: 'ready' });
  await api.connected;
  return { socket, api };
}

describe('WebSocket client after a disconnect', () => {
  it('rejects pending invokes with the close reason', async () => {
    const { socket, api } = await connectedClient();
    const pending = api.invoke('status.get', undefined);
    await Promise.resolve();

    socket.drop(1006, '');
    await expect(pending).rejects.toMatchObject({ code: 'disconnected', message: expect.stringContaining('closed (code 1006)') });
  });

  it('rejects later invokes at once', async () => {
    const { socket, api } = await connectedClient();
    socket.drop(1001, 'hooktray ui stopped');

    await expect(api.invoke('settings.get', undefined)).rejects.toMatchObject({ code: 'disconnected', message: expect.stringContaining('hooktray ui stopped') });
    await expect(api.invoke('deliveries.list', {})).rejects.toMatchObject({ code: 'disconnected' });
    expect(socket.sent.filter((message) => message.type === 'invoke')).toEqual([]);
  });

  it('tells disconnect listeners the reason', async () => {
    const { socket, api } = await connectedClient();
    const reasons: string[] = [];
    api.onDisconnect((reason) => reasons.push(reason));

    socket.drop(1013, 'The page fell behind; reload it.');
    expect(reasons).toEqual(['the connection to hooktray ui closed (code 1013: The page fell behind; reload it.)']);
  });
});

describe('WebSocket client encoding', () => {
  it('sends request bytes as tagged base64', async () => {
    const { socket, api } = await connectedClient();
    void api.invoke('import.run', { files: [{ name: 'a.body', data: new Uint8Array([0, 255]) }] });
    await Promise.resolve();

    const invoke = socket.sent.find((message) => message.type === 'invoke');
    expect(invoke).toMatchObject({ channel: 'import.run', request: { files: [{ name: 'a.body', data: { $type: 'bytes', base64: 'AP8=' } }] } });
  });

  it('joins a result sent in parts', async () => {
    const { socket, api } = await connectedClient();
    const pending = api.invoke('status.get', undefined);
    await Promise.resolve();

    const text = JSON.stringify({ type: 'result', id: 1, ok: true, response: { version: 'é😀' } });
    const cut = text.indexOf('😀') + 1;
    socket.deliver({ type: 'part', id: 1, text: text.slice(0, cut), final: false });
    socket.deliver({ type: 'part', id: 1, text: text.slice(cut), final: true });
    expect(await pending).toEqual({ version: 'é😀' });
  });
});
