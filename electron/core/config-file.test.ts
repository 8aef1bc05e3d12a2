import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile } from './config';

const CONFIG = { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'HOOKTRAY_TEST_KEY' }] }] };

describe('loadConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a UTF-8 byte-order mark', () => {
    const file = join(dir, 'hooktray.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(CONFIG))]));

    const config = loadConfigFile(file);
    expect(config.profiles.map((profile) => profile.name)).toEqual(['spike']);
    expect(config.keyRefs.get('spike')).toEqual([{ env: 'HOOKTRAY_TEST_KEY' }]);
  });

  it('rejects a byte-order mark after the start', () => {
    const file = join(dir, 'hooktray.json');
    writeFileSync(file, `\n\uFEFF${JSON.stringify(CONFIG)}`);

    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(file)).toThrow(`The configuration file ${file} is not valid JSON`);
  });
});
