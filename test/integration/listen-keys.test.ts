import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, tempDir, writeConfig } from '../support/listen-process';

/** Runs `hooktray listen` with a configuration that is expected to be rejected before it listens. */
function runListen(dir: string, config: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = writeConfig(dir, config);
  return spawnSync(process.execPath, [CLI, 'listen', '--no-tunnel', '--json', '--port', '0', '--data-dir', dir, '--config', file], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, ...env },
  });
}

function spikeProfile(keys: unknown[]) {
  return { profiles: [{ name: 's', scheme: 'spike', pathPrefix: '/a', keys }] };
}

describe('hooktray listen key references', () => {
  it('calls an empty variable empty', () => {
    const result = runListen(tempDir(), spikeProfile([{ env: 'HOOKTRAY_TEST_EMPTY_KEY' }]), { HOOKTRAY_TEST_EMPTY_KEY: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('HOOKTRAY_TEST_EMPTY_KEY');
    expect(result.stderr).toContain('is set but empty');
  });

  it('rejects a key file of a line break', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'k.key'), '\n');
    const result = runListen(dir, spikeProfile([{ file: 'k.key' }]));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"profiles.0.keys.0"');
    expect(result.stderr).toContain(join(dir, 'k.key'));
    expect(result.stderr).toContain('is empty');
  });

  it('rejects a variable of whitespace', () => {
    const result = runListen(tempDir(), spikeProfile([{ env: 'HOOKTRAY_TEST_BLANK_KEY' }]), { HOOKTRAY_TEST_BLANK_KEY: ' \r\n' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"profiles.0.keys.0"');
    expect(result.stderr).toContain('HOOKTRAY_TEST_BLANK_KEY');
    expect(result.stderr).toContain('contains only whitespace');
  });

  it('rejects a key that is not hex', () => {
    const key = 'made-up-text-key';
    const config = { profiles: [{ name: 'c', scheme: 'hmac', pathPrefix: '/c', keys: [{ env: 'HOOKTRAY_TEST_HEX_KEY' }], options: { header: 'X-Sig', keyEncoding: 'hex' } }] };
    const result = runListen(tempDir(), config, { HOOKTRAY_TEST_HEX_KEY: key });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"profiles.0.keys.0"');
    expect(result.stderr).toContain('is not valid hex');
    expect(result.stderr).not.toContain(key);
  });
});
