import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketApi, WebSocketLike } from '../../../renderer/src/api/ws-client';
import { connectWebSocketApi } from '../../../renderer/src/api/ws-client';
import type { HooktrayApi, ImportRequest, InvokeChannel } from '../contract';
import { silentLogger } from '../logger';
import { UiBridge } from './bridge-server';


/** A core stand-in whose `import.run` records its request. */
class FakeCore {
  imports: ImportRequest[] = [];

  readonly api: HooktrayApi = {
    invoke: async (channel: InvokeChannel, request: unknown) => {
      if (channel === 'import.run') this.imports.push(request as ImportRequest);
      return { ok: true, imported: 0, ids: [], renamed: 0, warnings: [] };
    },
    subscribe: () => () => {},
  } as HooktrayApi;
}

function connect(bridge: UiBridge): Promise<WebSocketApi> {
  const api = connectWebSocketApi({ url: `ws://127.0.0.1:${bridge.port}/api`, token: bridge.token, createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
  return api.connected.then(() => api);
}

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
});
