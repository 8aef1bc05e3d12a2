import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/logger';
import type { RendererTarget } from '../../electron/window';
import {
  contentSecurityPolicy,
  createMainWindow,
  decidePermission,
  handleWillNavigate,
  handleWindowOpen,
  isAppUrl,
  isSafeExternalUrl,
  resolveRendererTarget,
  secureWebPreferences,
  withCspHeader,
} from '../../electron/window';
import { FakeBrowserWindow, resetFakeElectron, shell } from '../support/fake-electron';

const INDEX_HTML = '/opt/hooktray/out/renderer/index.html';
const FILE_TARGET: RendererTarget = { kind: 'file', indexHtml: INDEX_HTML };
const DEV_TARGET: RendererTarget = { kind: 'dev', url: 'http://localhost:5173/' };

beforeEach(() => resetFakeElectron());

describe('secureWebPreferences', () => {
  const preferences = secureWebPreferences('/opt/hooktray/out/preload/preload.js');

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['webviewTag', false],
    ['experimentalFeatures', false],
  ] as const)('sets %s to %s', (name, value) => {
    expect(preferences[name]).toBe(value);
  });

  it('uses the given preload script', () => {
    expect(preferences.preload).toBe('/opt/hooktray/out/preload/preload.js');
  });

  it('is what the window is created with', () => {
    createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false });
    expect(FakeBrowserWindow.instances[0]?.options.webPreferences).toEqual(secureWebPreferences('/p.js'));
  });
});

describe('content security policy', () => {
  it('allows scripts from the app only', () => {
    const policy = contentSecurityPolicy(FILE_TARGET);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("object-src 'none'");
  });

  it('lets dev mode reach its dev server', () => {
    expect(contentSecurityPolicy(DEV_TARGET)).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173');
  });

  it('replaces a policy sent by the server', () => {
    const headers = withCspHeader({ 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] }, "default-src 'none'");
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] });
  });

  it('is set on responses by the session', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false });
    const listener = (window as unknown as FakeBrowserWindow).webContents.session.webRequest.headersListener;
    let response: unknown;
    listener?.({ responseHeaders: {} }, (value) => (response = value));
    expect(response).toEqual({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy(FILE_TARGET)] } });
  });
});

describe('isAppUrl', () => {
  it.each([
    [`file://${INDEX_HTML}`, true],
    [`file://${INDEX_HTML}#/deliveries`, true],
    ['file:///opt/hooktray/out/renderer/other.html', false],
    ['file:///etc/passwd', false],
    ['https://example.com/', false],
    ['not a url', false],
  ])('%s is %s for the built page', (url, expected) => {
    expect(isAppUrl(url, FILE_TARGET)).toBe(expected);
  });

  it.each([
    ['http://localhost:5173/', true],
    ['http://localhost:5173/src/main.tsx', true],
    ['http://localhost:5174/', false],
    ['http://127.0.0.1:5173/', false],
  ])('%s is %s for the dev server', (url, expected) => {
    expect(isAppUrl(url, DEV_TARGET)).toBe(expected);
  });
});

describe('resolveRendererTarget', () => {
  it('ignores the dev server URL when packaged', () => {
    expect(resolveRendererTarget(INDEX_HTML, { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, true)).toEqual(FILE_TARGET);
  });

  it('ignores a dev server URL off loopback', () => {
    expect(resolveRendererTarget(INDEX_HTML, { ELECTRON_RENDERER_URL: 'https://evil.example/' }, false)).toEqual(FILE_TARGET);
  });

  it('uses a loopback dev server in development', () => {
    expect(resolveRendererTarget(INDEX_HTML, { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, false)).toEqual(DEV_TARGET);
  });
});

describe('window.open handler', () => {
  it.each([
    ['https://docs.spikeapi.com/', true],
    ['http://localhost:3000/hook', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://host/share', false],
    ['https://user:secret@example.com/', false],
    [`https://example.com/${'a'.repeat(3000)}`, false],
  ])('denies %s and opens it externally: %s', (url, external) => {
    const opened: string[] = [];
    expect(handleWindowOpen(url, (value) => opened.push(value))).toEqual({ action: 'deny' });
    expect(opened).toEqual(external ? [url] : []);
  });

  it('is installed on the window', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false }) as unknown as FakeBrowserWindow;
    expect(window.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://example.com/']);
  });
});

describe('navigation', () => {
  it('prevents every navigation', () => {
    let prevented = 0;
    handleWillNavigate({ preventDefault: () => (prevented += 1) }, 'file:///etc/passwd', () => undefined);
    handleWillNavigate({ preventDefault: () => (prevented += 1) }, 'https://example.com/', () => undefined);
    expect(prevented).toBe(2);
  });

  it('is denied on the window, opening http links outside', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false }) as unknown as FakeBrowserWindow;
    let prevented = false;
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com/page');
    expect(prevented).toBe(true);
    expect(shell.opened).toEqual(['https://example.com/page']);
  });

  it('denies webview attachment', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false }) as unknown as FakeBrowserWindow;
    let prevented = false;
    window.webContents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial'])('denies %s', (permission) => {
    expect(decidePermission(permission, `file://${INDEX_HTML}`, FILE_TARGET)).toBe(false);
  });

  it('allows clipboard writes from the app page only', () => {
    expect(decidePermission('clipboard-sanitized-write', `file://${INDEX_HTML}`, FILE_TARGET)).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', 'https://example.com/', FILE_TARGET)).toBe(false);
  });

  it('are decided by the session handlers', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false }) as unknown as FakeBrowserWindow;
    const session = window.webContents.session;
    let granted: boolean | undefined;
    session.permissionRequestHandler?.(window.webContents, 'media', (value: boolean) => (granted = value), { requestingUrl: `file://${INDEX_HTML}` });
    expect(granted).toBe(false);
    expect(session.permissionCheckHandler?.(window.webContents, 'geolocation', 'file://', { requestingUrl: `file://${INDEX_HTML}` })).toBe(false);
  });
});

describe('closing the window', () => {
  it('hides it while the app runs', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => false }) as unknown as FakeBrowserWindow;
    window.show();
    expect(window.simulateClose()).toBe(true);
    expect(window.isVisible()).toBe(false);
  });

  it('closes it when quitting', () => {
    const window = createMainWindow({ preloadPath: '/p.js', target: FILE_TARGET, logger: silentLogger, isQuitting: () => true }) as unknown as FakeBrowserWindow;
    expect(window.simulateClose()).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it('rejects an unparsable URL', () => {
    expect(isSafeExternalUrl('http//missing-colon')).toBe(false);
  });
});
