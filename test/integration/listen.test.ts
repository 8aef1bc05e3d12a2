import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStore } from '../../electron/core/store';
import type { ListenProcess } from '../support/listen-process';
import { post, startListen, storedPaths, tempDir, writeConfig } from '../support/listen-process';
import { freePort } from '../support/echo-server';
import { runCli } from '../support/run-cli';
import { spikeBody, spikeSignature } from '../support/spike';

const KEY = 'spike-test-key';

describe('hooktray listen with a Spike profile', () => {
  let listen: ListenProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    const config = writeConfig(dataDir, {
      profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ value: KEY }] }],
    });
    listen = await startListen(['--data-dir', dataDir, '--config', config, '--port', '0']);
  });

  afterAll(async () => {
    expect(await listen.stop()).toBe(0);
  });

  async function deliver(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
    const before = listen.records.filter((record) => record.type === 'delivery').length;
    const response = await post(`${listen.localUrl}${path}`, body, headers);
    const deliveries = await listen.waitForDeliveries(before + 1);
    return { response, record: deliveries[before] as { id: string; verdict: Record<string, unknown>; spike: unknown } };
  }

  it('verifies a hex signature', async () => {
    const body = spikeBody('hex-user');
    const { response, record } = await deliver('/webhooks/spike', body, { 'X-Body-Signature': spikeSignature(KEY, body, 'hex') });
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('valid');
    expect(record.verdict.encoding).toBe('hex');
    expect(record.spike).toMatchObject({ users: ['hex-user'], metrics: ['steps', 'distance'], providers: ['garmin'] });
  });

  it('verifies a base64 signature', async () => {
    const body = spikeBody('base64-user');
    const { response, record } = await deliver('/webhooks/spike', body, { 'x-body-signature': spikeSignature(KEY, body, 'base64') });
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('valid');
    expect(record.verdict.encoding).toBe('base64');
  });

  it('rejects a body changed by one byte', async () => {
    const body = spikeBody('tampered-user');
    const signature = spikeSignature(KEY, body);
    const tampered = body.replace('tampered-user', 'tampered-usex');
    const { response, record } = await deliver('/webhooks/spike', tampered, { 'X-Body-Signature': signature });
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('invalid');
  });

  it('diagnoses an invalid signature', async () => {
    // The receiver checks the signature; the writer thread adds the diagnosis of a mismatch.
    const body = spikeBody('newline-user');
    const { response, record } = await deliver('/webhooks/spike', `${body}\n`, { 'X-Body-Signature': spikeSignature(KEY, body) });
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('invalid');
    expect(record.verdict.diagnosis).toMatch(/without its final newline/);
  });

  it('reports a missing signature header', async () => {
    const { response, record } = await deliver('/webhooks/spike', spikeBody('unsigned-user'));
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('missing-signature');
  });

  it('leaves uncovered paths unverified', async () => {
    const body = spikeBody('other-user');
    const { response, record } = await deliver('/somewhere/else', body, { 'X-Body-Signature': spikeSignature(KEY, body) });
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('unverified');
    expect(record.verdict.detectedScheme).toBe('spike');
  });

  it('stores bodies byte for byte', async () => {
    const bodies: [string, Buffer][] = [
      ['utf8-emoji', Buffer.from('{"text":"héllo 🌍 \\u00e9 \\/ 12345678901234567890"}\r\n', 'utf8')],
      ['invalid-utf8', Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x7d])],
      ['empty', Buffer.alloc(0)],
      ['twenty-mib', randomBytes(20 * 1024 * 1024)],
    ];
    const ids = new Map<string, string>();
    for (const [name, body] of bodies) {
      const { response, record } = await deliver(`/bytes/${name}`, body, { 'Content-Type': 'application/octet-stream' });
      expect(response.status, name).toBe(200);
      ids.set(name, record.id);
    }

    const store = new DeliveryStore({ dataDir });
    try {
      for (const [name, body] of bodies) {
        const stored = store.get(ids.get(name) as string);
        expect(stored, name).not.toBeNull();
        expect(Buffer.compare(Buffer.from(stored?.body ?? []), body), name).toBe(0);
        expect(stored?.bodySha256, name).toBe(createHash('sha256').update(body).digest('hex'));
        expect(stored?.size, name).toBe(body.length);
      }
    } finally {
      await store.close();
    }
  });

  it('answers 413 over the body limit and stays up', async () => {
    const body = Buffer.alloc(26 * 1024 * 1024, 0x61);
    const { response, record } = await deliver('/webhooks/spike/too-big', body, { 'X-Body-Signature': spikeSignature(KEY, body) });
    expect(response.status).toBe(413);
    expect(response.text).toContain('26214400 bytes');
    expect(response.text).toContain('larger bodyLimit in the --config file');
    expect((record as unknown as { truncated: boolean }).truncated).toBe(true);
    expect(record.verdict.status).toBe('unverified');
    expect(record.verdict.reason).toContain('over the size limit');
    expect(record.verdict.profile).toBe('spike');
    expect(record.spike).toBeNull();

    const after = await deliver('/after/413', 'still here');
    expect(after.response.status).toBe(200);
  });

  it('keeps header order and case', async () => {
    const { record } = await deliver('/headers', 'x', { 'X-Zeta': '1', 'x-alpha': '2', 'X-MiXeD-Case': '3' });
    const store = new DeliveryStore({ dataDir });
    try {
      const names = store.get(record.id)?.headers.map(([name]) => name) ?? [];
      const custom = names.filter((name) => name.toLowerCase().startsWith('x-'));
      expect(custom).toEqual(['X-Zeta', 'x-alpha', 'X-MiXeD-Case']);
    } finally {
      await store.close();
    }
  });

  it('withholds a path that contains the key', async () => {
    const body = JSON.stringify([{ application_user_id: `user-${KEY}`, event_type: 'record_change' }]);
    const { response, record } = await deliver(`/webhooks/spike/leak?k=${encodeURIComponent(KEY)}`, body);
    expect(response.status).toBe(200);
    expect((record as unknown as { path: string }).path).toBe('[withheld: contains a configured key]');
    expect(record.spike).toBeNull();
    expect(JSON.stringify(listen.records)).not.toContain(KEY);
  });
});

