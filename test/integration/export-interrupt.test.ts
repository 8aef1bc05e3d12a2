import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { CLI } from '../support/listen-process';
import { runCli } from '../support/run-cli';
import { removeTempDirs, sendAll, startCore, tempDir } from './export-support';

/** Deliveries that together need far more room than the small file system below offers. */
const COUNT = 16;
const BODY_BYTES = 6 * 1024 * 1024;

let core: HooktrayCore;
let dataDir: string;
let fullDisk: string | null = null;
let mountProblem = '';

beforeAll(async () => {
  dataDir = tempDir('interrupt-source');
  core = await startCore(dataDir);
  const requests = Array.from({ length: COUNT }, (_, i) => ({
    method: 'POST',
    path: `/upload/${i}`,
    headers: [['Content-Type', 'text/plain']] as [string, string][],
    body: Buffer.alloc(BODY_BYTES, `line ${i} of a large delivery\n`),
  }));
  await sendAll(core.receiver.port, requests, 2);
  core.store.flush();

  // A 16 MiB tmpfs runs out of space part way through the export; mounting needs root.
  const folder = join(tempDir('interrupt-disk'), 'full');
  mkdirSync(folder);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', folder], { stdio: 'pipe' });
    fullDisk = folder;
  } catch (error) {
    mountProblem = String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
});

afterAll(async () => {
  if (fullDisk !== null) execFileSync('umount', [fullDisk]);
  await core.stop();
  removeTempDirs();
});

describe('export on a full disk', () => {
  it.each([
    ['fixture', 'fixtures'],
    ['ndjson', 'deliveries.ndjson'],
  ])('leaves no %s output', async (format, name) => {
    if (fullDisk === null) {
      console.warn(`skipped: cannot mount a small tmpfs (${mountProblem}); run as root to test a full disk`);
      return;
    }
    const out = join(fullDisk, name);
    const run = await runCli(['export', '--format', format, '--out', out, '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ENOSPC');
    expect(run.stderr).toContain(`removed the partial output and left ${out} as it was`);
    expect(readdirSync(fullDisk)).toEqual([]);
  });
});

describe('interrupted export', () => {
  it('removes its partial output', async () => {
    const parent = tempDir('interrupt-out');
    const out = join(parent, 'fixtures');
    const child = spawn(process.execPath, [CLI, 'export', '--out', out, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // Interrupt once the export has started writing: its hidden staging folder exists.
    while (readdirSync(parent).length === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(stderr).toContain(`interrupted by SIGINT; removed the partial output and left ${out} as it was.`);
    expect(readdirSync(parent)).toEqual([]);
  });
});
