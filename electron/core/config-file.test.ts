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

  it('names a missing file and the folder of relative paths', () => {
    const file = join(dir, 'missing.json');
    expect(() => loadConfigFile(file)).toThrow(
      `The configuration file ${file} was not found: check the path given to --config. A relative path is read from the current folder, ${process.cwd()}.`,
    );
  });

  it('names a folder given as the file', () => {
    expect(() => loadConfigFile(dir)).toThrow(`The configuration file ${dir} is a folder: give --config the JSON file inside it.`);
  });
});

describe('loadConfigFile syntax errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-syntax-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `text` as a configuration file and returns the ConfigError message it raises. */
  function syntaxMessage(text: string): string {
    const file = join(dir, 'hooktray.json');
    writeFileSync(file, text);
    try {
      loadConfigFile(file);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loadConfigFile accepted invalid JSON');
  }

  it('never quotes an unquoted inline key', () => {
    const key = 'made-up-inline-key-0123456789';
    const message = syntaxMessage(`{"profiles":[{"name":"s","scheme":"spike","keys":[{"value":${key}}]}]}`);
    expect(message).not.toContain(key.slice(0, 4));
    expect(message).toContain('is not valid JSON: a value is not JSON; put text in double quotes');
  });

  it('names a misplaced bracket', () => {
    const message = syntaxMessage('{"profiles":[{"name":"s","scheme":"spike"},]}');
    expect(message).toContain('is not valid JSON: unexpected "]"');
    expect(message).not.toContain('"scheme"');
  });

  it('keeps positions from JSON.parse', () => {
    expect(syntaxMessage('{"profiles":[] "response":{}}')).toContain('at position 15');
  });
});
