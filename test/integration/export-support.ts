import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HeaderPair } from '../../electron/core/contract';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import { silentLogger } from '../../electron/core/logger';
import type { Profile } from '../../electron/core/signatures/types';

export interface RawRequest {
  method: string;
  path: string;
  headers: HeaderPair[];
  body: Buffer;
}

const createdDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hooktray-${prefix}-`));
  createdDirs.push(dir);
  return dir;
}

/** Deletes every folder `tempDir` created in this test file. */
export function removeTempDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Starts a core on a free loopback port with the given profiles and keys. */
export async function startCore(dataDir: string, profiles: Profile[] = [], keys: Record<string, string[]> = {}): Promise<HooktrayCore> {
  return HooktrayCore.start({
    version: 'test',
    dataDir,
    port: 0,
    profiles,
    vault: { keysFor: (name) => keys[name] ?? [] },
    logger: silentLogger,
  });
}

/** Sends one request with headers in the given order and case; resolves with the status. */
export function sendRaw(port: number, request: RawRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    // With headers as a flat array Node adds no Host header, which HTTP/1.1 servers require.
    const hasHost = request.headers.some(([name]) => name.toLowerCase() === 'host');
    const flat = [...(hasHost ? [] : ['Host', `127.0.0.1:${port}`]), ...request.headers.flatMap(([name, value]) => [name, value])];
    const hasLength = request.headers.some(([name]) => name.toLowerCase() === 'content-length');
    if (!hasLength && request.body.length > 0) flat.push('Content-Length', String(request.body.length));
    const outgoing = http.request({ host: '127.0.0.1', port, method: request.method, path: request.path, headers: flat, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`request to ${request.path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** Sends every request, `concurrency` at a time, and fails on any status but 200. */
export async function sendAll(port: number, requests: RawRequest[], concurrency = 8): Promise<void> {
  for (let start = 0; start < requests.length; start += concurrency) {
    const statuses = await Promise.all(requests.slice(start, start + concurrency).map((request) => sendRaw(port, request)));
    const failed = statuses.find((status) => status !== 200);
    if (failed !== undefined) throw new Error(`the receiver answered ${failed}`);
  }
}

/** A deterministic byte generator, so failures reproduce. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/**
 * Returns the i-th of a varied set of requests: binary, gzip, invalid UTF-8, big numbers,
 * CRLF with a BOM, Spike arrays with nanosecond timestamps, empty bodies, duplicate and
 * empty headers, and paths that try to climb out of a folder.
 */
export function variedRequest(i: number): RawRequest {
  const common: HeaderPair[] = [['X-Request-Index', String(i)], ['x-Dup', 'one'], ['X-DUP', 'two']];
  switch (i % 8) {
    case 0:
      return { method: 'POST', path: `/upload/bin-${i}`, headers: [['Content-Type', 'application/octet-stream'], ...common], body: bytes(i, 64 + (i % 300)) };
    case 1: {
      const json = JSON.stringify({ index: i, text: 'gzip ✓'.repeat(i % 20) });
      return { method: 'POST', path: '/webhooks/gzip', headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip'], ...common], body: gzipSync(json) };
    }
    case 2:
      return { method: 'PUT', path: `/text/invalid?i=${i}`, headers: [['content-type', 'text/plain; charset=utf-8'], ...common], body: Buffer.concat([Buffer.from(`row ${i} `), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80])]) };
    case 3:
      return {
        method: 'POST',
        path: `/webhooks/numbers?q=a%20b&q=c+d`,
        headers: [['Content-Type', 'application/json'], ['Authorization', `Bearer token-${i}`], ...common],
        body: Buffer.from(`{"big":12345678901234567890123,"float":1.000000000000000000001,"neg":-0.0,"exp":1e400,"i":${i}}`),
      };
    case 4:
      return { method: 'POST', path: '/webhooks/crlf', headers: [['Content-Type', 'text/csv'], ['X-Empty', ''], ...common], body: Buffer.from(`\ufeffa,b\r\n1,2\r\n${i},"x\r\ny"\r\n`) };
    case 5:
      return {
        method: 'POST',
        path: '/webhooks/spike',
        headers: [['Content-Type', 'application/json'], ['Cookie', `session=${i}`], ...common],
        body: Buffer.from(
          `[{"application_user_id":"user-${i}","timestamp":"2025-04-15T13:33:55.271331177Z","event_type":"record_change","metrics":["steps"],"activity_types":["walking"],"provider_slug":"garmin","earliest_record_start_at":"2025-04-15T00:00:00Z","latest_record_end_at":"2025-04-15T13:00:00.000000001Z"}]`,
        ),
      };
    case 6:
      return { method: 'GET', path: `/../../../etc/passwd-${i}?x=..%2F..%2F`, headers: common, body: Buffer.alloc(0) };
    default:
      return { method: 'DELETE', path: `/webhooks/${"it's"}/[${i}]`, headers: [['Content-Type', 'application/json'], ...common], body: Buffer.from(`{"quote":"'\\"","i":${i}}`) };
  }
}

/** Lists every file under a folder, recursively, with its bytes. */
export function readTree(folder: string): { path: string; bytes: Buffer }[] {
  const files: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...readTree(path));
    else files.push({ path, bytes: readFileSync(path) });
  }
  return files;
}

/** A fixture whose body is in the file `one.body` beside it, for tests of what that file may be. */
export const LINKED_FIXTURE = JSON.stringify({
  format: 'hooktray-fixture',
  version: 1,
  id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0',
  receivedAt: '2025-04-15T13:33:55.271Z',
  method: 'POST',
  path: '/webhooks/linked',
  headers: [['Content-Type', 'text/plain']],
  body: { encoding: 'utf8', data: '' },
  bodyFile: 'one.body',
});

/** Writes made-up private text to a file in a new folder and returns the file's path. */
export function writeOutside(text: string): string {
  const file = join(tempDir('fixture-outside'), 'private.txt');
  writeFileSync(file, text);
  return file;
}
