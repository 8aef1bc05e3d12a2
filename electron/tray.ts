import type { MenuItemConstructorOptions } from 'electron';
import { Menu, nativeImage, Tray } from 'electron';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TunnelState, TunnelStatus } from './core/contract';
import type { Logger } from './core/logger';
import { makeDirSync } from './core/make-dir';

/** The three tray images in `build/tray`, each with an `@2x` twin for high-density screens. */
export type TrayIconState = 'online' | 'degraded' | 'offline';

export interface TrayMenuState {
  tunnel: TunnelStatus;
  openAtLogin: boolean;
  /** Set only when keys can be stored with weak protection alone (Linux without a keyring). */
  weakKeyStorage: { enabled: boolean } | null;
}

export interface TrayMenuActions {
  copyUrl(url: string): void;
  openWindow(): void;
  setOpenAtLogin(enabled: boolean): void;
  setWeakKeyStorage(enabled: boolean): void;
  quit(): void;
}

export function trayIconState(state: TunnelState): TrayIconState {
  if (state === 'online') return 'online';
  if (state === 'connecting' || state === 'reconnecting' || state === 'degraded') return 'degraded';
  return 'offline';
}

/** Returns the tunnel's state in words for the menu and the tooltip. */
export function describeTunnel(status: TunnelStatus): string {
  switch (status.state) {
    case 'online':
      return 'Tunnel: online';
    case 'connecting':
      return 'Tunnel: connecting…';
    case 'reconnecting':
      return status.attempt === undefined ? 'Tunnel: reconnecting…' : `Tunnel: reconnecting (attempt ${status.attempt})…`;
    case 'degraded':
      return `Tunnel: degraded${status.reason === null ? '' : ` (${status.reason})`}`;
    case 'offline':
      return `Tunnel: offline${status.reason === null ? '' : ` (${status.reason})`}`;
    case 'disabled':
      return 'Tunnel: turned off';
  }
}

/**
 * Builds the tray menu for one state. It is a pure function of the state, so tests check
 * every tunnel state without a tray, and the menu is rebuilt whenever the state changes.
 */
export function trayMenuTemplate(state: TrayMenuState, actions: TrayMenuActions): MenuItemConstructorOptions[] {
  const url = state.tunnel.url;
  const urlItem: MenuItemConstructorOptions =
    url === null
      ? { id: 'public-url', label: 'No public URL yet', enabled: false }
      : { id: 'public-url', label: `Copy ${url}`, toolTip: 'Copies the public URL to the clipboard', click: () => actions.copyUrl(url) };

  const template: MenuItemConstructorOptions[] = [
    urlItem,
    { id: 'tunnel-status', label: describeTunnel(state.tunnel), enabled: false },
    { type: 'separator' },
    { id: 'open', label: 'Open Hooktray', click: () => actions.openWindow() },
    {
      id: 'start-at-login',
      label: 'Start at Login',
      type: 'checkbox',
      checked: state.openAtLogin,
      click: (item) => actions.setOpenAtLogin(item.checked),
    },
  ];

  if (state.weakKeyStorage !== null) {
    const where = state.weakKeyStorage.enabled ? 'on disk, weak protection' : 'in memory until Quit';
    template.push({ id: 'key-protection', label: `Keys: ${where} (no keyring found)`, enabled: false });
    template.push({
      id: 'weak-key-storage',
      label: 'Store Keys on Disk (weak protection, no keyring)',
      toolTip: 'Without a keyring, stored keys are only obfuscated. Unchecked, keys last until Hooktray quits.',
      type: 'checkbox',
      checked: state.weakKeyStorage.enabled,
      click: (item) => actions.setWeakKeyStorage(item.checked),
    });
  }

  template.push({ type: 'separator' }, { id: 'quit', label: 'Quit Hooktray', click: () => actions.quit() });
  return template;
}

/** Starts the app when the user logs in; `--hidden` keeps the window closed at that start. */
export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

export const HIDDEN_START_ARG = '--hidden';

/** Quotes one argument for a desktop entry's Exec key, per the freedesktop.org Desktop Entry spec. */
function quoteExecArg(arg: string): string {
  return `"${arg.replace(/[\\"`$]/g, (char) => `\\${char}`)}"`;
}

/** Returns the text of an XDG autostart entry that runs `command` at login. */
export function autostartDesktopEntry(command: readonly string[]): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Hooktray', `Exec=${command.map(quoteExecArg).join(' ')}`, 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

/**
 * Returns the login item for this platform. Electron's login item settings work on macOS
 * and Windows only, so on Linux an XDG autostart entry is written instead.
 */
export function createLoginItem(
  app: { getLoginItemSettings(): { openAtLogin: boolean }; setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void },
  command: readonly string[],
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): LoginItem {
  if (platform !== 'linux') {
    return {
      isEnabled: () => app.getLoginItemSettings().openAtLogin,
      setEnabled: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_START_ARG] }),
    };
  }
  const file = join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'hooktray.desktop');
  return {
    isEnabled: () => existsSync(file),
    setEnabled: (enabled) => {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      makeDirSync(join(file, '..'));
      writeFileSync(file, autostartDesktopEntry([...command, HIDDEN_START_ARG]));
    },
  };
}

export interface TrayOptions {
  /** Folder of `tray-<state>.png` and their `@2x` twins. */
  iconDir: string;
  actions: TrayMenuActions;
  logger: Logger;
}

/** Owns the tray icon: picks the image per tunnel state and rebuilds the menu on each change. */
export class TrayController {
  private readonly tray: Tray;
  private state: TrayMenuState;

  constructor(
    private readonly options: TrayOptions,
    initial: TrayMenuState,
  ) {
    this.state = initial;
    this.tray = new Tray(this.image(trayIconState(initial.tunnel.state)));
    // Windows opens the window on a click; macOS and Linux show the menu instead.
    this.tray.on('click', () => options.actions.openWindow());
    this.render();
  }

  update(change: Partial<TrayMenuState>): void {
    const previousIcon = trayIconState(this.state.tunnel.state);
    this.state = { ...this.state, ...change };
    const icon = trayIconState(this.state.tunnel.state);
    if (icon !== previousIcon) this.tray.setImage(this.image(icon));
    this.render();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    const url = this.state.tunnel.url;
    this.tray.setToolTip(`Hooktray: ${describeTunnel(this.state.tunnel).replace('Tunnel: ', 'tunnel ')}${url === null ? '' : ` at ${url}`}`);
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.state, this.options.actions)));
  }

  private image(state: TrayIconState): Electron.NativeImage {
    const file = join(this.options.iconDir, `tray-${state}.png`);
    const image = nativeImage.createFromPath(file);
    if (image.isEmpty()) this.options.logger.warn('tray: icon file missing or unreadable', { file });
    return image;
  }
}
