import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, tempDir, writeConfig } from '../support/listen-process';

function runListen(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, 'listen', '--no-tunnel', '--json', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
}

describe('hooktray listen configuration errors', () => {
  it('names the field of an invalid profile', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', keys: [{ value: 'k' }], pathPrefix: 'no-slash' }] });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('field "profiles.0.pathPrefix"');
  });

  it('names an unknown scheme and the known ones', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'x', scheme: 'carrier-pigeon' }] });
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown scheme "carrier-pigeon"');
    expect(result.stderr).toContain('spike');
  });

  it('rejects a file that is not JSON', () => {
    const dir = tempDir();
    const config = writeConfig(dir, {});
    writeFileSync(config, '{ nope');
    const result = runListen(['--data-dir', dir, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
  });

  it('names a missing key variable without a key', () => {
    const dir = tempDir();
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', keys: [{ env: 'HOOKTRAY_TEST_MISSING_KEY' }] }] });
    const result = runListen(['--data-dir', dir, '--config', config], { HOOKTRAY_TEST_MISSING_KEY: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('HOOKTRAY_TEST_MISSING_KEY');
  });

  it('rejects an invalid port', () => {
    const result = runListen(['--data-dir', tempDir(), '--port', '70000']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid --port "70000"');
  });

  it('rejects an unknown option', () => {
    const result = runListen(['--data-dir', tempDir(), '--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--frobnicate');
  });
});
