/**
 * The Electron main process. `main()` is the table of contents: each step below sets up one
 * part of the tray app, in the order they depend on each other.
 */
import type { BrowserWindow } from 'electron';
import { app, clipboard, dialog, ipcMain, safeStorage } from 'electron';
import log from 'electron-log/main';
import { join } from 'node:path';
import { appVersion } from './core/app-info';
import type { Settings } from './core/contract';
import { HooktrayCore } from './core/hooktray-core';
import { MutableVault } from './core/key-store';
import type { Logger } from './core/logger';
import { fromElectronLog } from './core/logger';
import { DEFAULT_SETTINGS, loadSettingsFile, SETTINGS_FILE_NAME, SettingsService } from './core/settings';
import type { IpcRegistration } from './ipc';
import { registerIpc, watchRendererLifecycle } from './ipc';
import { findNativeBinding } from './native-binding';
import { Notifier } from './notifications';
import { KEYS_FILE_NAME, SafeStorageKeyStore } from './safe-storage-key-store';
import { superviseTunnelFromSettings } from './core/tunnel-settings';
import { claimSingleInstance } from './single-instance';
import { createLoginItem, HIDDEN_START_ARG, TrayController } from './tray';
import type { RendererTarget } from './window';
import { createMainWindow, loadRenderer, resolveRendererTarget, showWindow } from './window';

/** Shared between steps: the window a second instance brings up, and whether Quit was chosen. */
const shell = { window: null as BrowserWindow | null, quitting: false };

async function main(): Promise<void> {
  if (!claimSingleInstance(app, () => showWindow(shell.window))) return;
  const { logger, logFile } = setupLogging();
  await app.whenReady();

  const keyStore = await openKeyStore(logger);
  const core = await startCore(keyStore, logger, logFile);
  if (core === null) return;
  const tunnel = await superviseTunnelFromSettings(core, app.getPath('userData'), logger);

  const target = resolveRendererTarget(join(__dirname, '../renderer/index.html'), process.env, app.isPackaged);
  const window = setupWindow(target, logger);
  const ipc = setupIpc(core, window, target, logger, logFile);
  const tray = setupTray(core, keyStore, logger);
  setupNotifications(core, logger);
  setupQuit(core, ipc, tray, tunnel, logger);

  const hidden = process.argv.includes(HIDDEN_START_ARG) || app.getLoginItemSettings().wasOpenedAtLogin === true;
  await loadRenderer(window, target);
  if (!hidden) showWindow(window);
}

/** Logs to `<userData>/logs/main.log` through electron-log; the renderer forwards its lines over IPC. */
function setupLogging(): { logger: Logger; logFile: string } {
  const logFile = join(app.getPath('userData'), 'logs', 'main.log');
  log.transports.file.resolvePathFn = () => logFile;
  // Owner-only, as the CLI's log: lines name paths and senders of deliveries.
  log.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  log.transports.file.level = 'info';
  log.errorHandler.startCatching({ showDialog: false });
  const logger = fromElectronLog(log);
  logger.info('app: starting', { version: appVersion(), electron: process.versions.electron, platform: process.platform, packaged: app.isPackaged });
  return { logger, logFile };
}

/** Opens the key store. When the stored keys cannot be read, keys stay in memory and a dialog shows why. */
async function openKeyStore(logger: Logger): Promise<{ store: SafeStorageKeyStore; keys: Record<string, string[]> }> {
  const store = await SafeStorageKeyStore.open({ safeStorage, file: join(app.getPath('userData'), KEYS_FILE_NAME), logger });
  if (store.needsWeakChoice && !store.weakStorageAllowed) {
    logger.warn('keys: no OS keyring found; keys stay in memory unless the user chooses weak protection in the tray menu');
  }
  try {
    return { store, keys: await store.load() };
  } catch (error) {
    logger.error('keys: loading stored keys failed', { error: String(error) });
    void dialog.showMessageBox({ type: 'warning', title: 'Hooktray', message: 'Stored keys could not be loaded', detail: (error as Error).message });
    return { store, keys: {} };
  }
}

/** Loads the settings file, then starts the core on the user-data folder with the Electron build of SQLite. */
async function startCore(keyStore: { store: SafeStorageKeyStore; keys: Record<string, string[]> }, logger: Logger, logFile: string): Promise<HooktrayCore | null> {
  const dataDir = app.getPath('userData');
  const native = findNativeBinding({ appPath: app.getAppPath(), resourcesPath: process.resourcesPath, isPackaged: app.isPackaged });
  if (!native.ok) return failStart('The SQLite module for Electron is missing', native.message, logger, logFile);

  const settingsFile = join(dataDir, SETTINGS_FILE_NAME);
  let initial: Settings;
  let file: string | null = settingsFile;
  try {
    initial = loadSettingsFile(settingsFile);
  } catch (error) {
    // Starting with defaults but never saving over the file keeps the user's settings to fix.
    logger.error('settings: loading failed; running with defaults without saving', { file: settingsFile, error: String(error) });
    void dialog.showMessageBox({ type: 'warning', title: 'Hooktray', message: 'Settings could not be loaded', detail: `${(error as Error).message} Until then, changes are not saved.` });
    initial = structuredClone(DEFAULT_SETTINGS);
    file = null;
  }

  const vault = new MutableVault(keyStore.keys);
  const settings = new SettingsService({ file, keyStore: keyStore.store, vault, initial, logger });
  try {
    return await HooktrayCore.start({
      version: appVersion(),
      dataDir,
      port: 0,
      profiles: initial.profiles,
      vault,
      response: initial.response,
      retention: initial.retention,
      logger,
      // NOTE: loading the writer thread from inside the asar archive has not been tried on a
      // package. Where it fails to start, the store logs a warning and commits on this thread.
      store: { nativeBinding: native.path },
      settings,
    });
  } catch (error) {
    return failStart('Hooktray could not start receiving', `${(error as Error).message}`, logger, logFile);
  }
}

