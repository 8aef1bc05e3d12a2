#!/usr/bin/env node
'use strict';
/**
 * Builds better-sqlite3's addon for Electron's ABI into out/native/electron/, for `npm start`
 * and for packaging. It compiles a copy of the package in out/native/build/, so the Node build
 * in node_modules, which the CLI and the tests load, is never touched.
 *
 * node-gyp needs Electron's headers, downloaded once from HOOKTRAY_ELECTRON_HEADERS_URL
 * (default https://electronjs.org/headers) into out/native/gyp/. Without them it prints the
 * reason in one line and exits with code 1.
 */
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT_DIR = join(ROOT, 'out', 'native', 'electron');
const STAGING_DIR = join(ROOT, 'out', 'native', 'build', 'better-sqlite3');
const HEADERS_DIR = join(ROOT, 'out', 'native', 'gyp');
const LOG_FILE = join(ROOT, 'out', 'native', 'build.log');
const ADDON_FILE = 'better_sqlite3.node';
const DEFAULT_HEADERS_URL = 'https://electronjs.org/headers';
/** Compiling SQLite takes a few minutes on a slow laptop; a hung download must not block forever. */
const BUILD_TIMEOUT_MS = 15 * 60 * 1000;

/** Output that means node-gyp could not fetch the headers, rather than failing to compile. */
const DOWNLOAD_FAILURE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|getaddrinfo|self[- ]signed|certificate|tarball|404|403/i;

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function fail(message) {
  process.stderr.write(`electron-native: ${message}\n`);
  process.exit(1);
}

/** Returns what the build depends on; a change to any of it means the addon must be rebuilt. */
function buildInfo() {
  const electron = readJson(require.resolve('electron/package.json', { paths: [ROOT] })).version;
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json', { paths: [ROOT] }));
  const sqlite = readJson(join(sqliteDir, 'package.json')).version;
  return { electron, betterSqlite3: sqlite, platform: process.platform, arch: process.arch, sqliteDir };
}

function isUpToDate(info) {
  const infoFile = join(OUT_DIR, 'build-info.json');
  if (!existsSync(join(OUT_DIR, ADDON_FILE)) || !existsSync(infoFile)) return false;
  const built = readJson(infoFile);
  return built.electron === info.electron && built.betterSqlite3 === info.betterSqlite3 && built.platform === info.platform && built.arch === info.arch;
}

/** Copies the package's sources, leaving out its build/ folder, which contains the Node build. */
function stageSources(sqliteDir) {
  rmSync(STAGING_DIR, { recursive: true, force: true });
  mkdirSync(dirname(STAGING_DIR), { recursive: true });
  cpSync(sqliteDir, STAGING_DIR, {
    recursive: true,
    filter: (source) => relative(sqliteDir, source).split(/[\\/]/)[0] !== 'build',
  });
}

// NOTE: only the offline failure has been run on a machine without network access; a full
// compile against Electron 45's headers has not been exercised yet.
function runNodeGyp(info) {
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] });
  const headersUrl = process.env.HOOKTRAY_ELECTRON_HEADERS_URL || DEFAULT_HEADERS_URL;
  const args = [nodeGyp, 'rebuild', '--release', `--target=${info.electron}`, `--arch=${info.arch}`, `--dist-url=${headersUrl}`, `--devdir=${HEADERS_DIR}`];
  const result = spawnSync(process.execPath, args, {
    cwd: STAGING_DIR,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: info.electron, npm_config_disturl: headersUrl },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  mkdirSync(dirname(LOG_FILE), { recursive: true });
  writeFileSync(LOG_FILE, output);
  return { result, output, headersUrl };
}

function main() {
  const info = buildInfo();
  if (isUpToDate(info)) {
    process.stdout.write(`electron-native: ${relative(ROOT, join(OUT_DIR, ADDON_FILE))} is up to date for Electron ${info.electron}.\n`);
    return;
  }

  process.stdout.write(`electron-native: building better-sqlite3 ${info.betterSqlite3} for Electron ${info.electron} (${info.platform}-${info.arch})…\n`);
  stageSources(info.sqliteDir);
  const { result, output, headersUrl } = runNodeGyp(info);
  const log = relative(ROOT, LOG_FILE);

  if (result.error !== undefined && result.error.code === 'ETIMEDOUT') {
    fail(`building better-sqlite3 for Electron ${info.electron} timed out after ${BUILD_TIMEOUT_MS / 60000} minutes; see ${log} and run the script again.`);
  }
  if (result.status !== 0) {
    // The log keeps the compiler output; the staged copy of the sources is only clutter.
    rmSync(STAGING_DIR, { recursive: true, force: true });
    if (!existsSync(join(HEADERS_DIR, info.electron)) || DOWNLOAD_FAILURE.test(output)) {
      fail(`cannot download Electron ${info.electron}'s headers from ${headersUrl} (offline?); connect to the internet or set HOOKTRAY_ELECTRON_HEADERS_URL to a mirror, then run "node scripts/electron-native.js" again. Details: ${log}.`);
    }
    fail(`compiling better-sqlite3 for Electron ${info.electron} failed (exit code ${result.status}); see ${log} for the compiler output.`);
  }

  mkdirSync(OUT_DIR, { recursive: true });
  copyFileSync(join(STAGING_DIR, 'build', 'Release', ADDON_FILE), join(OUT_DIR, ADDON_FILE));
  const { sqliteDir: _sqliteDir, ...recorded } = info;
  writeFileSync(join(OUT_DIR, 'build-info.json'), `${JSON.stringify(recorded, null, 2)}\n`);
  process.stdout.write(`electron-native: wrote ${relative(ROOT, join(OUT_DIR, ADDON_FILE))}.\n`);
}

if (require.main === module) main();

module.exports = { OUT_DIR, ADDON_FILE, buildInfo, isUpToDate };
