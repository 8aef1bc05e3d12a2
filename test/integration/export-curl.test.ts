import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryDetail, ExportSkip, HeaderPair } from '../../electron/core/contract';
import { FolderSink } from '../../electron/core/export/sinks';
import { exportDeliveries } from '../../electron/core/fixtures';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import type { RawRequest } from './export-support';
import { sendAll, sendRaw, startCore, tempDir, variedRequest, removeTempDirs } from './export-support';

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

/** Stores one request and returns its delivery id. */
async function store(request: RawRequest): Promise<string> {
  const before = new Set(core.store.ids());
  expect(await sendRaw(core.receiver.port, request)).toBe(200);
  const added = [...core.store.ids()].filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  return added[0] as string;
}

async function exportSnippet(id: string, language: string): Promise<{ code: string | null; skip: ExportSkip | null; folder: string }> {
  const folder = tempDir('snippet-headers');
  const result = await exportDeliveries({ format: 'snippet', language, baseUrl: echoUrl, ids: [id] }, { source: core.store, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
  if (!result.ok) throw new Error(result.message);
  const file = result.files[0]?.name;
  return { code: file === undefined ? null : readFileSync(join(folder, file), 'utf8'), skip: result.skipped[0] ?? null, folder };
}

/** Runs a fetch snippet with a stand-in `fetch` and returns the options it was called with. */
function fetchOptions(code: string): { method: string; headers: unknown; body?: string } {
  const calls: unknown[][] = [];
  const fetch = (...args: unknown[]) => {
    calls.push(args);
    return new Promise(() => {});
  };
  runInNewContext(code, { fetch, console });
  expect(calls).toHaveLength(1);
  return calls[0]?.[1] as { method: string; headers: unknown; body?: string };
}

describe('snippet headers', () => {
  const body = Buffer.from('{"event":"ping"}');
  const unusual: HeaderPair[] = [
    ['Z-Last', '1'],
    ['Content-Type', 'application/json'],
    ['__proto__', 'proto-value'],
    ['x-Dup', 'one'],
    ['constructor', 'c'],
    ['X-DUP', 'two'],
  ];

  it('node fetch snippet sends headers in order', async () => {
    const headers: HeaderPair[] = [['Z-Last', '1'], ['Content-Type', 'application/json'], ['constructor', 'c'], ['x-Dup', 'one'], ['A-First', 'é'], ['X-DUP', 'two']];
    const id = await store({ method: 'POST', path: '/webhooks/order', headers, body });
    const { code, folder } = await exportSnippet(id, 'node:fetch');
    expect(code).not.toBeNull();

    received = [];
    writeFileSync(join(folder, 'package.json'), '{"type":"commonjs"}');
    const file = readdirSync(folder).find((name) => name.endsWith('.js')) as string;
    await run(process.execPath, [join(folder, file)], { timeout: 10_000 });
    expect(received[0]?.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    // fetch joins headers that share a name, ignoring case, into the first one's field.
    expect(sent(received[0]?.headers ?? [])).toEqual([['Z-Last', '1'], ['Content-Type', 'application/json'], ['constructor', 'c'], ['x-Dup', 'one, two'], ['A-First', 'é']]);
  });

  it('javascript fetch snippet keeps every header as pairs', async () => {
    const id = await store({ method: 'POST', path: '/webhooks/proto', headers: unusual, body });
    const { code, skip } = await exportSnippet(id, 'javascript:fetch');
    expect(skip).toBeNull();

    const options = fetchOptions(code as string);
    expect(options.method).toBe('POST');
    expect(options.headers).toEqual(unusual);
    expect(options.body).toBe(body.toString());
  });

  it('node fetch snippet skips a __proto__ header', async () => {
    const id = await store({ method: 'POST', path: '/webhooks/proto', headers: unusual, body });
    const { code, skip } = await exportSnippet(id, 'node:fetch');
    expect(code).toBeNull();
    expect(skip?.code).toBe('snippet-failed');
    expect(skip?.message).toContain('"__proto__"');
    expect(skip?.reason).toBe('with a "__proto__" header, which Node\'s fetch drops');

    // The curl format that the CLI and the export dialog advise for such skips sends the header.
    received = [];
    const folder = tempDir('curl-proto');
    const result = await exportDeliveries({ format: 'curl', ids: [id] }, { source: core.store, sink: new FolderSink(folder), keys: [], version: 'test', now: new Date(0) });
    if (!result.ok) throw new Error(result.message);
    await run('sh', [join(folder, result.files.find((entry) => entry.name.endsWith('.sh'))?.name as string)], { env: { ...process.env, HOOKTRAY_BASE_URL: echoUrl }, timeout: 10_000 });
    expect(sent(received[0]?.headers ?? [])).toEqual(unusual);
  });

  it('skips headers other languages would drop', async () => {
    const proto = await store({ method: 'POST', path: '/webhooks/proto', headers: unusual, body });
    const twice = await store({ method: 'POST', path: '/webhooks/twice', headers: [['X-Dup', 'one'], ['X-Dup', 'two']], body });
    const untyped = await store({ method: 'POST', path: '/webhooks/untyped', headers: [['X-Request-Index', '1']], body });
    const cases: [id: string, language: string, expected: string][] = [
      [proto, 'node:axios', '"__proto__"'],
      [proto, 'node:native', '"__proto__"'],
      [proto, 'javascript:axios', '"__proto__"'],
      [proto, 'javascript:jquery', '"__proto__"'],
      [proto, 'clojure:clj_http', 'httpsnippet failed'],
      [untyped, 'powershell:webrequest', 'httpsnippet failed'],
      [twice, 'python:requests', 'only the last of its "X-Dup" headers'],
      [twice, 'shell:curl', 'only the last of its "X-Dup" headers'],
    ];
    for (const [id, language, expected] of cases) {
      const { code, skip } = await exportSnippet(id, language);
      expect(code, language).toBeNull();
      expect(skip?.code, language).toBe('snippet-failed');
      expect(skip?.message, language).toContain(expected);
    }
  });

  it('python snippet keeps a __proto__ header', async () => {
    const id = await store({ method: 'POST', path: '/webhooks/proto', headers: unusual, body });
    const { code, skip } = await exportSnippet(id, 'python:requests');
    expect(skip).toBeNull();
    expect(code).toContain('"__proto__": "proto-value"');
    expect(code).toContain('"x-Dup": "one"');
    expect(code).toContain('"X-DUP": "two"');
  });
});
