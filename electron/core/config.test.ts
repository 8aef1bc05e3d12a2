import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, resolveKeys } from './config';

const CONFIG_NAME = 'hooktray.json';

/** Resolves the keys of a configuration whose file would sit in `dir`. Returns the error message, or null when the keys resolve. */
function resolveError(dir: string, config: unknown, env: NodeJS.ProcessEnv = {}): string | null {
  const parsed = parseConfig(config, CONFIG_NAME);
  try {
    resolveKeys(parsed.keyRefs, join(dir, CONFIG_NAME), env);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

function spikeProfile(keys: unknown[]) {
  return { profiles: [{ name: 's', scheme: 'spike', pathPrefix: '/a', keys }] };
}

describe('resolveKeys environment variables', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names an unset variable', () => {
    const message = resolveError(dir, spikeProfile([{ env: 'HOOKTRAY_TEST_KEY' }]));
    expect(message).toContain('HOOKTRAY_TEST_KEY');
    expect(message).toContain('is not set');
  });

  it('calls an empty variable empty', () => {
    const message = resolveError(dir, spikeProfile([{ env: 'HOOKTRAY_TEST_KEY' }]), { HOOKTRAY_TEST_KEY: '' });
    expect(message).toContain('HOOKTRAY_TEST_KEY');
    expect(message).toContain('is set but empty');
    expect(message).not.toContain('is not set');
  });

  it('reads a set variable', () => {
    const parsed = parseConfig(spikeProfile([{ env: 'HOOKTRAY_TEST_KEY' }]), CONFIG_NAME);
    const vault = resolveKeys(parsed.keyRefs, join(dir, CONFIG_NAME), { HOOKTRAY_TEST_KEY: 'made-up-key' });
    expect(vault.keysFor('s')).toEqual(['made-up-key']);
  });
});
