#!/usr/bin/env node
'use strict';
/**
 * The `npm start` script: builds, checks for a display, the Electron runtime and the Electron
 * build of SQLite, then launches the tray app. When the app cannot start here (no display,
 * offline without the runtime), it prints one line with the reason and offers the browser UI,
 * and exits with code 1. `--no-build` skips the build and launches the existing out/ folder.
 */
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const ROOT = join(__dirname, '..');
/** The runtime is about 100 MB; a stalled download must not hang `npm start` forever. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60 * 1000;
const BROWSER_HINT = 'Run "npx hooktray ui" to use Hooktray in a browser instead.';

function cannotStart(reason) {
  process.stderr.write(`hooktray: cannot start the tray app: ${reason}. ${BROWSER_HINT}\n`);
  process.exit(1);
}

/** Runs an npm script with the npm that started this one, so the same Node and npm are used. */
function runNpmScript(name) {
  const npmCli = process.env.npm_execpath;
  const options = { cwd: ROOT, stdio: 'inherit' };
  if (npmCli !== undefined && npmCli.endsWith('.js')) return spawnSync(process.execPath, [npmCli, 'run', name], options);
  return spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', name], { ...options, shell: process.platform === 'win32' });
}

/** Returns why no window can open, or null. Only Linux runs without any display at all. */
function missingDisplay(env, platform) {
  if (platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'no display was found (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/**
 * Returns the path of Electron's executable, downloading the runtime first when it is missing.
 * It reads the electron package's own files instead of requiring the package, because
 * requiring it starts a download that prints a stack trace when it fails.
 */
function electronExecutable() {
  const electronDir = dirname(require.resolve('electron/package.json', { paths: [ROOT] }));
  const version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const installed = () => {
    const pathFile = join(electronDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const executable = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(executable) ? executable : null;
  };

  const found = installed();
  if (found !== null) return { ok: true, path: found };

  process.stdout.write(`hooktray: downloading the Electron ${version} runtime…\n`);
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: ROOT, encoding: 'utf8', timeout: DOWNLOAD_TIMEOUT_MS });
  const afterDownload = installed();
  if (result.status === 0 && afterDownload !== null) return { ok: true, path: afterDownload };
  const timedOut = result.error !== undefined && result.error.code === 'ETIMEDOUT';
  const cause = timedOut ? `timed out after ${DOWNLOAD_TIMEOUT_MS / 60000} minutes` : 'failed (offline, or the download is blocked?)';
  return { ok: false, reason: `the Electron ${version} runtime is not installed and downloading it ${cause}` };
}

/** Builds the Electron copy of the SQLite addon when needed; returns its one-line failure or null. */
function ensureNativeAddon() {
  const result = spawnSync(process.execPath, [join(__dirname, 'electron-native.js')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status === 0) return null;
  const lastLine = (result.stderr || '').trim().split('\n').at(-1) || `electron-native.js exited with code ${result.status}`;
  return lastLine.replace(/^electron-native: /, '').replace(/\.$/, '');
}

function launch(executable) {
  const env = { ...process.env };
  // Set by some shells and tools, it would make Electron run as plain Node and ignore the app.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(executable, ['.'], { cwd: ROOT, stdio: 'inherit', env });
  child.on('error', (error) => cannotStart(`starting ${executable} failed (${error.code ?? error.message})`));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

function main() {
  const skipBuild = process.argv.includes('--no-build');
  if (!skipBuild) {
    const build = runNpmScript('build');
    if (build.status !== 0) {
      process.stderr.write(`hooktray: the build failed (exit code ${build.status ?? 'none'}); fix the errors above and run "npm start" again.\n`);
      process.exit(build.status || 1);
    }
  }

  const noDisplay = missingDisplay(process.env, process.platform);
  if (noDisplay !== null) cannotStart(noDisplay);

  const electron = electronExecutable();
  if (!electron.ok) cannotStart(electron.reason);

  const addonProblem = ensureNativeAddon();
  if (addonProblem !== null) cannotStart(addonProblem);

  launch(electron.path);
}

if (require.main === module) main();

module.exports = { missingDisplay };
