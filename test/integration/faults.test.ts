import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { EchoServer } from '../support/echo-server';
import { startEchoServer } from '../support/echo-server';
import { CLI, startListen, storedPaths, tempDir } from '../support/listen-process';
import { LocaltunnelTestServer } from '../support/localtunnel-server';

const TOTAL = 2_000;
const CONCURRENCY = 8;
/** Acknowledged deliveries after which the listener is killed. */
const KILL_AFTER = 400;
/** Acknowledged deliveries after which the forward target goes down. */
const TARGET_DOWN_AFTER = 150;

interface TunnelListen {
  child: ChildProcess;
  records: Record<string, unknown>[];
  stderr: () => string;
}

function spawnListen(args: string[]): TunnelListen {
  const child = spawn(process.execPath, [CLI, 'listen', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const records: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => records.push(JSON.parse(line) as Record<string, unknown>));
  return { child, records, stderr: () => stderr };
}

async function waitForRecord(listen: TunnelListen, predicate: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const found = listen.records.find(predicate);
    if (found !== undefined) return found;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new Error(`No matching record within 20 s; stderr: ${listen.stderr()}`);
}

function postTo(url: string, path: string, body: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, method: 'POST', path, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.setTimeout(15_000, () => request.destroy(new Error(`POST ${path} timed out after 15 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('kill -9 with the tunnel and forwarding on', () => {
  it('loses no acknowledged delivery', async () => {
    const server = new LocaltunnelTestServer({ localhostUrls: true });
    await server.start();
    cleanups.push(() => server.stop());
    let echo: EchoServer | null = await startEchoServer();
    cleanups.push(async () => echo?.close());
    const dataDir = tempDir('hooktray-kill-tunnel-');

    const listen = spawnListen(['--tunnel-host', server.origin, '--subdomain', 'hooktray-kill9', '--data-dir', dataDir, '--forward-to', `${echo.url}/forwarded`]);
    cleanups.push(() => stopChild(listen.child));
    const online = await waitForRecord(listen, (record) => record.type === 'tunnel' && record.state === 'online');
    const publicUrl = String(online.url);

    const acknowledged: number[] = [];
    let next = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (next < TOTAL && !killed) {
        const index = next++;
        const status = await postTo(publicUrl, `/load/${index}`, JSON.stringify({ index })).catch(() => 0);
        if (status === 200) acknowledged.push(index);
        if (echo !== null && acknowledged.length >= TARGET_DOWN_AFTER) {
          const closing = echo;
          echo = null;
          await closing.close();
        }
        if (!killed && acknowledged.length >= KILL_AFTER) {
          killed = true;
          listen.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));

    expect(killed).toBe(true);
    expect(listen.records.some((record) => record.type === 'forward' && record.error === null)).toBe(true);
    // Forwards wait for the target that went down and retry, so it shows in the log, not in a record.
    expect(listen.stderr()).toContain('forward: target unreachable, so this delivery is retried');

    const paths = await storedPaths(dataDir);
    expect(acknowledged.filter((index) => !paths.has(`/load/${index}`))).toEqual([]);
  });
});

describe('second hooktray listen on the same data folder', () => {
  it('both store, and the database stays intact', async () => {
    const dataDir = tempDir('hooktray-two-');
    const first = await startListen(['--data-dir', dataDir]);
    cleanups.push(async () => void (await first.stop()));
    const second = await startListen(['--data-dir', dataDir]);
    cleanups.push(async () => void (await second.stop()));

    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, index) => postTo(index % 2 === 0 ? first.localUrl : second.localUrl, `/two/${index}`, JSON.stringify({ index }))),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
    const paths = await storedPaths(dataDir);
    expect(Array.from({ length: 200 }, (_, index) => `/two/${index}`).filter((path) => !paths.has(path))).toEqual([]);

    const db = new Database(`${dataDir}/hooktray.db`, { readonly: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    expect(integrity).toBe('ok');
  });
});

describe('tunnel server restart under load', () => {
  it('keeps receiving locally and reconnects', async () => {
    const server = new LocaltunnelTestServer({ localhostUrls: true });
    await server.start();
    cleanups.push(() => server.stop());
    const dataDir = tempDir('hooktray-tunnel-restart-');
    const listen = spawnListen(['--tunnel-host', server.origin, '--subdomain', 'hooktray-restart', '--data-dir', dataDir]);
    cleanups.push(() => stopChild(listen.child));
    const online = await waitForRecord(listen, (record) => record.type === 'tunnel' && record.state === 'online');
    const listening = listen.records[0] as { localUrl: string };

    expect(await postTo(String(online.url), '/before', '{}')).toBe(200);
    const port = server.port;
    await server.stop();
    // While the tunnel is down, deliveries on the local URL are still stored.
    const duringOutage = await Promise.all(Array.from({ length: 20 }, (_, index) => postTo(listening.localUrl, `/outage/${index}`, '{}')));
    await server.start(port);
    const onlineRecords = (): number => listen.records.filter((record) => record.type === 'tunnel' && record.state === 'online').length;
    await waitForRecord(listen, () => onlineRecords() >= 2);
    const after = await postTo(String(online.url), '/after', '{}');

    expect(duringOutage.filter((status) => status !== 200)).toEqual([]);
    expect(after).toBe(200);
    await stopChild(listen.child);
    const paths = await storedPaths(dataDir);
    expect(paths.has('/before')).toBe(true);
    expect(paths.has('/after')).toBe(true);
    expect(paths.has('/outage/19')).toBe(true);
  });
});
