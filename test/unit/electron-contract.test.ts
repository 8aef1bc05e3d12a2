import { EventEmitter } from 'node:events';
import type { ipcRenderer } from 'electron';
import { silentLogger } from '../../electron/core/logger';
import { registerIpc } from '../../electron/ipc';
import { createPreloadApi } from '../../electron/preload';
import type { RendererTarget } from '../../electron/window';
import { describeContract } from '../support/contract-suite';
import { FakeBrowserWindow, ipcMain, resetFakeElectron } from '../support/fake-electron';

const INDEX_HTML = '/opt/hooktray/out/renderer/index.html';
const TARGET: RendererTarget = { kind: 'file', indexHtml: INDEX_HTML };

/**
 * Runs the contract suite through the Electron adapter: the preload's API on one side, the
 * main process's handlers on the other, joined by the fake `electron` module. Every message
 * is structured-cloned, as Electron's IPC does, so a payload that cannot cross IPC fails here.
 */
describeContract('Electron IPC', async (core) => {
  resetFakeElectron();
  const window = new FakeBrowserWindow({});
  await window.loadFile(INDEX_HTML);
  const rendererSide = new EventEmitter();
  window.webContents.send = (channel: string, payload: unknown) => {
    rendererSide.emit(channel, {}, structuredClone(payload));
  };

  const registration = registerIpc({ ipcMain, handlers: core.handlers, pushes: core.pushes, getWindow: () => window, target: TARGET, logger: silentLogger, logFile: '/tmp/main.log' });
  const transport = {
    invoke: async (channel: string, ...args: unknown[]) =>
      structuredClone(await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, channel, ...structuredClone(args))),
    on: (channel: string, listener: (...args: unknown[]) => void) => rendererSide.on(channel, listener),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => rendererSide.removeListener(channel, listener),
    send: (channel: string, ...args: unknown[]) => ipcMain.emit(channel, { sender: window.webContents, senderFrame: window.webContents.mainFrame }, ...args),
  };
  const api = createPreloadApi(transport as unknown as Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener' | 'send'>);
  await api.ready();

  return { api, close: async () => registration.dispose() };
});
