import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryDetail, HeaderPair } from '../../electron/core/contract';
import { FolderSink } from '../../electron/core/export/sinks';
import { exportDeliveries } from '../../electron/core/fixtures';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { sendAll, startCore, tempDir, variedRequest, removeTempDirs } from './export-support';

const run = promisify(execFile);

interface Echoed {
  method: string;
  path: string;
  headers: HeaderPair[];
  sha256: string;
}

/** Hop-by-hop and client-set headers that a re-sent request may differ in. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'connection', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'sec-fetch-mode']);
const COUNT = 48;

let core: HooktrayCore;
let echo: http.Server;
let echoUrl: string;
let received: Echoed[] = [];
let originals: DeliveryDetail[];

beforeAll(async () => {
  core = await startCore(tempDir('curl-source'));
  await sendAll(core.receiver.port, Array.from({ length: COUNT }, (_, i) => variedRequest(i)));
  originals = [...core.store.ids()].map((id) => core.store.get(id) as DeliveryDetail);

  echo = http.createServer((request, response) => {
    const hash = createHash('sha256');
    request.on('data', (chunk: Buffer) => hash.update(chunk));
    request.on('end', () => {
      const headers: HeaderPair[] = [];
      for (let i = 0; i < request.rawHeaders.length; i += 2) headers.push([request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string]);
      received.push({ method: request.method ?? '', path: request.url ?? '', headers, sha256: hash.digest('hex') });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => echo.close(resolve));
  await core.stop();
  removeTempDirs();
});

function sent(headers: HeaderPair[]): HeaderPair[] {
  return headers.filter(([name]) => !CLIENT_HEADERS.has(name.toLowerCase()));
}

describe('curl export', () => {
  it('sends identical bytes to an echo server', async () => {
    received = [];
    const folder = tempDir('curl-out');
    const result = await exportDeliveries({ format: 'curl', redactHeaders: [] }, { source: core.store, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
    if (!result.ok) throw new Error(result.message);
    const scripts = result.files.filter((file) => file.name.endsWith('.sh')).map((file) => file.name);
    expect(scripts).toHaveLength(COUNT);

    for (const script of scripts) {
      await run('sh', [join(folder, script)], { env: { ...process.env, HOOKTRAY_BASE_URL: echoUrl }, timeout: 10_000 });
    }
    expect(received).toHaveLength(COUNT);

    for (const [index, original] of originals.entries()) {
      const echoed = received[index] as Echoed;
      expect(echoed.method).toBe(original.method);
      expect(echoed.path).toBe(original.path);
      expect(echoed.sha256, `body of ${original.path}`).toBe(original.bodySha256);
      expect(sent(echoed.headers)).toEqual(sent(original.headers).filter(([name]) => name.toLowerCase() !== 'expect'));
    }
  });

  it('runs the node fetch snippet with the same body', async () => {
    received = [];
    const folder = tempDir('snippet-out');
    const ids = originals.filter((delivery) => delivery.path === '/webhooks/numbers?q=a%20b&q=c+d').map((delivery) => delivery.id);
    const result = await exportDeliveries(
      { format: 'snippet', language: 'node:fetch', baseUrl: echoUrl, ids },
      { source: core.store, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) },
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.exported).toBe(ids.length);

    const first = result.files[0]?.name as string;
    writeFileSync(join(folder, 'package.json'), '{"type":"commonjs"}');
    await run(process.execPath, [join(folder, first)], { timeout: 10_000 });
    const original = originals.find((delivery) => delivery.id === ids[0]) as DeliveryDetail;
    expect(received[0]?.sha256).toBe(original.bodySha256);
    // httpsnippet rebuilds the query string, so compare it decoded.
    const echoedUrl = new URL(received[0]?.path ?? '', echoUrl);
    const originalUrl = new URL(original.path, echoUrl);
    expect(echoedUrl.pathname).toBe(originalUrl.pathname);
    expect([...echoedUrl.searchParams]).toEqual([...originalUrl.searchParams]);
  });

  it('skips binary bodies in snippets', async () => {
    const result = await exportDeliveries({ format: 'snippet', language: 'python' }, { source: core.store, sink: new FolderSink(tempDir('snippet-py')), keys: [], version: 'test', now: new Date(0) });
    if (!result.ok) throw new Error(result.message);
    expect(result.skipped.filter((skip) => skip.code === 'binary-body').length).toBeGreaterThan(0);
    expect(result.files.every((file) => file.name.endsWith('.py'))).toBe(true);
  });

  it('rejects an unknown language', async () => {
    const result = await exportDeliveries({ format: 'snippet', language: 'cobol' }, { source: core.store, sink: new FolderSink(tempDir('snippet-x')), keys: [], version: 'test', now: new Date(0) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('unknown-language');
    expect(result.message).toContain('python');
  });
});
