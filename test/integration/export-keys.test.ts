import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import type { Profile } from '../../electron/core/signatures/types';
import { runCli } from '../support/run-cli';
import { readTree, removeTempDirs, sendAll, startCore, tempDir } from './export-support';

const KEY = 'madeup-key-zero';
const PROFILES: Profile[] = [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', options: {} }];
const PROXY_CREDENTIALS = 'Basic bWFkZXVwOnByb3h5LXBhc3N3b3Jk';

let core: HooktrayCore;
let dataDir: string;
let configFile: string;

beforeAll(async () => {
  dataDir = tempDir('keys-source');
  core = await startCore(dataDir, PROFILES, { spike: [KEY] });
  await sendAll(core.receiver.port, [
    {
      method: 'POST',
      path: '/webhooks/spike',
      headers: [['Content-Type', 'application/json'], ['Proxy-Authorization', PROXY_CREDENTIALS]],
      body: Buffer.from('[{"event_type":"record_change","application_user_id":"u1"}]'),
    },
  ]);
  core.store.flush();

  const folder = tempDir('keys-config');
  writeFileSync(join(folder, 'spike.key'), KEY);
  configFile = join(folder, 'hooktray.json');
  writeFileSync(configFile, JSON.stringify({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ file: 'spike.key' }] }] }));
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

/** Runs `hooktray export` to a new path and returns every file it wrote; HAR and NDJSON write one file there. */
async function exportFiles(format: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out = join(tempDir(`keys-${format}`), 'out');
  const run = await runCli(['export', '--format', format, '--out', out, '--data-dir', dataDir, '--config', configFile]);
  expect(run.code, run.stderr).toBe(0);
  return statSync(out).isDirectory() ? readTree(out) : [{ path: out, bytes: readFileSync(out) }];
}

describe('export redaction', () => {
  it.each(['fixture', 'har', 'curl', 'ndjson', 'snippet'])('redacts Proxy-Authorization in %s', async (format) => {
    const files = await exportFiles(format);
    const text = files.map((file) => file.bytes.toString('latin1')).join('\n');
    expect(text).not.toContain(PROXY_CREDENTIALS);
    expect(text).toContain('[redacted]');
  });
});

