import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { coreApi } from '../../electron/core/bridge/core-api';
import { UiBridge } from '../../electron/core/bridge/bridge-server';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { silentLogger } from '../../electron/core/logger';
import type { WebSocketApi, WebSocketLike } from '../../renderer/src/api/ws-client';
import { connectWebSocketApi } from '../../renderer/src/api/ws-client';

/** Creates a stand-in renderer build of one index.html, so the bridge can be tested without building. */
export function fakeRendererDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hooktray-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Hooktray test page</title>');
  return dir;
}

export async function startBridge(core: HooktrayCore, rendererDir = fakeRendererDir()): Promise<UiBridge> {
  return UiBridge.start({ api: coreApi(core), port: 0, rendererDir, logger: silentLogger });
}

/** Connects the renderer's WebSocket client to a bridge, with the token in the hello message. */
export async function connectClient(bridge: UiBridge, token: string | null = bridge.token): Promise<WebSocketApi> {
  const api = connectWebSocketApi({
    url: `ws://127.0.0.1:${bridge.port}/api`,
    token,
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
  await api.connected;
  return api;
}
