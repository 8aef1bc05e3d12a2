/**
 * A stand-in for the `electron` module, which vitest aliases to this file. Each object
 * records what the code under test did with it, so tests check calls instead of pixels.
 * It covers only the parts of Electron's API that the shell uses; `resetFakeElectron`
 * clears every record between tests.
 */
import { EventEmitter } from 'node:events';

type Handler = (event: { sender: FakeWebContents; senderFrame: FakeFrame | null }, ...args: unknown[]) => unknown;

export interface FakeFrame {
  url: string;
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  paths: Record<string, string> = { userData: '/tmp/hooktray-fake-user-data', logs: '/tmp/hooktray-fake-user-data/logs' };
  appPath = '/tmp/hooktray-fake-app';
  hasLock = true;
  quitCalls = 0;
  loginItem = { openAtLogin: false, args: [] as string[] };

  getPath(name: string): string {
    const path = this.paths[name];
    if (path === undefined) throw new Error(`fake app.getPath: no path "${name}"`);
    return path;
  }
  setPath(name: string, path: string): void {
    this.paths[name] = path;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {
    this.quitCalls += 1;
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItem.openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.loginItem = { openAtLogin: settings.openAtLogin, args: settings.args ?? [] };
  }
}

class FakeWebRequest {
  headersListener: ((details: unknown, callback: (response: unknown) => void) => void) | null = null;
  onHeadersReceived(listener: (details: unknown, callback: (response: unknown) => void) => void): void {
    this.headersListener = listener;
  }
}

export class FakeSession {
  permissionRequestHandler: ((...args: unknown[]) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  readonly webRequest = new FakeWebRequest();
  setPermissionRequestHandler(handler: ((...args: unknown[]) => void) | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.permissionCheckHandler = handler;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame: FakeFrame = { url: '' };
  readonly session = new FakeSession();
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  destroyed = false;

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  destroyed = false;
  focusCalls = 0;
  loaded: { file?: string; url?: string } | null = null;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { file };
    this.webContents.mainFrame.url = `file://${file}`;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focusCalls += 1;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits `close` like a click on the window's close button; returns whether it was prevented. */
  simulateClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroyed = true;
    return prevented;
  }
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls a registered handler the way a renderer's `ipcRenderer.invoke` would. */
  async invokeFrom(sender: FakeWebContents, frame: FakeFrame | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender, senderFrame: frame }, ...args);
  }
}

class FakeIpcRenderer extends EventEmitter {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  readonly sentMessages: { channel: string; args: unknown[] }[] = [];
  /** What `invoke` resolves with; tests replace it to play the main process. */
  respond: (channel: string, ...args: unknown[]) => unknown = () => undefined;

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.respond(channel, ...args);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sentMessages.push({ channel, args });
  }
}

class FakeContextBridge {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed.set(key, api);
  }
}

/**
 * Encrypts by reversing the bytes behind a marker, which is enough to prove that the key
 * store never writes plain text and always decrypts what it wrote.
 */
class FakeSafeStorage {
  available = true;
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown' = 'gnome_libsecret';
  shouldReEncrypt = false;
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('FAKE:'), Buffer.from(plainText, 'utf8').reverse()]);
  }
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    const marker = encrypted.subarray(0, 5).toString('latin1');
    if (marker !== 'FAKE:') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return { result: Buffer.from(encrypted.subarray(5)).reverse().toString('utf8'), shouldReEncrypt: this.shouldReEncrypt };
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static supported = true;
  shown = false;
  constructor(readonly options: { title: string; body?: string; silent?: boolean }) {
    super();
    FakeNotification.instances.push(this);
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    this.shown = true;
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  image: unknown;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeMenu {
  constructor(readonly template: unknown[]) {}
  static buildFromTemplate(template: unknown[]): FakeMenu {
    return new FakeMenu(template);
  }
}

const fakeShell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    fakeShell.opened.push(url);
  },
};

const fakeClipboard = {
  text: '',
  writeText(text: string): void {
    fakeClipboard.text = text;
  },
};

const fakeNativeImage = {
  createFromPath(path: string): { path: string; isEmpty(): boolean } {
    return { path, isEmpty: () => false };
  },
};

const fakeDialog = {
  shown: [] as { type?: string; title?: string; message?: string; detail?: string }[],
  /** Index of the button the fake user clicks in `showMessageBox`. */
  response: 0,
  async showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
    fakeDialog.shown.push(args.at(-1) as { message?: string });
    return { response: fakeDialog.response, checkboxChecked: false };
  },
  showErrorBox(title: string, content: string): void {
    fakeDialog.shown.push({ type: 'error', title, message: content });
  },
};

export const app = new FakeApp();
export const BrowserWindow = FakeBrowserWindow;
export const Tray = FakeTray;
export const Menu = FakeMenu;
export const Notification = FakeNotification;
export const ipcMain = new FakeIpcMain();
export const ipcRenderer = new FakeIpcRenderer();
export const contextBridge = new FakeContextBridge();
export const safeStorage = new FakeSafeStorage();
export const shell = fakeShell;
export const clipboard = fakeClipboard;
export const nativeImage = fakeNativeImage;
export const dialog = fakeDialog;
export const session = { defaultSession: new FakeSession() };

/** Clears every record and restores the defaults, for use in `beforeEach`. */
export function resetFakeElectron(): void {
  app.removeAllListeners();
  app.isPackaged = false;
  app.hasLock = true;
  app.quitCalls = 0;
  app.loginItem = { openAtLogin: false, args: [] };
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoked.length = 0;
  ipcRenderer.sentMessages.length = 0;
  ipcRenderer.respond = () => undefined;
  contextBridge.exposed.clear();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.shouldReEncrypt = false;
  fakeShell.opened.length = 0;
  fakeClipboard.text = '';
  fakeDialog.shown.length = 0;
  fakeDialog.response = 0;
  session.defaultSession = new FakeSession();
}
