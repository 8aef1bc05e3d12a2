import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HooktrayApi, InvokeChannel, TunnelStatus } from '../../electron/core/contract';
import { invokeIpcChannel, LOG_IPC_CHANNEL, pushIpcChannel, READY_IPC_CHANNEL } from '../../electron/ipc-channels';
import { createPreloadApi } from '../../electron/preload';
import { contextBridge, ipcRenderer, resetFakeElectron } from '../support/fake-electron';

// The preload exposes its API at import time, and only in an isolated renderer context.
vi.hoisted(() => {
  (process as { contextIsolated?: boolean }).contextIsolated = true;
});
const exposedAtLoad = new Map(contextBridge.exposed);
delete (process as { contextIsolated?: boolean }).contextIsolated;

const STATUS: TunnelStatus = { state: 'online', url: 'https://a.loca.lt', reason: null };

async function loadPreload(): Promise<HooktrayApi> {
  return createPreloadApi(ipcRenderer as never);
}

beforeEach(() => resetFakeElectron());

describe('preload', () => {
  it('exposes exactly one object', () => {
    expect([...exposedAtLoad.keys()]).toEqual(['hooktray']);
  });

  it('exposes no ipcRenderer', () => {
    const api = exposedAtLoad.get('hooktray') as HooktrayApi;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'log', 'ready', 'subscribe']);
    expect(Object.values(api).includes(ipcRenderer as never)).toBe(false);
  });

  it('invokes a contract channel and returns its value', async () => {
    const api = await loadPreload();
    ipcRenderer.respond = () => ({ ok: true, value: { items: [], nextBefore: null, total: 0 } });
    await expect(api.invoke('deliveries.list', { limit: 10 })).resolves.toEqual({ items: [], nextBefore: null, total: 0 });
    expect(ipcRenderer.invoked).toEqual([{ channel: invokeIpcChannel('deliveries.list'), args: [{ limit: 10 }] }]);
  });

  it('rejects with the code of a failed invoke', async () => {
    const api = await loadPreload();
    ipcRenderer.respond = () => ({ ok: false, code: 'invalid-request', message: 'Invalid request on channel "deliveries.get".' });
    await expect(api.invoke('deliveries.get', { id: 'x' })).rejects.toThrow('invalid-request: Invalid request on channel "deliveries.get".');
  });

  it('refuses a channel outside the contract', async () => {
    const api = await loadPreload();
    await expect(api.invoke('shell.exec' as InvokeChannel, undefined as never)).rejects.toThrow('Unknown invoke channel "shell.exec"');
    expect(ipcRenderer.invoked).toEqual([]);
  });

  it('subscribes and unsubscribes', async () => {
    const api = await loadPreload();
    const received: TunnelStatus[] = [];
    const unsubscribe = api.subscribe('tunnel.status', (status) => received.push(status));
    ipcRenderer.emit(pushIpcChannel('tunnel.status'), {}, STATUS);
    unsubscribe();
    ipcRenderer.emit(pushIpcChannel('tunnel.status'), {}, STATUS);
    expect(received).toEqual([STATUS]);
    expect(ipcRenderer.listenerCount(pushIpcChannel('tunnel.status'))).toBe(0);
  });

  it('fans one push out to every subscriber', async () => {
    const api = await loadPreload();
    let calls = 0;
    const first = api.subscribe('tunnel.status', () => (calls += 1));
    api.subscribe('tunnel.status', () => (calls += 1));
    first();
    ipcRenderer.emit(pushIpcChannel('tunnel.status'), {}, STATUS);
    expect(calls).toBe(1);
    expect(ipcRenderer.listenerCount(pushIpcChannel('tunnel.status'))).toBe(1);
  });

  it('refuses an unknown push channel', async () => {
    const api = await loadPreload();
    expect(() => api.subscribe('secrets' as never, () => undefined)).toThrow('Unknown push channel "secrets"');
  });

  it('signals ready', async () => {
    const api = await loadPreload();
    ipcRenderer.respond = () => ({ ok: true, value: null });
    await api.ready?.();
    expect(ipcRenderer.invoked.map((call) => call.channel)).toEqual([READY_IPC_CHANNEL]);
  });

  it('forwards log lines with a known level only', async () => {
    const api = await loadPreload();
    api.log?.('warn', 'slow render');
    api.log?.('debug' as never, 'ignored');
    expect(ipcRenderer.sentMessages).toEqual([{ channel: LOG_IPC_CHANNEL, args: ['warn', 'slow render'] }]);
  });
});
