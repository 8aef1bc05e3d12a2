import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeaderPair, TargetResponseSummary } from '../../electron/core/contract';
import { FORWARDED_BY_HEADER } from '../../electron/core/forward';
import type { ForwardRetryOptions } from '../../electron/core/forward-retry';
import { findHeader, pairsFromRawHeaders } from '../../electron/core/headers';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import type { Logger } from '../../electron/core/logger';
import { silentLogger } from '../../electron/core/logger';
import type { EchoServer } from '../support/echo-server';
import { freePort, postRaw, startEchoServer } from '../support/echo-server';
import { tempDir } from '../support/listen-process';

const TOTAL = 1000;
/** Deliveries sent while the target is down; the rest arrive after it starts. */
const WHILE_DOWN = 300;
const CONCURRENCY = 8;
/** Short waits, and a time bound that no test reaches. */
const QUICK_RETRY: ForwardRetryOptions = { initialDelayMs: 5, maxDelayMs: 20, maxWaitMs: 600_000 };

const UNREACHABLE = 'forward: target unreachable,';
const ANSWERING_AGAIN = 'forward: target responding again';
const GAVE_UP = 'forward: target still unreachable';

/** A logger that keeps the info and warning messages, and lets a test wait for one. */
interface RecordingLogger {
  logger: Logger;
  messages: string[];
  /** Resolves once `count` messages start with `prefix`. */
  waitFor: (prefix: string, count?: number) => Promise<void>;
}

function recordingLogger(): RecordingLogger {
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  const keep = (message: string): void => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  };
  const waitFor = async (prefix: string, count = 1): Promise<void> => {
    while (messages.filter((message) => message.startsWith(prefix)).length < count) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { logger: { ...silentLogger, info: keep, warn: keep }, messages, waitFor };
}

function countStarting(messages: readonly string[], prefix: string): number {
  return messages.filter((message) => message.startsWith(prefix)).length;
}

let core: HooktrayCore;
let target: EchoServer | undefined;
const recorded: TargetResponseSummary[] = [];
const log = recordingLogger();

beforeAll(async () => {
  core = await HooktrayCore.start({
    version: 'test',
    dataDir: tempDir('hooktray-forward-'),
    port: 0,
    profiles: [],
    vault: new MutableVault(),
    logger: log.logger,
    forwardRetry: QUICK_RETRY,
  });
  core.pushes.subscribe('responses.recorded', (response) => recorded.push(response));
});

afterAll(async () => {
  await core?.stop();
  await target?.close();
});

