import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, post, tempDir, writeConfig } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';

const KEY = 'spike-text-test-key';

/** `hooktray listen` without --json: its stdout lines and a way to wait for more of them. */
interface TextListen {
  child: ChildProcessWithoutNullStreams;
  localUrl: string;
  lines: string[];
  stderr: () => string;
  nextLine: () => Promise<string>;
}

async function startTextListen(args: string[]): Promise<TextListen> {
  const child = spawn(process.execPath, [CLI, 'listen', '--no-tunnel', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    waiting.shift()?.(line);
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`hooktray listen exited with ${code}; stderr: ${stderr}`)));
    });
  const first = await nextLine();
  const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first);
  if (match === null) throw new Error(`The first line is not the listening line: ${first}`);
  return { child, localUrl: match[1] as string, lines, stderr: () => stderr, nextLine };
}

describe('hooktray listen text output', () => {
  let listen: TextListen;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir('hooktray-listen-text-');
    const config = writeConfig(dataDir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ value: KEY }] }] });
    listen = await startTextListen(['--data-dir', dataDir, '--config', config]);
  });

  afterAll(async () => {
    const exited = new Promise((resolve) => listen.child.once('exit', resolve));
    listen.child.kill('SIGTERM');
    await exited;
  });

  /** Posts a delivery and resolves with its line. */
  async function deliver(path: string, body: string, headers: Record<string, string> = {}): Promise<string> {
    const line = listen.nextLine();
    expect((await post(`${listen.localUrl}${path}`, body, headers)).status).toBe(200);
    return line;
  }

  it('shortens a long user id', async () => {
    const userId = 'u'.repeat(100_000);
    const body = spikeBody(userId);
    const line = await deliver('/spike', body, { 'X-Body-Signature': spikeSignature(KEY, body) });

    expect(line).toContain(`users ${'u'.repeat(80)}… (100000 characters), metrics`);
    expect(line.length).toBeLessThan(400);
  });

  it('shortens a long path', async () => {
    const path = `/long/${'p'.repeat(200)}`;
    const line = await deliver(path, '{}');
    expect(line).toContain(`  ${path.slice(0, 80)}… (206 characters)  `);
  });

  it('withholds a key cut by the shortening', async () => {
    // The key starts 4 characters before the cut, so the shortened path shows only its start.
    const path = `/${'p'.repeat(75)}${KEY}`;
    const line = await deliver(path, '{}');
    expect(line).toContain('[withheld: contains a configured key]');
    expect(line).not.toContain('pppp');
  });

  it('keeps info entries off stderr', () => {
    expect(listen.stderr()).toBe('');
    const log = readFileSync(join(dataDir, 'logs', 'hooktray.log'), 'utf8');
    expect(log).toContain('listen: started');
  });
});
