import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/echo-server';
import type { ListenProcess } from '../support/listen-process';
import { CLI, post, startListen, tempDir } from '../support/listen-process';

/** More deliveries than the stop warning and the NDJSON record list, so the rest are only counted. */
const DELIVERY_COUNT = 120;
const LISTED_IDS = 100;
/** Deliveries never sent: all but the first, which the target has received when listen stops. */
const NOT_SENT = DELIVERY_COUNT - 1;

/** A target on 127.0.0.1 that reads each request and never responds. */
interface HangingTarget {
  url: string;
  /** Resolves once the first request has arrived. */
  firstRequest: Promise<void>;
  close: () => Promise<void>;
}

async function startHangingTarget(): Promise<HangingTarget> {
  let arrived: () => void = () => {};
  const firstRequest = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = http.createServer((request) => {
    request.resume();
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    firstRequest,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Posts `count` deliveries one after another and returns their ids in arrival order. */
async function postDeliveries(localUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await post(`${localUrl}/hooks/${i}`, `{"index":${i}}`, { 'Content-Type': 'application/json' });
    expect(response.status).toBe(200);
    ids.push(response.headers.get('X-Hooktray-Delivery') as string);
  }
  return ids;
}

/**
 * Runs `hooktray listen` without --json, forwarding to `targetUrl`, posts `count` deliveries and
 * stops it once the target has the first. Resolves with the exit code, the stdout lines, stderr
 * and the delivery ids.
 */
async function stopTextListen(
  dataDir: string,
  targetUrl: string,
  firstRequest: Promise<void>,
  count: number,
): Promise<{ code: number | null; lines: string[]; stderr: string; ids: string[] }> {
  const child = spawn(process.execPath, [CLI, 'listen', '--no-tunnel', '--data-dir', dataDir, '--forward-to', targetUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const listening = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const ids = await postDeliveries(await listening, count);
  await firstRequest;
  child.kill('SIGTERM');
  return { code: await exited, lines, stderr, ids };
}

let target: HangingTarget;

beforeEach(async () => {
  target = await startHangingTarget();
});

afterEach(async () => {
  await target.close();
});

describe('listen --forward-to a target that never answers', () => {
  it('lists the unforwarded ids on stop', async () => {
    const dataDir = tempDir('hooktray-forward-stop-');
    const listen = await startListen(['--data-dir', dataDir, '--forward-to', target.url]);
    const ids = await postDeliveries(listen.localUrl, DELIVERY_COUNT);
    await target.firstRequest;

    expect(await listen.stop()).toBe(0);

    const stopped = listen.records.find((record) => record.type === 'forward-stopped');
    expect(stopped?.target).toBe(target.url);
    expect(stopped?.inFlight).toBe(1);
    expect(stopped?.inFlightIds).toEqual([ids[0]]);
    expect(stopped?.notForwarded).toBe(NOT_SENT);
    expect(stopped?.ids).toEqual(ids.slice(1, 1 + LISTED_IDS));

    const stderr = listen.stderr();
    expect(stderr).toContain('forward: stopped while forwarding, so the target may already have these deliveries');
    expect(stderr).toContain('forward: stopped with deliveries not forwarded');
    expect(stderr).toContain(`notForwarded: ${NOT_SENT}`);
    expect(stderr).toContain(`idsNotListed: ${NOT_SENT - LISTED_IDS}`);
    expect(stderr).toContain(ids[0]);
    expect(stderr).toContain(ids[LISTED_IDS]);
    expect(stderr).not.toContain(ids[LISTED_IDS + 1]);
  });

  it('prints how to re-send them', async () => {
    const dataDir = tempDir('hooktray-forward-stop-text-');
    const { code, lines, ids } = await stopTextListen(dataDir, target.url, target.firstRequest, 3);

    expect(code).toBe(0);
    expect(lines).toContain(
      `Delivery ${ids[0]} was being forwarded to ${target.url} when listen stopped, so the target may already have it; ` +
        `check the target before you re-send it with: hooktray replay ID --to ${target.url} --data-dir ${dataDir}`,
    );
    expect(lines).toContain(
      `2 deliveries were not forwarded to ${target.url} before listen stopped; their ids are in the warning above and in ${dataDir}/logs/hooktray.log. ` +
        `Re-send each with: hooktray replay ID --to ${target.url} --data-dir ${dataDir}`,
    );
  });

  it('says which ids the warning leaves out', async () => {
    const dataDir = tempDir('hooktray-forward-stop-many-');
    const { code, lines } = await stopTextListen(dataDir, target.url, target.firstRequest, DELIVERY_COUNT);

    expect(code).toBe(0);
    expect(lines).toContain(
      `${NOT_SENT} deliveries were not forwarded to ${target.url} before listen stopped; the first ${LISTED_IDS} of their ids are in the warning above ` +
        `and in ${dataDir}/logs/hooktray.log, and the other ${NOT_SENT - LISTED_IDS} arrived after those. ` +
        `Re-send each with: hooktray replay ID --to ${target.url} --data-dir ${dataDir}`,
    );
  });

  it('names stderr when the log file is unwritable', async () => {
    const dataDir = tempDir('hooktray-forward-stop-no-log-');
    // A folder where the log file should be makes every write to it fail with EISDIR.
    mkdirSync(join(dataDir, 'logs', 'hooktray.log'), { recursive: true });
    const { code, lines, stderr, ids } = await stopTextListen(dataDir, target.url, target.firstRequest, 3);

    expect(code).toBe(0);
    expect(stderr).toContain('forward: stopped with deliveries not forwarded');
    for (const id of ids) expect(stderr).toContain(id);
    expect(lines).toContain(
      `2 deliveries were not forwarded to ${target.url} before listen stopped; their ids are only in the warning above on stderr, ` +
        `because the log file ${dataDir}/logs/hooktray.log cannot be written. Re-send each with: hooktray replay ID --to ${target.url} --data-dir ${dataDir}`,
    );
  });
});

/** Resolves once the stderr of `listen` contains `text`; rejects when it exits first. */
async function waitForStderr(listen: ListenProcess, text: string): Promise<void> {
  while (!listen.stderr().includes(text)) {
    if (listen.child.exitCode !== null) throw new Error(`hooktray listen exited before logging "${text}"; stderr: ${listen.stderr()}`);
    await new Promise((wake) => {
      listen.child.stderr.once('data', wake);
      listen.child.once('exit', wake);
    });
  }
}

describe('listen --forward-to a target that is down', () => {
  /** The start of the warning that the first failed try logs. */
  const FIRST_FAILURE = 'forward: target';
  /** That warning when the forwarder waits to retry. */
  const RETRYING = 'forward: target unreachable, so this delivery is retried';
  const servers: http.Server[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('lists the delivery waiting for a retry as not forwarded', async () => {
    const targetUrl = `http://127.0.0.1:${await freePort()}/hook`;
    const listen = await startListen(['--data-dir', tempDir('hooktray-forward-down-'), '--forward-to', targetUrl]);
    const ids = await postDeliveries(listen.localUrl, 3);
    await waitForStderr(listen, FIRST_FAILURE);

    expect(await listen.stop()).toBe(0);

    const stopped = listen.records.find((record) => record.type === 'forward-stopped');
    expect(stopped?.notForwarded).toBe(3);
    expect(stopped?.ids).toEqual(ids);
    expect(stopped?.inFlight).toBe(0);
    expect(stopped?.inFlightIds).toEqual([]);
    // No try reached the target, so nothing is recorded as forwarded or failed.
    expect(listen.records.filter((record) => record.type === 'forward')).toEqual([]);
    expect(listen.stderr()).toContain(RETRYING);
    expect(listen.stderr()).toContain('forward: stopped with deliveries not forwarded');
  });

  it('lists it as in flight after a closed connection', async () => {
    // Reads each request and closes the connection without a response, as a server that crashes on it.
    let requests = 0;
    const server = http.createServer((request) => {
      requests += 1;
      request.socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const listen = await startListen(['--data-dir', tempDir('hooktray-forward-closed-'), '--forward-to', targetUrl]);
    const ids = await postDeliveries(listen.localUrl, 3);
    await waitForStderr(listen, FIRST_FAILURE);

    expect(await listen.stop()).toBe(0);

    expect(requests).toBeGreaterThan(0);
    const stopped = listen.records.find((record) => record.type === 'forward-stopped');
    expect(stopped?.inFlight).toBe(1);
    expect(stopped?.inFlightIds).toEqual([ids[0]]);
    expect(stopped?.notForwarded).toBe(2);
    expect(stopped?.ids).toEqual(ids.slice(1));

    const forwards = listen.records.filter((record) => record.type === 'forward');
    expect(forwards.map((record) => record.deliveryId)).toEqual([ids[0]]);
    const error = forwards[0]?.error as { code: string; message: string } | null;
    expect(error?.code).toBe('connection-reset');
    expect(error?.message).toContain('and Hooktray stopped before the next try.');
    expect(listen.stderr()).toContain(RETRYING);
  });
});
