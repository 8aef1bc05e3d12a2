import { rmSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UiBridge } from '../../electron/core/bridge/bridge-server';
import { coreApi } from '../../electron/core/bridge/core-api';
import { cookieName } from '../../electron/core/bridge/guard';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Logger } from '../../electron/core/logger';
import { silentLogger } from '../../electron/core/logger';
import { connectClient, fakeRendererDir, startBridge } from '../support/bridge-client';
import { tempDir } from '../support/listen-process';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends a request with exactly the given headers; unlike fetch, this can set `Host`. */
function request(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Opens a WebSocket and resolves with how it ended: the close code, or the HTTP status of a rejected upgrade. */
function socketOutcome(port: number, headers: Record<string, string>, firstMessage: unknown): Promise<{ closeCode?: number; httpStatus?: number; messages: string[] }> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
    socket.on('open', () => socket.send(JSON.stringify(firstMessage)));
    socket.on('message', (data) => {
      messages.push(data.toString());
      socket.close();
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve({ httpStatus: response.statusCode ?? 0, messages });
      socket.terminate();
    });
    socket.on('close', (code) => resolve({ closeCode: code, messages }));
    socket.on('error', () => {});
  });
}

describe('browser bridge security', () => {
  let dataDir: string;
  let core: HooktrayCore;
  let bridge: UiBridge;
  let cookie: string;

  beforeAll(async () => {
    dataDir = tempDir('hooktray-bridge-');
    core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger: silentLogger });
    bridge = await startBridge(core);
    cookie = `${cookieName(bridge.port)}=${bridge.token}`;
  });

  afterAll(async () => {
    await bridge.close();
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects a request without the token', async () => {
    const response = await request(bridge.port, '/');
    expect(response.status).toBe(401);
    expect(response.body).toContain('token');
  });

  it('rejects a wrong token', async () => {
    const response = await request(bridge.port, '/?token=not-the-token');
    expect(response.status).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('trades the URL token for a strict cookie', async () => {
    const response = await request(bridge.port, `/?token=${bridge.token}`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
    const setCookie = response.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(cookie);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves the page with the session cookie and a strict CSP', async () => {
    const response = await request(bridge.port, '/', { Cookie: cookie });
    expect(response.status).toBe(200);
    expect(response.body).toContain('Hooktray test page');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('rejects a foreign Host even with the cookie', async () => {
    const response = await request(bridge.port, '/', { Cookie: cookie, Host: `rebind.example:${bridge.port}` });
    expect(response.status).toBe(403);
    expect(response.body).toContain('rebind.example');
  });

  it('rejects a foreign Origin even with the cookie', async () => {
    const response = await request(bridge.port, '/', { Cookie: cookie, Origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect(response.body).toContain('http://evil.example');
  });

  it('accepts localhost as the host', async () => {
    const response = await request(bridge.port, '/', { Cookie: cookie, Host: `localhost:${bridge.port}`, Origin: `http://localhost:${bridge.port}` });
    expect(response.status).toBe(200);
  });

  it('does not serve files outside the renderer folder', async () => {
    const encoded = await request(bridge.port, '/..%2f..%2f..%2fetc%2fpasswd', { Cookie: cookie });
    expect(encoded.status).toBe(404);
    const plain = await request(bridge.port, '/../../etc/passwd', { Cookie: cookie });
    expect(plain.status).toBe(404);
  });

  it('rejects methods other than GET and HEAD', async () => {
    const response = await request(bridge.port, '/', { Cookie: cookie }, 'POST');
    expect(response.status).toBe(405);
  });

  it('spends a launch token after one use', async () => {
    const launchUrl = new URL(bridge.createLaunchUrl());
    const first = await request(bridge.port, `${launchUrl.pathname}${launchUrl.search}`);
    expect(first.status).toBe(303);
    const second = await request(bridge.port, `${launchUrl.pathname}${launchUrl.search}`);
    expect(second.status).toBe(401);
  });

  it('closes a WebSocket without a valid token', async () => {
    const missing = await socketOutcome(bridge.port, {}, { type: 'hello', token: null });
    expect(missing.closeCode).toBe(4401);
    const wrong = await socketOutcome(bridge.port, {}, { type: 'hello', token: 'wrong' });
    expect(wrong.closeCode).toBe(4401);
    const invokeFirst = await socketOutcome(bridge.port, {}, { type: 'invoke', id: 1, channel: 'status.get' });
    expect(invokeFirst.closeCode).toBe(4401);
  });

  it('rejects WebSocket upgrades from a foreign Origin or Host', async () => {
    const origin = await socketOutcome(bridge.port, { Origin: 'http://evil.example', Cookie: cookie }, { type: 'hello', token: bridge.token });
    expect(origin.httpStatus).toBe(403);
    const host = await socketOutcome(bridge.port, { Host: `rebind.example:${bridge.port}`, Cookie: cookie }, { type: 'hello', token: bridge.token });
    expect(host.httpStatus).toBe(403);
  });

  it('accepts a WebSocket with the session cookie', async () => {
    const outcome = await socketOutcome(bridge.port, { Cookie: cookie, Origin: `http://127.0.0.1:${bridge.port}` }, { type: 'hello', token: null });
    expect(outcome.messages).toEqual([JSON.stringify({ type: 'ready' })]);
  });

  it('closes a WebSocket that sends malformed messages', async () => {
    const outcome = await socketOutcome(bridge.port, {}, 'not an object');
    expect(outcome.closeCode).toBe(4400);
  });

  it('answers an unknown channel with a stable code', async () => {
    const api = await connectClient(bridge);
    try {
      await expect(api.invoke('no.such.channel' as 'status.get', undefined)).rejects.toMatchObject({ code: 'unknown-channel' });
      await expect(api.invoke('deliveries.list', { limit: 0 })).rejects.toMatchObject({ code: 'invalid-request' });
    } finally {
      api.close();
    }
  });
});

describe('browser bridge log', () => {
  it('keeps the token out of odd request targets', async () => {
    const dataDir = tempDir('hooktray-bridge-log-');
    const lines: string[] = [];
    const record = (message: string, context?: Record<string, unknown>): void => {
      lines.push(`${message} ${JSON.stringify(context ?? {})}`);
    };
    const logger: Logger = { info: record, warn: record, error: record, debug: record };
    const core = await HooktrayCore.start({ version: 'test', dataDir, port: 0, profiles: [], vault: { keysFor: () => [] }, logger: silentLogger });
    const bridge = await UiBridge.start({ api: coreApi(core), port: 0, rendererDir: fakeRendererDir(), logger });
    try {
      // A doubled slash, as in a path pasted after a base URL that ends in "/".
      const doubled = await request(bridge.port, `//?token=${bridge.token}`);
      const absolute = await request(bridge.port, `http://[::1/?token=${bridge.token}`);

      expect(doubled.status).toBe(303);
      expect(absolute.status).toBe(400);
      expect(absolute.body).not.toContain(bridge.token);
      expect(lines.join('\n')).not.toContain(bridge.token);
    } finally {
      await bridge.close();
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
