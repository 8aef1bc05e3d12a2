import type { MenuItemConstructorOptions } from 'electron';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TunnelStatus } from '../../electron/core/contract';
import { silentLogger } from '../../electron/core/logger';
import type { TrayMenuActions, TrayMenuState } from '../../electron/tray';
import { autostartDesktopEntry, createLoginItem, TrayController, trayIconState, trayMenuTemplate } from '../../electron/tray';
import { app, FakeTray, resetFakeElectron } from '../support/fake-electron';

const URL = 'https://hooktray-abc123.loca.lt';

const STATES: Record<string, TunnelStatus> = {
  online: { state: 'online', url: URL, reason: null },
  connecting: { state: 'connecting', url: null, reason: null },
  reconnecting: { state: 'reconnecting', url: URL, reason: 'The connection dropped.', attempt: 3, nextTryAt: '2025-04-15T13:34:00Z' },
  degraded: { state: 'degraded', url: URL, reason: 'The probe timed out.' },
  offline: { state: 'offline', url: null, reason: 'localtunnel.me did not answer.' },
  disabled: { state: 'disabled', url: null, reason: 'The tunnel is turned off.' },
};

function recordingActions(): TrayMenuActions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    copyUrl: (url) => calls.push(`copy ${url}`),
    openWindow: () => calls.push('open'),
    setOpenAtLogin: (enabled) => calls.push(`login ${enabled}`),
    setWeakKeyStorage: (enabled) => calls.push(`weak ${enabled}`),
    quit: () => calls.push('quit'),
  };
}

function menu(tunnel: TunnelStatus, extra: Partial<TrayMenuState> = {}, actions = recordingActions()): MenuItemConstructorOptions[] {
  return trayMenuTemplate({ tunnel, openAtLogin: false, weakKeyStorage: null, ...extra }, actions);
}

function item(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = template.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`menu item ${id} not found`);
  return found;
}

function click(entry: MenuItemConstructorOptions, checked = false): void {
  (entry.click as unknown as (item: { checked: boolean }) => void)({ checked });
}

beforeEach(() => resetFakeElectron());

describe('trayMenuTemplate', () => {
  it.each([
    ['online', 'Tunnel: online'],
    ['connecting', 'Tunnel: connecting…'],
    ['reconnecting', 'Tunnel: reconnecting (attempt 3)…'],
    ['degraded', 'Tunnel: degraded (The probe timed out.)'],
    ['offline', 'Tunnel: offline (localtunnel.me did not answer.)'],
    ['disabled', 'Tunnel: turned off'],
  ])('shows the %s status', (state, label) => {
    const status = item(menu(STATES[state] as TunnelStatus), 'tunnel-status');
    expect(status.label).toBe(label);
    expect(status.enabled).toBe(false);
  });

  it.each(['online', 'reconnecting', 'degraded'])('copies the URL when %s', (state) => {
    const actions = recordingActions();
    const urlItem = item(menu(STATES[state] as TunnelStatus, {}, actions), 'public-url');
    expect(urlItem.label).toBe(`Copy ${URL}`);
    click(urlItem);
    expect(actions.calls).toEqual([`copy ${URL}`]);
  });

  it.each(['connecting', 'offline', 'disabled'])('disables the URL item when %s', (state) => {
    const urlItem = item(menu(STATES[state] as TunnelStatus), 'public-url');
    expect(urlItem.enabled).toBe(false);
    expect(urlItem.click).toBeUndefined();
  });

  it('lists the items in order', () => {
    const ids = menu(STATES.online as TunnelStatus).map((entry) => entry.id ?? entry.type);
    expect(ids).toEqual(['public-url', 'tunnel-status', 'separator', 'open', 'start-at-login', 'separator', 'quit']);
  });

  it('opens the window and quits', () => {
    const actions = recordingActions();
    const template = menu(STATES.online as TunnelStatus, {}, actions);
    click(item(template, 'open'));
    click(item(template, 'quit'));
    expect(actions.calls).toEqual(['open', 'quit']);
  });

  it('toggles start at login', () => {
    const actions = recordingActions();
    const loginItem = item(menu(STATES.online as TunnelStatus, { openAtLogin: true }, actions), 'start-at-login');
    expect(loginItem.checked).toBe(true);
    click(loginItem, false);
    expect(actions.calls).toEqual(['login false']);
  });

  it('offers weak key storage only without a keyring', () => {
    expect(menu(STATES.online as TunnelStatus).some((entry) => entry.id === 'weak-key-storage')).toBe(false);
    const actions = recordingActions();
    const template = menu(STATES.online as TunnelStatus, { weakKeyStorage: { enabled: false } }, actions);
    expect(item(template, 'key-protection').label).toBe('Keys: in memory until Quit (no keyring found)');
    click(item(template, 'weak-key-storage'), true);
    expect(actions.calls).toEqual(['weak true']);
  });
});

describe('trayIconState', () => {
  it.each([
    ['online', 'online'],
    ['connecting', 'degraded'],
    ['reconnecting', 'degraded'],
    ['degraded', 'degraded'],
    ['offline', 'offline'],
    ['disabled', 'offline'],
  ] as const)('maps %s to %s', (state, icon) => {
    expect(trayIconState(state)).toBe(icon);
  });
});

describe('TrayController', () => {
  it('changes the image and menu with the tunnel', () => {
    const controller = new TrayController(
      { iconDir: '/icons', actions: recordingActions(), logger: silentLogger },
      { tunnel: STATES.offline as TunnelStatus, openAtLogin: false, weakKeyStorage: null },
    );
    const tray = FakeTray.instances[0] as FakeTray;
    expect((tray.image as { path: string }).path).toBe(join('/icons', 'tray-offline.png'));

    controller.update({ tunnel: STATES.online as TunnelStatus });
    expect((tray.image as { path: string }).path).toBe(join('/icons', 'tray-online.png'));
    expect(tray.tooltip).toBe(`Hooktray: tunnel online at ${URL}`);
    const template = tray.menu?.template as MenuItemConstructorOptions[];
    expect(item(template, 'public-url').label).toBe(`Copy ${URL}`);
  });
});

describe('login item', () => {
  it('writes and removes an XDG autostart entry on Linux', () => {
    const config = mkdtempSync(join(tmpdir(), 'hooktray-autostart-'));
    try {
      const loginItem = createLoginItem(app, ['/opt/Hooktray/hooktray'], 'linux', { XDG_CONFIG_HOME: config });
      expect(loginItem.isEnabled()).toBe(false);
      loginItem.setEnabled(true);
      expect(loginItem.isEnabled()).toBe(true);
      expect(readFileSync(join(config, 'autostart', 'hooktray.desktop'), 'utf8')).toContain('Exec="/opt/Hooktray/hooktray" "--hidden"');
      loginItem.setEnabled(false);
      expect(loginItem.isEnabled()).toBe(false);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('uses login item settings elsewhere', () => {
    const loginItem = createLoginItem(app, ['C:\\Hooktray\\Hooktray.exe'], 'win32');
    loginItem.setEnabled(true);
    expect(app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    expect(loginItem.isEnabled()).toBe(true);
  });

  it('escapes shell characters in the Exec line', () => {
    expect(autostartDesktopEntry(['/home/a "b"/$x`y`'])).toContain('Exec="/home/a \\"b\\"/\\$x\\`y\\`"');
  });
});
