import type { BrowserWindowConstructorOptions, Event, Session, WebContents, WebPreferences } from 'electron';
import { BrowserWindow, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import type { Logger } from './core/logger';

/** Source of the renderer: the built `index.html`, or electron-vite's dev server. */
export type RendererTarget = { kind: 'file'; indexHtml: string } | { kind: 'dev'; url: string };

/** Longest URL that is handed to the system browser; longer ones are dropped as suspicious. */
const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * Returns the renderer the window loads. electron-vite sets ELECTRON_RENDERER_URL only
 * while `electron-vite dev` runs; a packaged app has no such variable and loads the file.
 */
export function resolveRendererTarget(indexHtml: string, env: NodeJS.ProcessEnv, isPackaged: boolean): RendererTarget {
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl !== undefined && /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?/.test(devUrl)) return { kind: 'dev', url: devUrl };
  return { kind: 'file', indexHtml };
}

/** Returns true when `url` is the app's own page (any hash or query), never another file or site. */
export function isAppUrl(url: string, target: RendererTarget): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (target.kind === 'dev') return parsed.origin === new URL(target.url).origin;
  return parsed.protocol === 'file:' && parsed.pathname === pathToFileURL(target.indexHtml).pathname;
}

/** Returns true for a plain http or https URL that may be opened in the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  if (url.length > MAX_EXTERNAL_URL_LENGTH) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * Returns the renderer's web preferences. The page shows bytes received from the internet,
 * so it gets no Node.js, runs in Chromium's sandbox and reaches main only through the
 * preload's typed API.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/**
 * Returns the Content-Security-Policy the session adds to every response. It repeats the
 * page's meta tag, so a response that lost the tag is still locked down. In dev mode the
 * page may also connect to the dev server for hot reload.
 */
export function contentSecurityPolicy(target: RendererTarget): string {
  const devOrigin = target.kind === 'dev' ? new URL(target.url).origin : null;
  const connect = devOrigin === null ? "'self'" : `'self' ${devOrigin} ${devOrigin.replace(/^http/, 'ws')}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Returns the response headers with the CSP set, replacing any policy the response had. */
export function withCspHeader(headers: Record<string, string[]> | undefined, policy: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}

/**
 * Handles `window.open` and `target=_blank` links: never opens an Electron window, and
 * hands plain http(s) URLs to the system browser. Other schemes (file:, javascript:,
 * custom protocols) are dropped because they could start local programs.
 */
export function handleWindowOpen(url: string, openExternal: (url: string) => void): { action: 'deny' } {
  if (isSafeExternalUrl(url)) openExternal(url);
  return { action: 'deny' };
}

/** Cancels every navigation away from the app's page; an http(s) link opens in the system browser. */
export function handleWillNavigate(event: Pick<Event, 'preventDefault'>, url: string, openExternal: (url: string) => void): void {
  event.preventDefault();
  if (isSafeExternalUrl(url)) openExternal(url);
}

/**
 * Decides a permission request: all are denied (camera, notifications, geolocation and the
 * rest), except writing plain text to the clipboard from the app's own page, which the
 * copy buttons need and which reads nothing.
 */
export function decidePermission(permission: string, requestingUrl: string, target: RendererTarget): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, target);
}

/** Installs the CSP header and the permission handlers on the window's session. */
export function lockDownSession(session: Session, target: RendererTarget, logger: Logger): void {
  const policy = contentSecurityPolicy(target);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders, policy) });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const allowed = decidePermission(permission, details.requestingUrl, target);
    if (!allowed) logger.warn('window: permission request denied', { permission, url: details.requestingUrl });
    callback(allowed);
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    decidePermission(permission, details.requestingUrl ?? requestingOrigin, target),
  );
}

/** Attaches the navigation, window-open and webview guards to the window's web contents. */
export function guardWebContents(webContents: WebContents, logger: Logger, openExternal: (url: string) => void): void {
  webContents.setWindowOpenHandler(({ url }) => handleWindowOpen(url, openExternal));
  webContents.on('will-navigate', (event, url) => {
    logger.warn('window: navigation denied', { url });
    handleWillNavigate(event, url, openExternal);
  });
  webContents.on('will-redirect', (event, url) => {
    logger.warn('window: redirect denied', { url });
    event.preventDefault();
  });
  webContents.on('will-attach-webview', (event) => event.preventDefault());
}

export interface MainWindowOptions {
  preloadPath: string;
  target: RendererTarget;
  logger: Logger;
  /** True while the app is quitting; until then, closing the window only hides it. */
  isQuitting: () => boolean;
}

/** Creates the hidden main window with every guard installed; `loadRenderer` loads the page. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const windowOptions: BrowserWindowConstructorOptions = {
    width: 1200,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    show: false,
    title: 'Hooktray',
    webPreferences: secureWebPreferences(options.preloadPath),
  };
  const window = new BrowserWindow(windowOptions);
  const openExternal = (url: string): void => {
    shell.openExternal(url).catch((error: unknown) => options.logger.warn('window: opening a link failed', { url, error: String(error) }));
  };

  lockDownSession(window.webContents.session, options.target, options.logger);
  guardWebContents(window.webContents, options.logger, openExternal);

  // The tray app keeps receiving with the window closed, so closing only hides it.
  window.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  return window;
}

export async function loadRenderer(window: BrowserWindow, target: RendererTarget): Promise<void> {
  if (target.kind === 'dev') await window.loadURL(target.url);
  else await window.loadFile(target.indexHtml);
}

/** Brings the window to the front, restoring it when minimized or hidden. */
export function showWindow(window: BrowserWindow | null): void {
  if (window === null || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
