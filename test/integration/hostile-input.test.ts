import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRaw } from '../support/echo-server';
import { CLI, tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';

const NESTING = 100_000;
const BIG_JSON_BYTES = 50 * 1024 * 1024;
const ESC = '\u001b';

let root: string;
let dataDir: string;
let child: ChildProcess;
let localUrl: string;
let stdout = '';
let stderr = '';

/** Lists every file under `dir`, as absolute paths. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

async function post(path: string, body: string | Buffer): Promise<number> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const result = await postRaw(`${localUrl}${path}`, [['Host', new URL(localUrl).host], ['Content-Type', 'application/json'], ['Content-Length', String(bytes.length)]], bytes);
  return result.status;
}

beforeAll(async () => {
  root = tempDir('hooktray-hostile-');
  dataDir = join(root, 'data');
  // The 50 MB body needs a limit above the default of 25 MiB.
  const config = writeConfig(root, { bodyLimit: 64 * 1024 * 1024, profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ value: 'hostile-test-key' }] }] });
  child = spawn(process.execPath, [CLI, 'listen', '--no-tunnel', '--data-dir', dataDir, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  localUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('latin1');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`hooktray listen exited with ${code}; stderr: ${stderr}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
});

describe('hostile bodies', () => {
  it('stores JSON nested 100,000 levels deep', async () => {
    const nested = `${'['.repeat(NESTING)}${']'.repeat(NESTING)}`;
    expect(await post('/spike/nested', nested)).toBe(200);
  });

  it('stores a 50 MB single-line JSON', { timeout: 60_000 }, async () => {
    const big = Buffer.alloc(BIG_JSON_BYTES, 'a');
    big.write('{"a":"', 0);
    big.write('"}', BIG_JSON_BYTES - 2);
    expect(await post('/spike/big', big)).toBe(200);
  });

  it('prints ANSI escapes and control characters escaped', async () => {
    const body = JSON.stringify([{ application_user_id: `${ESC}[31mred${ESC}[0m\u0007<script>alert(1)</script>`, timestamp: '2025-04-15T13:33:55Z', event_type: 'record_change', metrics: ['steps'] }]);
    expect(await post('/spike/ansi', body)).toBe(200);
    for (let attempt = 0; attempt < 50 && !stdout.includes('/spike/ansi'); attempt += 1) await new Promise((wake) => setTimeout(wake, 100));

    const line = stdout.split('\n').find((text) => text.includes('/spike/ansi')) ?? '';
    expect(line).toContain('\\x1b[31mred');
    expect(line).toContain('\\x07');
    expect(stdout).not.toContain(ESC);
    expect(stdout).not.toContain('\u0007');
  });

  it('keeps serving after the hostile bodies', async () => {
    expect(await post('/spike/after', '[]')).toBe(200);
    expect(child.exitCode).toBeNull();
  });
});

describe('hostile names', () => {
  const paths = ['/../../../../etc/passwd', '/..%2F..%2Fescape', '/nul%00byte/%00', `/long/${'a'.repeat(8_000)}`, '/dots/..', '/con/aux/nul'];

  it('stores every hostile path', async () => {
    for (const path of paths) expect(await post(path, '{}'), path).toBe(200);
  });

  it('exports fixtures only inside the output folder, with short names', { timeout: 60_000 }, async () => {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    const parent = join(root, 'export-parent');
    mkdirSync(parent);
    const out = join(parent, 'fixtures');

    const run = await runCli(['export', '--format', 'fixture', '--out', out, '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);

    expect(readdirSync(parent)).toEqual(['fixtures']);
    const files = walk(out);
    expect(files.length).toBeGreaterThan(paths.length);
    const realOut = realpathSync(out);
    for (const file of files) {
      expect(realpathSync(file).startsWith(`${realOut}/`), file).toBe(true);
      for (const segment of relative(out, file).split('/')) expect(Buffer.byteLength(segment), segment).toBeLessThanOrEqual(255);
      expect(relative(out, file)).not.toContain('\u0000');
    }
  });

  it('keeps logs inside the data folder and small', () => {
    const logs = walk(join(dataDir, 'logs'));
    for (const file of logs) {
      expect(file.startsWith(join(dataDir, 'logs'))).toBe(true);
      expect(statSync(file).size).toBeLessThan(1024 * 1024);
    }
  });
});

describe('hostile tunnel server', () => {
  it('prints its messages escaped', async () => {
    // A tunnel server that rejects every registration with escapes that set the title, clear the screen and reverse text.
    const message = `${ESC}]0;title${ESC}\\${ESC}[2J${ESC}[31mred \u009b1m \u202eevil`;
    const server = http.createServer((_request, response) => {
      response.writeHead(403, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tunnelHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const folder = tempDir('hooktray-hostile-tunnel-');
    const listen = spawn(process.execPath, [CLI, 'listen', '--tunnel-host', tunnelHost, '--data-dir', join(folder, 'data')], { stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';

    try {
      await new Promise<void>((resolve, reject) => {
        listen.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString('utf8');
          if (/Tunnel offline[^\n]*\n/.test(printed)) resolve();
        });
        listen.once('exit', (code) => reject(new Error(`hooktray listen exited with ${code}; stdout: ${printed}`)));
      });
    } finally {
      const exited = new Promise((resolve) => listen.once('exit', resolve));
      listen.kill('SIGTERM');
      await exited;
      server.close();
    }

    const line = printed.split('\n').find((text) => text.startsWith('Tunnel offline')) ?? '';
    expect(line).toContain('\\x1b]0;title\\x1b\\\\x1b[2J\\x1b[31mred \\x9b1m \\u202eevil');
    expect(printed).not.toContain(ESC);
    expect(printed).not.toContain('\u009b');
    expect(printed).not.toContain('\u202e');
  });
});
