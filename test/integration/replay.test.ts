import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeaderPair } from '../../electron/core/contract';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Forwarder } from '../../electron/core/forward';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import { silentLogger } from '../../electron/core/logger';
import { sendToTarget } from '../../electron/core/target-request';
import { sendTestEvent } from '../../electron/core/test-events';
import type { EchoServer } from '../support/echo-server';
import { freePort, postRaw, startEchoServer, startRawAnswerServer } from '../support/echo-server';
import { tempDir } from '../support/listen-process';

let core: HooktrayCore;
let echo: EchoServer;

beforeAll(async () => {
  core = await HooktrayCore.start({
    version: 'test',
    dataDir: tempDir('hooktray-replay-'),
    port: 0,
    profiles: [],
    vault: new MutableVault(),
    logger: silentLogger,
  });
  echo = await startEchoServer();
});

afterAll(async () => {
  await core?.stop();
  await echo?.close();
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What the echo server should see: the received headers without hop-by-hop ones, Host and Content-Length for the target. */
function expectedHeaders(sent: HeaderPair[], host: string, length: number): HeaderPair[] {
  const kept = sent.filter(([name]) => !['connection', 'transfer-encoding', 'keep-alive'].includes(name.toLowerCase()));
  const withHost = kept.map(([name, value]): HeaderPair => (name.toLowerCase() === 'host' ? [name, host] : [name, value]));
  const withLength = withHost.map(([name, value]): HeaderPair => (name.toLowerCase() === 'content-length' ? [name, String(length)] : [name, value]));
  if (!withLength.some(([name]) => name.toLowerCase() === 'content-length')) withLength.push(['Content-Length', String(length)]);
  // Node's client adds a Connection header of its own at the end.
  return [...withLength, ['Connection', 'close']];
}

const cases: { name: string; body: Buffer; headers: (length: number) => HeaderPair[] }[] = [
  {
    name: 'UTF-8 JSON',
    body: Buffer.from('[{"name":"Zoë ✓","n":9007199254740993}]\n', 'utf8'),
    headers: (length) => [['Host', 'abc.loca.lt'], ['user-agent', 'Spike/1.0'], ['Content-Type', 'application/json'], ['X-Trace', 'one'], ['x-trace', 'two'], ['Content-Length', String(length)], ['Connection', 'keep-alive']],
  },
  {
    name: 'invalid UTF-8',
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d, 0x00, 0x80]),
    headers: (length) => [['HOST', 'abc.loca.lt'], ['Content-Type', 'application/octet-stream'], ['Content-Length', String(length)]],
  },
  {
    name: 'gzip-encoded',
    body: gzipSync(Buffer.from(JSON.stringify({ events: Array.from({ length: 100 }, (_, index) => ({ index })) }))),
    headers: (length) => [['host', 'abc.loca.lt'], ['Content-Encoding', 'gzip'], ['Content-Type', 'application/json'], ['Content-Length', String(length)]],
  },
  {
    name: '20 MiB',
    body: randomBytes(20 * 1024 * 1024),
    headers: (length) => [['Host', 'abc.loca.lt'], ['Content-Type', 'application/octet-stream'], ['X-Big', 'yes'], ['Content-Length', String(length)]],
  },
];

