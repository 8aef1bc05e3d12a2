import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from '../../electron/core/export/fixture';
import { notStoredVerdictReason } from '../../electron/core/not-stored';
import { tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';

const dir = tempDir('hooktray-not-stored-');
const KEY_ENV = { HOOKTRAY_TEST_NOT_STORED_KEY: 'made-up-not-stored-key' };
const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'HOOKTRAY_TEST_NOT_STORED_KEY' }] }] });

/** A fixture of a delivery the receiver rejected with 503 because it held too many bodies: its body is empty. */
const fixture = join(dir, 'busy.json');
writeFileSync(
  fixture,
  JSON.stringify({
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    receivedAt: '2026-12-05T09:00:00.000Z',
    method: 'POST',
    path: '/spike/hook',
    headers: [['X-Body-Signature', 'ab'.repeat(32)]],
    body: { encoding: 'utf8', data: '' },
    size: 5000,
    truncated: true,
    truncatedReason: 'memory-cap',
  }),
);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a delivery whose body was not stored', () => {
  const expected = notStoredVerdictReason('memory-cap');

  it('verifies as not stored from its fixture', async () => {
    const run = await runCli(['verify', fixture, '--config', config, '--json'], KEY_ENV);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as { verdict: { status: string; reason: string } };
    expect(record.verdict.status).toBe('unverified');
    expect(record.verdict.reason).toBe(expected);
  });

  it('imports and verifies as not stored', async () => {
    const dataDir = join(dir, 'data');
    const imported = await runCli(['import', fixture, '--data-dir', dataDir, '--config', config], KEY_ENV);
    expect(imported.code).toBe(0);

    const run = await runCli(['verify', '01JABCDEFGHJKMNPQRSTVWXYZ0', '--data-dir', dataDir, '--config', config, '--json'], KEY_ENV);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as { verdict: { status: string; reason: string }; storedVerdict: { status: string; reason: string } };
    expect(record.verdict.reason).toBe(expected);
    expect(record.storedVerdict.status).toBe('unverified');
    // Import puts its source before the reason.
    expect(record.storedVerdict.reason.startsWith(`Imported from ${fixture}`)).toBe(true);
    expect(record.storedVerdict.reason.endsWith(`. ${expected}`)).toBe(true);
  });
});
