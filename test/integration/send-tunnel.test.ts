import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocaltunnelTestServer } from '../support/localtunnel-server';
import { CLI, tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';

const SPIKE_KEY = 'spike-test-key-through-tunnel';
let server: LocaltunnelTestServer;
let child: ReturnType<typeof spawn>;
let configFile: string;
let stderr = '';
const records: Record<string, unknown>[] = [];

/** Waits up to 20 s for a record of `listen --json` that matches. */
async function waitForRecord(predicate: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = records.find(predicate);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`No matching record within 20 s; records: ${JSON.stringify(records)}; stderr: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  // The CLI's public URL must resolve, so the test server hands out localhost URLs.
  server = new LocaltunnelTestServer({ localhostUrls: true });
  await server.start();
  const dir = tempDir('hooktray-send-tunnel-');
  configFile = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ value: SPIKE_KEY }] }] });
  child = spawn(process.execPath, [CLI, 'listen', '--json', '--tunnel-host', server.origin, '--subdomain', 'hooktray-send1', '--data-dir', dir, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => records.push(JSON.parse(line) as Record<string, unknown>));
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  await server?.stop();
});

describe('hooktray send through the tunnel', () => {
  it('produces a delivery verified valid', async () => {
    const online = await waitForRecord((record) => record.type === 'tunnel' && record.state === 'online');
    const publicUrl = String(online.url);

    const run = await runCli(['send', 'spike', '--to', `${publicUrl}/spike/webhooks`, '--config', configFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const delivery = await waitForRecord((record) => record.type === 'delivery');
    expect(delivery.path).toBe('/spike/webhooks');
    expect((delivery.verdict as { status: string }).status).toBe('valid');
    expect(run.stdout).toContain(`stored as delivery ${String(delivery.id)}`);
    expect(server.tunnelled.map((request) => request.path)).toContain('/spike/webhooks');
  });
});
