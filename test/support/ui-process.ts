import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CLI, tempDir, writeConfig } from './listen-process';

export const CHROMIUM = '/usr/bin/chromium';
export const TEST_OUTPUT = resolve(__dirname, '..', '..', 'test-output');

export interface UiProcess {
  child: ChildProcessWithoutNullStreams;
  /** The printed URL, token included. */
  uiUrl: string;
  uiPort: number;
  receiverUrl: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `hooktray ui --no-tunnel` from the build and waits for the URLs it prints. */
export async function startUi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<UiProcess> {
  const child = spawn(process.execPath, [CLI, 'ui', '--no-tunnel', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const urls = await new Promise<{ uiUrl: string; receiverUrl: string }>((resolveUrls, reject) => {
    const timer = setTimeout(() => reject(new Error(`hooktray ui printed no URLs within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ui = /UI: (http:\/\/\S+)/.exec(stdout);
      const receiver = /Receiving webhooks on (http:\/\/\S+)/.exec(stdout);
      if (ui?.[1] !== undefined && receiver?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrls({ uiUrl: ui[1], receiverUrl: receiver[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hooktray ui exited with ${code}; stderr: ${stderr}`));
    });
  });

  return {
    child,
    ...urls,
    uiPort: Number(new URL(urls.uiUrl).port),
    stderr: () => stderr,
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

/** Launches Debian's Chromium headless with a fresh profile folder. */
export async function launchChromium(): Promise<BrowserContext> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'hooktray-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return join(TEST_OUTPUT, `${name}.png`);
}

/**
 * Posts with headers in exactly the given order and case, after `Host` (fetch would reorder
 * them and add its own). Resolves with the status code. Each post opens its own connection, so
 * none reuses a kept-alive one just as the receiver closes it after 5 s idle, which fails with
 * "socket hang up" (a race that gets likelier on a loaded machine).
 */
export function postOrdered(baseUrl: string, path: string, headers: [string, string][], body: string | Buffer): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolvePost, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path, method: 'POST', agent: false, headers: ['Host', url.host, ...headers.flat(), 'Content-Length', String(Buffer.byteLength(body))] }, (response) => {
      response.resume();
      response.on('end', () => resolvePost(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Polls `check` every 50 ms until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

export interface UiSession {
  ui: UiProcess;
  page: Page;
  /** Closes Chromium, stops the UI process and removes its folder. */
  close: () => Promise<void>;
}

/**
 * Runs `hooktray ui` with `config` in a new temporary folder, opens it in a fresh Chromium page
 * and waits for the empty delivery list.
 */
export async function openUiSession(dirPrefix: string, config: object, env: NodeJS.ProcessEnv = {}): Promise<UiSession> {
  const dir = tempDir(dirPrefix);
  const ui = await startUi(['--data-dir', `${dir}/data`, '--config', writeConfig(dir, config)], env);
  let browser: BrowserContext | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await ui.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(ui.uiUrl);
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
    return { ui, page, close };
  } catch (error) {
    // A failed start must not leave hooktray ui running: the caller gets no session to close.
    await close();
    throw error;
  }
}