describe('hooktray listen with a gzip body that decodes over bodyLimit', () => {
  const env = { HOOKTRAY_TEST_SPIKE_KEY: KEY };
  // About 250 bytes gzipped and 4300 decoded, so the body is stored but its decoded copy is not.
  const plain = spikeBody('gzip-user', { padding: 'x'.repeat(4000) });
  const gzipped = gzipSync(plain);
  let listen: ListenProcess;
  let dataDir: string;
  let config: string;

  beforeAll(async () => {
    dataDir = tempDir();
    config = writeConfig(dataDir, {
      profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ env: 'HOOKTRAY_TEST_SPIKE_KEY' }] }],
      bodyLimit: 1000,
    });
    listen = await startListen(['--data-dir', dataDir, '--config', config], env);
  });

  afterAll(async () => {
    await listen.stop();
  });

  async function deliverGzipped(signedBody: string | Uint8Array) {
    const before = listen.records.filter((record) => record.type === 'delivery').length;
    const headers = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json', 'X-Body-Signature': spikeSignature(KEY, signedBody) };
    const response = await post(`${listen.localUrl}/webhooks/spike`, gzipped, headers);
    const deliveries = await listen.waitForDeliveries(before + 1);
    return { response, record: deliveries[before] as { id: string; verdict: Record<string, unknown> } };
  }

  it('names the body limit for a signed decoded body', async () => {
    const { response, record } = await deliverGzipped(plain);
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('invalid');
    expect(record.verdict.diagnosis).toContain('decoded form is larger than the body limit of 1000 bytes');
    expect(record.verdict.diagnosis).toContain('raise bodyLimit in the --config file');
    expect(record.verdict.diagnosis).not.toContain('Nothing explains');

    // hooktray verify checks the stored delivery again and finds the same cause.
    const verify = await runCli(['verify', record.id, '--data-dir', dataDir, '--config', config], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('larger than the body limit of 1000 bytes');
  });

  it('verifies a signature over the gzipped bytes', async () => {
    const { response, record } = await deliverGzipped(gzipped);
    expect(response.status).toBe(200);
    expect(record.verdict.status).toBe('valid');
  });
});

describe('hooktray listen after stdout closes', () => {
  it('stores the delivery and stops cleanly', async () => {
    const dataDir = tempDir();
    const listen = await startListen(['--data-dir', dataDir]);
    const exited = new Promise<number | null>((resolveExit) => listen.child.once('exit', (code) => resolveExit(code)));

    // The reader of stdout goes away, as `head` does after its lines or jq after an error.
    listen.child.stdout.destroy();
    const response = await post(`${listen.localUrl}/after-close`, '{"a":1}');

    expect(response.status).toBe(200);
    expect(await exited).toBe(0);
    expect(listen.stderr()).toContain('stdout was closed');
    expect(listen.stderr()).not.toContain('    at ');
    expect(await storedPaths(dataDir)).toEqual(new Set(['/after-close']));
  });
});

describe('hooktray listen --forward-to its own receiver', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'])('exits 2 for %s on the receiver port', async (host) => {
    const port = await freePort();
    const url = `http://${host}:${port}/loop`;
    const run = await runCli(['listen', '--no-tunnel', '--port', String(port), '--data-dir', tempDir(), '--forward-to', url]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray listen: The forward target ${url} is this receiver's own address (127.0.0.1:${port})`);
    expect(run.stderr).toContain('Forward to the URL of the server that handles the webhooks, which listens on another port. (--forward-to)');
  });

  it('rejects --forward-to given twice', async () => {
    const run = await runCli(['listen', '--no-tunnel', '--data-dir', tempDir(), '--forward-to', 'http://127.0.0.1:9/a', '--forward-to', 'http://127.0.0.1:9/b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hooktray listen: --forward-to was given 2 times: give it once.\n');
  });
});