function failStart(title: string, detail: string, logger: Logger, logFile: string): null {
  logger.error('app: start failed', { title, detail });
  dialog.showErrorBox(title, `${detail}\n\nThe log is in ${logFile}.`);
  app.exit(1);
  return null;
}

function setupWindow(target: RendererTarget, logger: Logger): BrowserWindow {
  const window = createMainWindow({
    preloadPath: join(__dirname, '../preload/preload.js'),
    target,
    logger,
    isQuitting: () => shell.quitting,
  });
  shell.window = window;
  return window;
}

function setupIpc(core: HooktrayCore, window: BrowserWindow, target: RendererTarget, logger: Logger, logFile: string): IpcRegistration {
  const ipc = registerIpc({
    ipcMain,
    handlers: core.handlers,
    pushes: core.pushes,
    getWindow: () => (window.isDestroyed() ? null : window),
    target,
    logger,
    logFile,
  });
  watchRendererLifecycle(window.webContents, ipc.dispatcher, logger);
  return ipc;
}

function setupTray(core: HooktrayCore, keyStore: { store: SafeStorageKeyStore }, logger: Logger): TrayController {
  const appImage = process.env.APPIMAGE;
  const command = app.isPackaged ? [appImage ?? process.execPath] : [process.execPath, app.getAppPath()];
  const loginItem = createLoginItem(app, command);
  const store = keyStore.store;
  const weakKeyStorage = (): { enabled: boolean } | null => (store.needsWeakChoice ? { enabled: store.weakStorageAllowed } : null);
  const iconDir = app.isPackaged ? join(process.resourcesPath, 'tray') : join(app.getAppPath(), 'build', 'tray');

  const tray: TrayController = new TrayController(
    {
      iconDir,
      logger,
      actions: {
        copyUrl: (url) => clipboard.writeText(url),
        openWindow: () => openWindow(),
        setOpenAtLogin: (enabled) => {
          try {
            loginItem.setEnabled(enabled);
          } catch (error) {
            logger.error('tray: changing start at login failed', { enabled, error: String(error) });
          }
          tray.update({ openAtLogin: loginItem.isEnabled() });
        },
        setWeakKeyStorage: (enabled) => {
          store.setWeakStorageAllowed(enabled).then(
            () => tray.update({ weakKeyStorage: weakKeyStorage() }),
            (error: unknown) => {
              logger.error('keys: changing the key storage failed', { enabled, error: String(error) });
              void dialog.showMessageBox({ type: 'error', title: 'Hooktray', message: 'Changing the key storage failed', detail: (error as Error).message });
            },
          );
        },
        quit: () => {
          shell.quitting = true;
          app.quit();
        },
      },
    },
    { tunnel: core.status().tunnel, openAtLogin: loginItem.isEnabled(), weakKeyStorage: weakKeyStorage() },
  );
  core.pushes.subscribe('tunnel.status', (status) => tray.update({ tunnel: status }));
  return tray;
}

/** Shows the window, reloading the page first if its renderer process crashed. */
function openWindow(): void {
  const window = shell.window;
  if (window === null || window.isDestroyed()) return;
  if (window.webContents.isCrashed()) window.webContents.reload();
  showWindow(window);
}

function setupNotifications(core: HooktrayCore, logger: Logger): void {
  const notifier = new Notifier({ settings: () => core.settings.current.notifications, onClick: openWindow, logger });
  core.pushes.subscribe('deliveries.added', (deliveries) => notifier.addDeliveries(deliveries));
  core.pushes.subscribe('tunnel.status', (status) => notifier.tunnelChanged(status));
  app.on('before-quit', () => notifier.dispose());
}

/** Stops the core, which commits queued writes, before the process exits. Closing the window only hides it. */
function setupQuit(core: HooktrayCore, ipc: IpcRegistration, tray: TrayController, tunnel: { stop(): void }, logger: Logger): void {
  let stopped = false;
  app.on('window-all-closed', () => {
    // Keep running in the tray; only Quit ends the app.
  });
  app.on('before-quit', () => {
    shell.quitting = true;
  });
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    ipc.dispose();
    tunnel.stop();
    tray.destroy();
    core
      .stop()
      .catch((error: unknown) => logger.error('app: stopping the core failed', { error: String(error) }))
      .finally(() => {
        stopped = true;
        logger.info('app: stopped');
        app.quit();
      });
  });
}

main().catch((error: unknown) => {
  log.error('app: start failed', error);
  dialog.showErrorBox('Hooktray could not start', `${(error as Error).message ?? String(error)}`);
  app.exit(1);
});