describe('re-send to an echo server', () => {
  for (const testCase of cases) {
    it(`keeps bytes and header order: ${testCase.name}`, async () => {
      const sent = testCase.headers(testCase.body.length);
      const posted = await postRaw(`${core.receiver.localUrl}/hooks/replay`, sent, testCase.body);
      expect(posted.status).toBe(200);
      expect(posted.deliveryId).not.toBeNull();
      const id = posted.deliveryId as string;
      const echoedBefore = echo.requests.length;

      const result = await core.handlers['deliveries.replay']({ id, target: `${echo.url}/local/webhooks?from=hooktray` });

      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.response.status).toBe(200);
      expect(result.response.error).toBeNull();
      expect(echo.requests).toHaveLength(echoedBefore + 1);
      const echoed = echo.requests.at(-1);
      expect(echoed?.sha256).toBe(sha256(testCase.body));
      expect(echoed?.url).toBe('/local/webhooks?from=hooktray');
      expect(echoed?.headers).toEqual(expectedHeaders(sent, `127.0.0.1:${echo.port}`, testCase.body.length));

      const recorded = await core.handlers['deliveries.responses']({ id });
      expect(recorded).toHaveLength(1);
      expect(recorded[0]?.kind).toBe('replay');
      expect(recorded[0]?.status).toBe(200);
      expect(Buffer.from(recorded[0]?.body ?? []).toString()).toBe('{"echo":true}');
      expect(recorded[0]?.headers).toContainEqual(['X-Echo', 'yes']);
    });
  }

  it('sends a chunked delivery with Content-Length', async () => {
    const body = Buffer.from('{"chunked":true}');
    const posted = await postRaw(`${core.receiver.localUrl}/hooks/chunked`, [['Host', 'abc.loca.lt'], ['Transfer-Encoding', 'chunked'], ['Content-Type', 'application/json']], body);
    const result = await core.handlers['deliveries.replay']({ id: posted.deliveryId as string, target: echo.url });
    expect(result.ok).toBe(true);
    const echoed = echo.requests.at(-1);
    expect(echoed?.headers).toEqual([['Host', `127.0.0.1:${echo.port}`], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['Connection', 'close']]);
    expect(echoed?.sha256).toBe(sha256(body));
  });

  it('records the error when the target is down', async () => {
    const posted = await postRaw(`${core.receiver.localUrl}/hooks/down`, [['Host', 'abc.loca.lt'], ['Content-Type', 'text/plain']], Buffer.from('x'));
    expect(posted.status).toBe(200);
    const port = await freePort();
    const result = await core.handlers['deliveries.replay']({ id: posted.deliveryId as string, target: `http://127.0.0.1:${port}/` });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.status).toBeNull();
    expect(result.response.error?.code).toBe('connection-refused');
    expect(result.response.error?.message).toContain(`127.0.0.1:${port}`);
    const recorded = await core.handlers['deliveries.responses']({ id: posted.deliveryId as string });
    expect(recorded.map((response) => response.error?.code)).toEqual(['connection-refused']);
  });

  it('rejects unknown ids and non-http targets', async () => {
    const missing = await core.handlers['deliveries.replay']({ id: '01JRQ0000000000000000000ZZ', target: echo.url });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.code).toBe('not-found');
    const posted = await postRaw(`${core.receiver.localUrl}/hooks/x`, [['Host', 'abc.loca.lt']], Buffer.from('x'));
    expect(posted.status).toBe(200);
    const badTarget = await core.handlers['deliveries.replay']({ id: posted.deliveryId as string, target: 'ftp://127.0.0.1/' });
    expect(badTarget.ok).toBe(false);
    if (!badTarget.ok) expect(badTarget.code).toBe('invalid-target');
  });
});

describe('target that does not speak what the URL says', () => {
  const request = (url: URL): Parameters<typeof sendToTarget>[0] => ({ method: 'POST', url, headers: [['Host', url.host], ['Content-Length', '1']], body: Buffer.from('x') });

  it('names a plain HTTP server behind https://', async () => {
    const url = new URL(`https://127.0.0.1:${echo.port}/hook`);
    const answer = await sendToTarget(request(url));

    expect(answer.status).toBeNull();
    expect(answer.error?.code).toBe('tls-failed');
    expect(answer.error?.message).toBe(`The server at ${url.href} responded in plain HTTP, not TLS; use http://127.0.0.1:${echo.port}/hook instead.`);
  });

  it('names a reply that is not HTTP', async () => {
    const target = await startRawAnswerServer('SSH-2.0-OpenSSH_9.6\r\n');
    try {
      const url = new URL(`${target.url}/hook`);
      const answer = await sendToTarget(request(url));

      expect(answer.status).toBeNull();
      expect(answer.error?.message).toBe(`The server at ${url.href} replied with something other than HTTP (HPE_INVALID_CONSTANT); check that the URL names the port of an HTTP server.`);
    } finally {
      await target.close();
    }
  });
});

describe('cancelling a re-send', () => {
  it('stops waiting for a target that never answers', async () => {
    const silent = await startRawAnswerServer('');
    try {
      const posted = await postRaw(`${core.receiver.localUrl}/hooks/cancel`, [['Host', 'abc.loca.lt']], Buffer.from('x'));
      const sendId = 'cancel-test-0001';
      const sending = core.handlers['deliveries.replay']({ id: posted.deliveryId as string, target: `${silent.url}/slow`, sendId });
      while (silent.requests() === 0) await new Promise((wait) => setTimeout(wait, 10));

      expect(await core.handlers['deliveries.replay.cancel']({ sendId })).toEqual({ ok: true });
      const result = await sending;
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.response.status).toBeNull();
      expect(result.response.error?.code).toBe('aborted');
      expect(result.response.error?.message).toContain('was cancelled before the target answered');
      const recorded = await core.handlers['deliveries.responses']({ id: posted.deliveryId as string });
      expect(recorded.map((response) => response.error?.code)).toEqual(['aborted']);
      // The send has ended, so there is nothing left to cancel.
      expect(await core.handlers['deliveries.replay.cancel']({ sendId })).toMatchObject({ ok: false, code: 'not-found' });
    } finally {
      await silent.close();
    }
  });
});

