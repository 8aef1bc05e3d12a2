import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeaderPair, TargetResponseSummary } from '../../electron/core/contract';
import { FORWARDED_BY_HEADER } from '../../electron/core/forward';
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

let core: HooktrayCore;
let target: EchoServer | undefined;
const recorded: TargetResponseSummary[] = [];

beforeAll(async () => {
  core = await HooktrayCore.start({ version: 'test', dataDir: tempDir('hooktray-forward-'), port: 0, profiles: [], vault: new MutableVault(), logger: silentLogger });
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

  it('forwards 1,000 deliveries in order, recording errors while the target is down', async () => {
    const port = await freePort();
    const rules = await core.handlers['forward.rules.set']([{ pathPrefix: '/hooks/forward', target: `http://127.0.0.1:${port}/local` }]);
    expect(rules.ok).toBe(true);

    const down = await postRange(0, WHILE_DOWN);
    await core.replays.forwarder.idle();
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

    const downIds = new Set(down.map((result) => result.id));
    const failed = recorded.filter((response) => downIds.has(response.deliveryId));
    expect(failed).toHaveLength(WHILE_DOWN);
    expect(failed.every((response) => response.error?.code === 'connection-refused' && response.status === null)).toBe(true);

    const delivered = recorded.filter((response) => !downIds.has(response.deliveryId));
    expect(delivered.every((response) => response.status === 200 && response.error === null)).toBe(true);

    // The target saw the deliveries that arrived while it was up, in arrival order.
    const bodyById = new Map(up.map((result) => [result.id, `{"index":${result.index}}`]));
    const expectedBodies = ids.filter((id) => !downIds.has(id)).map((id) => bodyById.get(id));
    expect(target.requests.map((request) => request.body.toString())).toEqual(expectedBodies);
    expect(target.requests.every((request) => request.url === '/local')).toBe(true);

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