/** Posts deliveries `from` to `to - 1` with a few requests in flight at once, and returns their statuses and ids. */
async function postRange(from: number, to: number): Promise<{ status: number; id: string | null; index: number }[]> {
  const results: { status: number; id: string | null; index: number }[] = [];
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next++;
      const posted = await postRaw(`${core.receiver.localUrl}/hooks/forward/${index}`, [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json']], Buffer.from(`{"index":${index}}`));
      results.push({ status: posted.status, id: posted.deliveryId, index });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

describe('forwarding', () => {
  it('rejects an invalid rule and keeps the old rules', async () => {
    const result = await core.handlers['forward.rules.set']([{ pathPrefix: 'hooks', target: 'http://127.0.0.1:1/' }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.field).toBe('0.pathPrefix');
    expect(await core.handlers['forward.rules.get']()).toEqual([]);
  });

  it('forwards 1,000 deliveries in order after the target comes up', async () => {
    const port = await freePort();
    const rules = await core.handlers['forward.rules.set']([{ pathPrefix: '/hooks/forward', target: `http://127.0.0.1:${port}/local` }]);
    expect(rules.ok).toBe(true);

    const down = await postRange(0, WHILE_DOWN);
    // The first failed try logs a line that starts with this.
    await log.waitFor('forward: target');
    target = await startEchoServer(undefined, port);
    const up = await postRange(WHILE_DOWN, TOTAL);
    await core.replays.forwarder.idle();

    const all = [...down, ...up];
    expect(all).toHaveLength(TOTAL);
    expect(all.filter((result) => result.status !== 200)).toEqual([]);

    // Arrival order is id order: ids are monotonic ULIDs assigned as requests are captured.
    const ids = all.map((result) => result.id as string).sort();
    expect(new Set(ids).size).toBe(TOTAL);
    expect(recorded.map((response) => response.deliveryId)).toEqual(ids);
    expect(recorded.filter((response) => response.status !== 200 || response.error !== null)).toEqual([]);

    // The target saw every delivery once, in arrival order, those sent while it was down included.
    const bodyById = new Map(all.map((result) => [result.id, `{"index":${result.index}}`]));
    expect(target.requests.map((request) => request.body.toString())).toEqual(ids.map((id) => bodyById.get(id)));
    expect(target.requests.every((request) => request.url === '/local')).toBe(true);

    // One line when the target went away and one when it came back, not one per try.
    expect(countStarting(log.messages, UNREACHABLE)).toBe(1);
    expect(countStarting(log.messages, ANSWERING_AGAIN)).toBe(1);

    // Nothing is lost: every delivery is stored with exactly one forward record.
    expect(core.store.count()).toBe(TOTAL);
    const sample = await core.handlers['deliveries.responses']({ id: ids[0] as string });
    expect(sample.map((response) => response.kind)).toEqual(['forward']);
  });

  it('ignores paths outside the rules', async () => {
    const before = recorded.length;
    const posted = await postRaw(`${core.receiver.localUrl}/other`, [['Host', 'abc.loca.lt']], Buffer.from('x'));
    expect(posted.status).toBe(200);
    await core.replays.forwarder.idle();
    expect(recorded.length).toBe(before);
  });
});

describe('forwarding retries', () => {
  const cores: HooktrayCore[] = [];
  const servers: http.Server[] = [];

  afterAll(async () => {
    for (const started of cores) await started.stop();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  /** Starts a core that forwards `/hooks` to `targetUrl` and records its forward responses. */
  async function startForwarding(targetUrl: string, retry: ForwardRetryOptions): Promise<{ core: HooktrayCore; log: RecordingLogger; recorded: TargetResponseSummary[] }> {
    const retryLog = recordingLogger();
    const started = await HooktrayCore.start({ version: 'test', dataDir: tempDir('hooktray-forward-retry-'), port: 0, profiles: [], vault: new MutableVault(), logger: retryLog.logger, forwardRetry: retry });
    cores.push(started);
    const responses: TargetResponseSummary[] = [];
    started.pushes.subscribe('responses.recorded', (response) => responses.push(response));
    expect((await started.handlers['forward.rules.set']([{ pathPrefix: '/hooks', target: targetUrl }])).ok).toBe(true);
    return { core: started, log: retryLog, recorded: responses };
  }

  async function postOne(started: HooktrayCore, index: number): Promise<string> {
    const posted = await postRaw(`${started.receiver.localUrl}/hooks/${index}`, [['Host', 'abc.loca.lt']], Buffer.from(`{"index":${index}}`));
    expect(posted.status).toBe(200);
    return posted.deliveryId as string;
  }

  it('records the failure after the time bound', async () => {
    const port = await freePort();
    const { core: retrying, log: retryLog, recorded: responses } = await startForwarding(`http://127.0.0.1:${port}/local`, { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: 20 });
    const ids = [await postOne(retrying, 0), await postOne(retrying, 1), await postOne(retrying, 2)];
    await retrying.replays.forwarder.idle();

    expect(responses.map((response) => response.deliveryId)).toEqual(ids);
    expect(responses.map((response) => response.error?.code)).toEqual(['connection-refused', 'connection-refused', 'connection-refused']);
    expect(responses[0]?.error?.message).toMatch(/refused the connection \(ECONNREFUSED\).* Forwarding tried \d+ times? over [\d.]+ s\.$/);
    // After the bound, later deliveries to that target get one try each.
    expect(responses[1]?.error?.message).not.toContain('Forwarding tried');
    expect(responses[2]?.error?.message).not.toContain('Forwarding tried');
    expect(countStarting(retryLog.messages, UNREACHABLE)).toBe(1);
    expect(countStarting(retryLog.messages, GAVE_UP)).toBe(1);

    // A response from the target turns retrying on again.
    const echo = await startEchoServer(undefined, port);
    await postOne(retrying, 3);
    await retrying.replays.forwarder.idle();
    await echo.close();
    await postOne(retrying, 4);
    await retrying.replays.forwarder.idle();

    expect(responses.map((response) => response.status)).toEqual([null, null, null, 200, null]);
    expect(responses[4]?.error?.message).toContain('Forwarding tried');
    expect(countStarting(retryLog.messages, ANSWERING_AGAIN)).toBe(1);
    expect(countStarting(retryLog.messages, UNREACHABLE)).toBe(2);
    expect(countStarting(retryLog.messages, GAVE_UP)).toBe(2);
  });

  it('keeps deliveries still to be forwarded from retention', async () => {
    const port = await freePort();
    const { core: retrying, recorded: responses } = await startForwarding(`http://127.0.0.1:${port}/local`, { initialDelayMs: 5, maxDelayMs: 10, maxWaitMs: 60_000 });
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push(await postOne(retrying, index));

    // The first pass runs inside setRetention, and one batch covers these five.
    retrying.setRetention({ maxCount: 2, maxAgeDays: 0 });
    expect(retrying.store.count()).toBe(5);

    const echo = await startEchoServer(undefined, port);
    await retrying.replays.forwarder.idle();
    await echo.close();
    expect(responses.map((response) => [response.deliveryId, response.status])).toEqual(ids.map((id) => [id, 200]));

    retrying.setRetention({ maxCount: 2, maxAgeDays: 0 });
    expect(retrying.store.count()).toBe(2);
  });

  it('retries a connection closed before a response, but not an HTTP status', async () => {
    // Closes the first connection after reading the request, then responds 503 once, then 200.
    const bodies: string[] = [];
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        if (bodies.length === 1) request.socket.destroy();
        else response.writeHead(bodies.length === 2 ? 503 : 200).end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { core: retrying, recorded: responses } = await startForwarding(`http://127.0.0.1:${(server.address() as AddressInfo).port}/local`, QUICK_RETRY);

    const ids = [await postOne(retrying, 0), await postOne(retrying, 1)];
    await retrying.replays.forwarder.idle();

    // A closed connection may mean that the target got the request, so it can see it twice.
    expect(bodies).toEqual(['{"index":0}', '{"index":0}', '{"index":1}']);
    expect(responses.map((response) => [response.deliveryId, response.status, response.error])).toEqual([
      [ids[0], 503, null],
      [ids[1], 200, null],
    ]);
  });
});

describe('forwarding loops', () => {
  /** Times the proxy sends a request on to the receiver; a loop that is not stopped ends there. */
  const MAX_PROXIED = 3;
  let loopCore: HooktrayCore;
  let proxy: http.Server;
  let proxyUrl: string;
  const warnings: string[] = [];
  /** Headers of each request the proxy received, in order. */
  const proxied: HeaderPair[][] = [];

  beforeAll(async () => {
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    loopCore = await HooktrayCore.start({ version: 'test', dataDir: tempDir('hooktray-forward-loop-'), port: 0, profiles: [], vault: new MutableVault(), logger });
    // A server that posts each request on to the receiver with its headers, as a relay in front of a webhook consumer might.
    proxy = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = pairsFromRawHeaders(request.rawHeaders);
        proxied.push(headers);
        if (proxied.length > MAX_PROXIED) {
          response.end('not sent on');
          return;
        }
        const relayedHeaders = headers.filter(([name]) => !['host', 'content-length', 'connection'].includes(name.toLowerCase()));
        postRaw(`${loopCore.receiver.localUrl}/relayed`, [['Host', 'abc.loca.lt'], ...relayedHeaders], Buffer.concat(chunks)).then(
          (posted) => response.end(`relayed: ${posted.status}`),
          (error: unknown) => response.end(`relay failed: ${String(error)}`),
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/relay`;
  });

  afterAll(async () => {
    await loopCore?.stop();
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.close(() => resolve())));
  });

  it('rejects a rule that targets the receiver', async () => {
    const target = `${loopCore.receiver.localUrl.replace('127.0.0.1', 'localhost')}/loop`;
    const result = await loopCore.handlers['forward.rules.set']([{ pathPrefix: '/', target }]);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe('0.target');
    expect(result.message).toContain(`Forward rule 1: The forward target ${target} is this receiver's own address`);
    expect(await loopCore.handlers['forward.rules.get']()).toEqual([]);
  });

  it('stops a loop through another server', async () => {
    const rules = await loopCore.handlers['forward.rules.set']([{ pathPrefix: '/', target: proxyUrl }]);
    expect(rules.ok).toBe(true);

    const posted = await postRaw(`${loopCore.receiver.localUrl}/hooks/loop`, [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json']], Buffer.from('{"loop":1}'));
    expect(posted.status).toBe(200);
    await loopCore.replays.forwarder.idle();

    // The delivery went to the proxy once and came back once, and that copy was not forwarded.
    expect(proxied).toHaveLength(1);
    expect(findHeader(proxied[0] ?? [], FORWARDED_BY_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    expect(loopCore.store.count()).toBe(2);
    const relayed = loopCore.store.list({ limit: 10 }).items.find((item) => item.path === '/relayed');
    expect(await loopCore.handlers['deliveries.responses']({ id: relayed?.id as string })).toEqual([]);
    expect(warnings.filter((message) => message.startsWith('forward: delivery not forwarded again'))).toHaveLength(1);
  });
});
