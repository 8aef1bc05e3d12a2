import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStore } from '../../electron/core/store';
import { LocaltunnelTestServer } from '../support/localtunnel-server';
import { CLI, tempDir } from '../support/listen-process';

let server: LocaltunnelTestServer;
let child: ReturnType<typeof spawn>;
let dataDir: string;
let stdout = '';
let stderr = '';

async function waitForOutput(pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = pattern.exec(stdout);
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`No ${pattern} within 20 s; stdout: ${stdout}; stderr: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  // The public URL must resolve here, so the test server hands out localhost URLs.
  server = new LocaltunnelTestServer({ localhostUrls: true });
  await server.start();
  dataDir = tempDir('hooktray-ui-tunnel-');
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, settings: { tunnelHost: server.origin, subdomain: 'hooktray-uitest' } }));
  child = spawn(process.execPath, [CLI, 'ui', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
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

describe('hooktray ui with a tunnel', () => {
  it('receives through the public URL', async () => {
    const online = await waitForOutput(/Hooktray listening on (http:\/\/\S+) \(public/);
    const publicUrl = online[1] as string;
    expect(server.clientIds()).toContain('hooktray-uitest');

    const response = await fetch(`${publicUrl}/through/tunnel`, { method: 'POST', body: 'hello through the tunnel' });
    expect(response.status).toBe(200);

    const id = response.headers.get('x-hooktray-delivery') as string;
    const store = new DeliveryStore({ dataDir });
    try {
      expect(Buffer.from(store.get(id)?.body ?? []).toString()).toBe('hello through the tunnel');
    } finally {
      await store.close();
    }
  });
});
