import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHeader } from '../../electron/core/headers';
import type { EchoServer } from '../support/echo-server';
import { startEchoServer, startRawAnswerServer } from '../support/echo-server';
import type { ListenProcess } from '../support/listen-process';
import { startListen, tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';

const SPIKE_KEY = 'spike-test-key-for-send';
let dir: string;
let configFile: string;
let listen: ListenProcess;
let target: EchoServer;

beforeAll(async () => {
  dir = tempDir('hooktray-send-');
  configFile = writeConfig(dir, {
    profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'HOOKTRAY_TEST_SPIKE_KEY' }] }],
  });
  target = await startEchoServer();
  listen = await startListen(['--data-dir', dir, '--config', configFile, '--forward-to', `${target.url}/forwarded`], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
});

afterAll(async () => {
  await listen?.stop();
  await target?.close();
});

describe('hooktray send spike', () => {
  it('produces a delivery verified valid and forwards it', async () => {
    const run = await runCli(['send', 'spike', '--to', `${listen.localUrl}/spike/webhooks`, '--config', configFile, '--users', 'u-1,u-2', '--metrics', 'steps,sleep'], {
      HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^200 in [\d.]+ ms, signed with profile "spike"; stored as delivery [0-9A-Z]{26}\n$/);

    const [delivery] = await listen.waitForDeliveries(1);
    expect(run.stdout).toContain(String(delivery?.id));
    expect((delivery?.verdict as { status: string }).status).toBe('valid');
    const spike = delivery?.spike as { users: string[]; metrics: string[]; window: { start: string; end: string } };
    expect(spike.users).toEqual(['u-1', 'u-2']);
    expect(spike.metrics).toEqual(['steps', 'sleep']);
    expect(spike.window.end).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);

    // Forwarding starts after the receiver's response, so wait for its record line.
    const deadline = Date.now() + 20_000;
    while (!listen.records.some((record) => record.type === 'forward') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const forward = listen.records.find((record) => record.type === 'forward');
    expect(forward?.deliveryId).toBe(delivery?.id);
    expect(forward?.status).toBe(200);
    expect(target.requests).toHaveLength(1);
    const forwarded = target.requests[0];
    expect(forwarded?.url).toBe('/forwarded');
    const signature = findHeader(forwarded?.headers ?? [], 'X-Body-Signature');
    expect(signature).toBe(createHmac('sha256', SPIKE_KEY).update(forwarded?.body ?? Buffer.alloc(0)).digest('hex'));
  });

  it('names the missing profile', async () => {
    const run = await runCli(['send', 'stripe', '--to', target.url, '--config', configFile], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`No profile in ${configFile} uses the stripe scheme`);
    expect(run.stderr).toContain('The file\'s profiles are "spike" (scheme spike, path prefix /spike)');
    expect(target.requests).toHaveLength(1);
  });

  it('names an unknown --profile', async () => {
    const run = await runCli(['send', 'github', '--to', target.url, '--config', configFile, '--profile', 'nope'], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`There is no profile named "nope" in ${configFile}`);
    expect(run.stderr).toContain('"spike" (scheme spike, path prefix /spike)');
  });

  it('rejects a --profile of another scheme', async () => {
    const before = target.requests.length;
    const run = await runCli(['send', 'stripe', '--to', target.url, '--config', configFile, '--profile', 'spike'], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('profile "spike": it uses the spike scheme, and a stripe test event needs a profile of the stripe scheme');
    expect(target.requests).toHaveLength(before);
  });

  it('rejects an unknown kind and a missing --config', async () => {
    const unknown = await runCli(['send', 'paypal', '--to', target.url, '--config', configFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('spike, github, stripe, standard-webhooks');
    expect(unknown.stderr).not.toContain('Did you mean');
    const typo = await runCli(['send', 'spkie', '--to', target.url, '--config', configFile]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('not "spkie". Did you mean "spike"?');
    const noConfig = await runCli(['send', 'spike', '--to', target.url]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config');
  });

  it('rejects a bad template time', async () => {
    const run = await runCli(['send', 'spike', '--to', target.url, '--config', configFile, '--window-start', 'yesterday'], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"yesterday"');
  });

  it('exits 1 for a 101 response', async () => {
    const switching = await startRawAnswerServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    try {
      const run = await runCli(['send', 'spike', '--to', `${switching.url}/hooks`, '--config', configFile], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^101 in [\d.]+ ms, signed with profile "spike"\n$/);
    } finally {
      await switching.close();
    }
  });
});

describe('hooktray send to a target that does not accept it', () => {
  let plain: EchoServer;

  beforeAll(async () => {
    plain = await startEchoServer();
  });

  afterAll(async () => {
    await plain?.close();
  });

  it('prints the Location of a redirect', async () => {
    const redirecting = await startRawAnswerServer('HTTP/1.1 307 Temporary Redirect\r\nLocation: https://example.test/hooks\r\nContent-Length: 0\r\n\r\n');
    try {
      const run = await runCli(['send', 'spike', '--to', `${redirecting.url}/old`, '--config', configFile], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });

      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^307 in [\d.]+ ms, signed with profile "spike"\nRedirects are not followed; the target redirects to https:\/\/example\.test\/hooks, so send to that URL if it handles the webhook\.\n$/);
    } finally {
      await redirecting.close();
    }
  });

  it('names a plain HTTP server behind https:// on one line', async () => {
    const run = await runCli(['send', 'spike', '--to', `https://127.0.0.1:${plain.port}/hook`, '--config', configFile], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`hooktray send: The server at https://127.0.0.1:${plain.port}/hook responded in plain HTTP, not TLS; use http://127.0.0.1:${plain.port}/hook instead.\n`);
  });

  it('rejects --to given twice', async () => {
    const run = await runCli(['send', 'spike', '--to', plain.url, '--to', `${plain.url}/other`, '--config', configFile], { HOOKTRAY_TEST_SPIKE_KEY: SPIKE_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hooktray send: --to was given 2 times: give it once.\n');
  });
});
