import { spawnSync } from 'node:child_process';
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
});
