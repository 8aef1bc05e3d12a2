import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TUNNEL_CONNECTIONS, register } from './tunnel-client';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

let server: http.Server | null = null;

async function serve(handler: Handler): Promise<string> {
  const started = http.createServer(handler);
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  server = started;
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

function registerWithin(host: string, timeoutMs: number) {
  return register(host, 'hooktray-unit01', AbortSignal.timeout(timeoutMs), timeoutMs);
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  server = null;
});

describe('register', () => {
  it('requests the subdomain and parses the registration', async () => {
    const paths: string[] = [];
    const host = await serve((request, response) => {
      paths.push(request.url ?? '');
      response.end(JSON.stringify({ id: 'hooktray-unit01', port: 40000, max_conn_count: 10, url: 'https://hooktray-unit01.loca.lt' }));
    });
    const result = await registerWithin(host, 2_000);

    expect(paths).toEqual(['/hooktray-unit01']);
    expect(result).toEqual({ ok: true, registration: { id: 'hooktray-unit01', port: 40000, max_conn_count: 10, url: 'https://hooktray-unit01.loca.lt' } });
  });

  it('caps the connections a server hands out', async () => {
    const host = await serve((_request, response) => {
      response.end(JSON.stringify({ id: 'hooktray-unit01', port: 40000, max_conn_count: 5000, url: 'https://hooktray-unit01.loca.lt' }));
    });
    const result = await registerWithin(host, 2_000);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.registration.max_conn_count).toBe(MAX_TUNNEL_CONNECTIONS);
  });

  it.each([
    [403, true, 'registration-rejected'],
    [404, true, 'registration-rejected'],
    [429, false, 'server-error'],
    [503, false, 'server-error'],
  ] as const)('classifies HTTP %i', async (status, permanent, code) => {
    const host = await serve((_request, response) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message: `status ${status} from the server` }));
    });
    const result = await registerWithin(host, 2_000);

    expect(result).toMatchObject({ ok: false, code, permanent });
    if (result.ok) return;
    expect(result.message).toContain(`status ${status} from the server`);
    expect(result.message).toContain('"hooktray-unit01"');
  });

  it('rejects a response that is not JSON', async () => {
    const html = await serve((_request, response) => response.end('<html>hello</html>'));
    expect(await registerWithin(html, 2_000)).toMatchObject({ ok: false, code: 'invalid-registration', permanent: false });
  });

  it('names the missing field of a registration', async () => {
    const host = await serve((_request, response) => response.end(JSON.stringify({ id: 'x', url: 'https://x.loca.lt' })));
    const result = await registerWithin(host, 2_000);

    expect(result).toMatchObject({ ok: false, code: 'invalid-registration' });
    if (result.ok) return;
    expect(result.message).toContain('"port"');
  });

  it('times out on a silent server', async () => {
    const host = await serve(() => {
      // Never responds.
    });
    const result = await registerWithin(host, 300);

    expect(result).toMatchObject({ ok: false, code: 'server-unreachable', permanent: false });
    if (result.ok) return;
    expect(result.message).toContain('no response within 300 ms');
  });
});
