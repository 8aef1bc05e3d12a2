import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLI, postForRawHeaders, startListen, tempDir, writeConfig } from '../support/listen-process';

function runListen(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, 'listen', '--no-tunnel', '--json', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
}

describe('hooktray listen configuration errors', () => {
  it('names the field of an invalid profile', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', keys: [{ value: 'k' }], pathPrefix: 'no-slash' }] });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "profiles.0.pathPrefix"');
  });

  it('names an unknown scheme and the known ones', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'x', scheme: 'carrier-pigeon' }] });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown scheme "carrier-pigeon"');
    expect(result.stderr).toContain('spike');
  });

  it('rejects a file that is not JSON', () => {
    const dir = tempDir();
    const config = writeConfig(dir, {});
    writeFileSync(config, '{ nope');
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
  });

  it('names a missing key variable without a key', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', keys: [{ env: 'HOOKTRAY_TEST_MISSING_KEY' }] }] });
    const result = runListen(['--data-dir', dir, '--config', config], { HOOKTRAY_TEST_MISSING_KEY: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('HOOKTRAY_TEST_MISSING_KEY');
  });

  it('rejects a key file listed twice', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'spike.key'), 'made-up-spike-key\n');
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', keys: [{ file: 'spike.key' }, { file: 'spike.key' }] }] });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "profiles.0.keys.1" (profile "spike") is already key 1 of the profile (field "profiles.0.keys.0")');
    expect(result.stderr).not.toContain('made-up-spike-key');
  });

  it('rejects a named pipe as the key file', () => {
    const dir = tempDir();
    const pipe = join(dir, 'spike.key');
    execFileSync('mkfifo', [pipe]);
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', keys: [{ file: 'spike.key' }] }] });

    // Before the check, reading the pipe blocked until the timeout killed the process.
    const result = spawnSync(process.execPath, [CLI, 'listen', '--no-tunnel', '--json', '--data-dir', dir, '--config', config], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`The key file ${pipe} for field "profiles.0.keys.0" (profile "spike") is a named pipe, not a regular file`);
    expect(result.stderr).toContain('{"env": "NAME"}');
  });

  it('reads the configuration from a shell pipe', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { bodyLimit: -1 });

    // `--config <(…)` passes a pipe; its text is read to the end, so the invalid field is named.
    const script = 'exec "$0" "$1" listen --no-tunnel --json --data-dir "$2" --config <(cat "$3")';
    const result = spawnSync('bash', ['-c', script, process.execPath, CLI, dir, config], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Invalid configuration in \/dev\/fd\/\d+: field "bodyLimit"/);
  });

  it('rejects a body limit SQLite cannot store', () => {
    const dir = tempDir();
    const result = runListen(['--data-dir', dir, '--config', writeConfig(dir, { bodyLimit: 1_500_000_000 })]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "bodyLimit": at most 267386880 bytes (255 MiB)');
  });

  it('rejects a device as the configuration file', () => {
    const result = spawnSync(process.execPath, [CLI, 'listen', '--no-tunnel', '--json', '--data-dir', tempDir(), '--config', '/dev/zero'], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('The configuration file /dev/zero is a device, not a regular file');
  });

  it('rejects an invalid port', () => {
    const result = runListen(['--data-dir', tempDir(), '--port', '70000']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid --port "70000"');
  });

  it('names a port already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'listen', '--no-tunnel', '--data-dir', tempDir(), '--port', String(port)]);
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).not.toContain('    at ');
    } finally {
      blocker.close();
    }
  });

  it('rejects an unknown option', () => {
    const result = runListen(['--data-dir', tempDir(), '--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--frobnicate');
  });
});

describe('hooktray listen configured response', () => {
  it('sends headers named like Object members', async () => {
    const headers: [string, string][] = [
      ['__proto__', 'proto-value'],
      ['constructor', 'constructor-value'],
      ['toString', 'to-string-value'],
      ['Content-Type', 'text/plain'],
    ];
    const dir = tempDir();
    // JSON.stringify writes "__proto__" because Object.fromEntries made it an own property.
    const config = writeConfig(dir, { response: { status: 202, headers: Object.fromEntries(headers), body: 'ok' } });
    const listen = await startListen(['--data-dir', dir, '--config', config]);
    try {
      const response = await postForRawHeaders(`${listen.localUrl}/hook`);
      expect(response.status).toBe(202);
      expect(response.rawHeaders.slice(0, headers.length)).toEqual(headers);
    } finally {
      await listen.stop();
    }
  });

  it('names an invalid __proto__ header value', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { response: { headers: Object.fromEntries([['__proto__', 5]]) } });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "response.headers.__proto__"');
  });

  it.each([
    ['a value node:http cannot send', { 'X-Note': 'price 5 \u20ac' }, 'response.headers.X-Note'],
    ['a value with a line break', { 'X-Note': 'a\r\nSet-Cookie: b' }, 'response.headers.X-Note'],
    ['a name with a space', { 'X Note': 'a' }, 'response.headers.X Note'],
    ['a framing header', { 'Transfer-Encoding': 'chunked' }, 'response.headers.Transfer-Encoding'],
    ['a connection header in lower case', { connection: 'close' }, 'response.headers.connection'],
  ])('rejects a response header with %s', (_case, headers, field) => {
    const dir = tempDir();
    const config = writeConfig(dir, { response: { headers } });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`field "${field}"`);
  });

  it('rejects a body with status 204', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { response: { status: 204, body: 'content' } });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "response.body"');
    expect(result.stderr).toContain('a 204 response has none');
  });
});
