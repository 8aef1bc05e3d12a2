import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DeliveryStore } from '../../electron/core/store';

export const CLI = resolve(__dirname, '..', '..', 'bin', 'hooktray.js');

export interface ListenProcess {
  child: ChildProcessWithoutNullStreams;
  localUrl: string;
  /** Every NDJSON record printed on stdout so far, the listening line first. */
  records: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves once `count` delivery records have been printed. */
  waitForDeliveries: (count: number, timeoutMs?: number) => Promise<Record<string, unknown>[]>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function tempDir(prefix = 'hooktray-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, config: unknown): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Starts `hooktray listen --json --no-tunnel` from the build and waits for its listening line. */
export async function startListen(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ListenProcess> {
  const child = spawn(process.execPath, [CLI, 'listen', '--json', '--no-tunnel', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const records: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const wakeAll = (): void => {
    for (const wake of waiters.splice(0)) wake();
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    records.push(JSON.parse(line) as Record<string, unknown>);
    wakeAll();
  });
  child.on('exit', wakeAll);

  const waitFor = (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolveWait, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${stderr}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolveWait();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`hooktray listen exited with ${child.exitCode} while waiting for ${what}; stderr: ${stderr}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  await waitFor(() => records.length > 0, 20_000, 'the listening line');
  const listening = records[0] as { type: string; localUrl: string };
  if (listening.type !== 'listening') throw new Error(`The first line is not a listening line: ${JSON.stringify(listening)}`);

  return {
    child,
    localUrl: listening.localUrl,
    records,
    stderr: () => stderr,
    async waitForDeliveries(count, timeoutMs = 20_000) {
      const deliveries = (): Record<string, unknown>[] => records.filter((record) => record.type === 'delivery');
      await waitFor(() => deliveries().length >= count, timeoutMs, `${count} delivery line(s)`);
      return deliveries();
    },
    stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolveStop) => {
        child.once('exit', (code) => resolveStop(code));
        child.kill(signal);
      });
    },
  };
}

/** Posts a body and returns the status, headers and response text. */
export async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * Posts `{}` and resolves with the status and the response's raw header pairs in received
 * order. It reads rawHeaders because IncomingMessage.headers lower-cases names and drops a
 * header named "__proto__".
 */
export function postForRawHeaders(url: string): Promise<{ status: number; rawHeaders: [string, string][] }> {
  return new Promise((resolvePost, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (response) => {
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i < response.rawHeaders.length; i += 2) rawHeaders.push([response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string]);
      response.resume();
      response.on('end', () => resolvePost({ status: response.statusCode ?? 0, rawHeaders }));
    });
    request.on('error', reject);
    request.end('{}');
  });
}

/** Reads the path of every stored delivery, opening the store without a writer thread. */
export async function storedPaths(dataDir: string): Promise<Set<string>> {
  const store = new DeliveryStore({ dataDir, writer: 'inline' });
  const paths = new Set<string>();
  try {
    let before: string | undefined;
    for (;;) {
      const page = store.list({ limit: 1000, ...(before === undefined ? {} : { before }) });
      for (const item of page.items) paths.add(item.path);
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
  } finally {
    await store.close();
  }
  return paths;
}
