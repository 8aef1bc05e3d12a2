'use strict';
/**
 * electron-builder configuration for `npm run dist`: AppImage and deb on Linux, dmg on macOS,
 * nsis on Windows. Packaging downloads Electron, so it runs only where that download works;
 * test/unit/packaging.test.ts checks this file everywhere.
 *
 * @type {import('electron-builder').Configuration}
 */
const config = {
  appId: 'dev.hooktray.app',
  productName: 'Hooktray',
  executableName: 'hooktray',
  copyright: 'Copyright © Hooktray contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // The bundles electron-vite built and the Electron build of the SQLite addon; electron-builder
  // adds the production dependencies. better-sqlite3's build/ (the Node build), deps/ and src/
  // (its C sources) are not needed at run time.
  files: [
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'out/native/electron/**',
    'package.json',
    '!**/*.map',
    '!node_modules/better-sqlite3/{build,deps,src}/**',
  ],
  // Native code cannot be loaded from inside the asar archive.
  asarUnpack: ['out/native/electron/**'],
  extraResources: [{ from: 'build/tray', to: 'tray', filter: ['*.png'] }],
  // scripts/electron-native.js already built better-sqlite3 for Electron into out/native/electron;
  // a rebuild would overwrite the Node build in node_modules that the CLI and the tests load.
  npmRebuild: false,
  nodeGypRebuild: false,
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icon.png',
    synopsis: 'Receive, verify and replay webhooks on your desktop',
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.png',
    hardenedRuntime: true,
  },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
};

module.exports = config;
