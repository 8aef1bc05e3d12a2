import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELECTRON_NATIVE_DIR } from '../../electron/native-binding';

const ROOT = join(__dirname, '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

interface BuilderConfig {
  appId: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  extraResources: { from: string; to: string }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string };
  mac: { target: string[] };
  win: { target: string[] };
}

const config = require(join(ROOT, 'electron-builder.config.js')) as BuilderConfig;

/** Reads width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder configuration', () => {
  it('passes electron-builder validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
  });

  it('has an app id', () => {
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
  });

  it.each([
    ['linux', ['AppImage', 'deb']],
    ['mac', ['dmg']],
    ['win', ['nsis']],
  ] as const)('builds %s targets %j', (platform, targets) => {
    expect(config[platform].target).toEqual(targets);
  });

  it.each([
    ['runAsNode', false],
    ['enableCookieEncryption', true],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['onlyLoadAppFromAsar', true],
  ])('sets fuse %s to %s', (fuse, value) => {
    expect(config.electronFuses[fuse]).toBe(value);
  });

  it('packs the built bundles from out/', () => {
    for (const folder of ['out/main/**', 'out/preload/**', 'out/renderer/**']) expect(config.files).toContain(folder);
  });

  it('unpacks the Electron build of SQLite where the app loads it', () => {
    const folder = `${ELECTRON_NATIVE_DIR.split('\\').join('/')}/**`;
    expect(config.files).toContain(folder);
    expect(config.asarUnpack).toContain(folder);
  });

  it('never rebuilds node_modules for Electron', () => {
    expect(config.npmRebuild).toBe(false);
  });

  it('ships the tray icons as resources', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'build/tray', to: 'tray' }));
  });
});

describe('icons', () => {
  it('has a 512x512 app icon', () => {
    expect(pngSize(join(ROOT, config.linux.icon))).toEqual({ width: 512, height: 512 });
  });

  it.each(['online', 'degraded', 'offline'])('has %s tray icons at 1x and 2x', (state) => {
    expect(pngSize(join(ROOT, 'build', 'tray', `tray-${state}.png`))).toEqual({ width: 16, height: 16 });
    expect(pngSize(join(ROOT, 'build', 'tray', `tray-${state}@2x.png`))).toEqual({ width: 32, height: 32 });
  });
});