describe('target that responds 101 Switching Protocols', () => {
  const SWITCHING = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

  it('records the 101 of a re-send', async () => {
    const target = await startRawAnswerServer(SWITCHING);
    try {
      const posted = await postRaw(`${core.receiver.localUrl}/hooks/switching`, [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json']], Buffer.from('{"a":1}'));
      const result = await core.handlers['deliveries.replay']({ id: posted.deliveryId as string, target: `${target.url}/local` });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.response.status).toBe(101);
      expect(result.response.error).toBeNull();
      expect(result.response.headers).toContainEqual(['Upgrade', 'websocket']);
    } finally {
      await target.close();
    }
  });

  it('keeps forwarding after a 101', async () => {
    const target = await startRawAnswerServer(SWITCHING);
    try {
      const rules = await core.handlers['forward.rules.set']([{ pathPrefix: '/hooks/forward-switching', target: `${target.url}/local` }]);
      expect(rules.ok).toBe(true);
      const ids: string[] = [];
      for (const index of [1, 2]) {
        const posted = await postRaw(`${core.receiver.localUrl}/hooks/forward-switching/${index}`, [['Host', 'abc.loca.lt']], Buffer.from(`{"index":${index}}`));
        ids.push(posted.deliveryId as string);
      }
      await core.replays.forwarder.idle();

      expect(target.requests()).toBe(2);
      for (const id of ids) {
        const recorded = await core.handlers['deliveries.responses']({ id });
        expect(recorded.map((response) => [response.kind, response.status])).toEqual([['forward', 101]]);
      }
    } finally {
      await core.handlers['forward.rules.set']([]);
      await target.close();
    }
  });
});

describe('target whose response body does not finish', () => {
  /** Status line and headers for a 16-byte body, then the first 7 bytes of it. */
  const SLOW_BODY = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\npartial';

  it('keeps status and partial body at timeout', async () => {
    const target = await startRawAnswerServer(SLOW_BODY);
    try {
      const url = new URL(`${target.url}/slow`);
      const answer = await sendToTarget({ method: 'POST', url, headers: [['Host', url.host], ['Content-Length', '1']], body: Buffer.from('x') }, { timeoutMs: 500 });
      expect(answer.status).toBe(200);
      expect(answer.headers).toContainEqual(['Content-Type', 'text/plain']);
      expect(answer.body.toString()).toBe('partial');
      expect(answer.bodySize).toBe(7);
      expect(answer.error?.code).toBe('timeout');
      expect(answer.error?.message).toBe(
        `The target ${url.href} responded with 200, but its response body did not finish within 500 ms; only 7 bytes of the body arrived. Check that the target ends its response, or re-send later.`,
      );
    } finally {
      await target.close();
    }
  });

  it('keeps status when the body is reset', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(SLOW_BODY));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/reset`);
      const answer = await sendToTarget({ method: 'POST', url, headers: [['Host', url.host], ['Content-Length', '1']], body: Buffer.from('x') });
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('partial');
      expect(answer.error?.code).toBe('connection-reset');
      expect(answer.error?.message).toContain('responded with 200, but closed the connection before its response body ended');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('stores a forward\'s status and partial body', async () => {
    const target = await startRawAnswerServer(SLOW_BODY);
    const forwarder = new Forwarder({ store: core.store, responses: core.replays.responses, logger: silentLogger, timeoutMs: 500 });
    try {
      expect(forwarder.setRules([{ pathPrefix: '/hooks/slow-forward', target: `${target.url}/slow` }]).ok).toBe(true);
      const posted = await postRaw(`${core.receiver.localUrl}/hooks/slow-forward`, [['Host', 'abc.loca.lt']], Buffer.from('{"a":1}'));
      const delivery = core.store.get(posted.deliveryId as string);
      if (delivery === null) throw new Error('the posted delivery was not stored');
      forwarder.enqueue(delivery);
      await forwarder.idle();

      const recorded = await core.handlers['deliveries.responses']({ id: delivery.id });
      expect(recorded.map((response) => [response.kind, response.status, response.error?.code])).toEqual([['forward', 200, 'timeout']]);
      expect(Buffer.from(recorded[0]?.body ?? []).toString()).toBe('partial');
      expect(recorded[0]?.bodySize).toBe(7);
    } finally {
      await forwarder.stop();
      await target.close();
    }
  });

  it('reports a test delivery\'s status', async () => {
    const target = await startRawAnswerServer(SLOW_BODY);
    try {
      const vault = new MutableVault({ spike: ['test-delivery-key'] });
      const profiles = [{ name: 'spike', scheme: 'spike', pathPrefix: '/', options: {} }];
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const result = await sendTestEvent({ kind: 'spike', target: `${target.url}/slow` }, { profiles, vault, nowNs }, { timeoutMs: 500 });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.status).toBe(200);
      expect(result.error?.code).toBe('timeout');
      expect(result.error?.message).toContain('responded with 200, but its response body did not finish within 500 ms');
    } finally {
      await target.close();
    }
  });
});

describe('test delivery answered with a redirect', () => {
  it('reports the Location header', async () => {
    const target = await startRawAnswerServer('HTTP/1.1 307 Temporary Redirect\r\nLocation: /moved?x=1\r\nContent-Length: 0\r\n\r\n');
    try {
      const vault = new MutableVault({ spike: ['test-delivery-key'] });
      const profiles = [{ name: 'spike', scheme: 'spike', pathPrefix: '/', options: {} }];
      const result = await sendTestEvent({ kind: 'spike', target: `${target.url}/hook` }, { profiles, vault, nowNs: BigInt(Date.now()) * 1_000_000n });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.status).toBe(307);
      expect(result.location).toBe('/moved?x=1');
    } finally {
      await target.close();
    }
  });
});
