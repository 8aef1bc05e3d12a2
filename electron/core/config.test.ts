import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, exposedKeyFileWarnings, MAX_BODY_LIMIT, parseConfig, resolveKeys, SQLITE_LENGTH_LIMIT } from './config';

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

describe('resolveKeys empty keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // File content, and the words the message must contain.
  const files: [string, string][] = [
    ['', 'is empty'],
    ['\n', 'is empty'],
    ['\r\n', 'is empty'],
    ['  \r\n\t\n', 'contains only whitespace'],
  ];
  for (const [content, words] of files) {
    it(`rejects a key file of ${JSON.stringify(content)}`, () => {
      writeFileSync(join(dir, 'k.key'), content);
      const message = resolveError(dir, spikeProfile([{ file: 'k.key' }]));
      expect(message).toContain('"profiles.0.keys.0"');
      expect(message).toContain(join(dir, 'k.key'));
      expect(message).toContain(words);
    });
  }

  it('rejects a variable of whitespace', () => {
    const message = resolveError(dir, spikeProfile([{ env: 'HOOKTRAY_TEST_KEY' }]), { HOOKTRAY_TEST_KEY: ' \r\n' });
    expect(message).toContain('"profiles.0.keys.0"');
    expect(message).toContain('environment variable HOOKTRAY_TEST_KEY');
    expect(message).toContain('contains only whitespace');
  });

  it('rejects an inline value of whitespace', () => {
    const message = resolveError(dir, spikeProfile([{ value: '\t ' }]));
    expect(message).toContain('"profiles.0.keys.0"');
    expect(message).toContain('contains only whitespace');
  });

  it('names the profile and key position', () => {
    writeFileSync(join(dir, 'empty.key'), '\n');
    const config = {
      profiles: [
        { name: 'first', scheme: 'github', pathPrefix: '/g', keys: [{ value: 'made-up-key' }] },
        { name: 'second', scheme: 'spike', pathPrefix: '/s', keys: [{ value: 'made-up-key' }, { file: 'empty.key' }] },
      ],
    };
    const message = resolveError(dir, config);
    expect(message).toContain('"profiles.1.keys.1"');
    expect(message).toContain('profile "second"');
  });

  it('names the fix for a missing key file', () => {
    const message = resolveError(dir, spikeProfile([{ file: 'missing.key' }]));
    expect(message).toContain(`Cannot read the key file ${join(dir, 'missing.key')}`);
    expect(message).toContain('(ENOENT): create the file, or correct its path');
  });

  it('names the fix for a folder as key file', () => {
    mkdirSync(join(dir, 'keys'));
    expect(resolveError(dir, spikeProfile([{ file: 'keys' }]))).toContain('(EISDIR): name the file that holds the key, not a folder');
  });

  it('reads a key file without its line ending', () => {
    writeFileSync(join(dir, 'k.key'), 'made-up-key\r\n');
    const parsed = parseConfig(spikeProfile([{ file: 'k.key' }]), CONFIG_NAME);
    expect(resolveKeys(parsed.keyRefs, join(dir, CONFIG_NAME), {}).keysFor('s')).toEqual(['made-up-key']);
  });
});

describe('resolveKeys duplicate keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects the same key file twice', () => {
    writeFileSync(join(dir, 'spike.key'), 'made-up-key\n');
    const message = resolveError(dir, spikeProfile([{ file: 'spike.key' }, { file: 'spike.key' }]));
    expect(message).toBe(
      `The key from the key file ${join(dir, 'spike.key')} for field "profiles.0.keys.1" (profile "s") is already key 1 of the profile (field "profiles.0.keys.0"): remove one of the two entries.`,
    );
  });

  it('rejects one key from two sources', () => {
    writeFileSync(join(dir, 'spike.key'), 'made-up-key');
    const message = resolveError(dir, spikeProfile([{ value: 'other-made-up-key' }, { file: 'spike.key' }, { env: 'HOOKTRAY_TEST_KEY' }]), { HOOKTRAY_TEST_KEY: 'made-up-key' });
    expect(message).toContain('environment variable HOOKTRAY_TEST_KEY for field "profiles.0.keys.2"');
    expect(message).toContain('is already key 2 of the profile (field "profiles.0.keys.1")');
    expect(message).not.toContain('made-up-key');
  });

  it('accepts one key in two profiles', () => {
    const config = {
      profiles: [
        { name: 'first', scheme: 'spike', pathPrefix: '/a', keys: [{ value: 'made-up-key' }] },
        { name: 'second', scheme: 'spike', pathPrefix: '/b', keys: [{ value: 'made-up-key' }] },
      ],
    };
    expect(resolveError(dir, config)).toBeNull();
  });
});

describe('resolveKeys key encodings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function hmacProfile(keyEncoding: string) {
    return { profiles: [{ name: 'c', scheme: 'hmac', pathPrefix: '/c', keys: [{ env: 'HOOKTRAY_TEST_KEY' }], options: { header: 'X-Sig', keyEncoding } }] };
  }

  // Encoding, a made-up key that is not valid in it, and the words the message must contain.
  const cases: [string, string, string][] = [
    ['hex', 'not-hex-key', 'is not valid hex'],
    ['hex', 'abc', 'is not valid hex'],
    ['hex', '00112233\n', 'has whitespace around it'],
    ['base64', 'not base64!', 'is not valid base64'],
    ['base64', 'AAAA=', 'is not valid base64'],
  ];
  for (const [encoding, key, words] of cases) {
    it(`rejects ${JSON.stringify(key)} as ${encoding}`, () => {
      const message = resolveError(dir, hmacProfile(encoding), { HOOKTRAY_TEST_KEY: key });
      expect(message).toContain('"profiles.0.keys.0"');
      expect(message).toContain('environment variable HOOKTRAY_TEST_KEY');
      expect(message).toContain(words);
      expect(message).toContain(`"keyEncoding" is "${encoding}"`);
      expect(message).not.toContain(key.trim());
    });
  }

  it('accepts a key valid in its encoding', () => {
    expect(resolveError(dir, hmacProfile('hex'), { HOOKTRAY_TEST_KEY: '00112233' })).toBeNull();
    expect(resolveError(dir, hmacProfile('base64'), { HOOKTRAY_TEST_KEY: 'AAECAw==' })).toBeNull();
    expect(resolveError(dir, hmacProfile('utf8'), { HOOKTRAY_TEST_KEY: 'not-hex-key' })).toBeNull();
  });

  it('rejects a Standard Webhooks secret that is not base64', () => {
    const config = { profiles: [{ name: 'sw', scheme: 'standard-webhooks', pathPrefix: '/sw', keys: [{ env: 'HOOKTRAY_TEST_KEY' }] }] };
    const message = resolveError(dir, config, { HOOKTRAY_TEST_KEY: 'whsec_made up secret' });
    expect(message).toContain('"profiles.0.keys.0"');
    expect(message).toContain('is not a Standard Webhooks secret');
    expect(message).not.toContain('made up secret');
  });
});

describe.skipIf(process.platform === 'win32')('exposedKeyFileWarnings', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooktray-key-modes-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const configWithKeyFiles = (...files: string[]): ReturnType<typeof parseConfig> =>
    parseConfig({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: files.map((file) => ({ file })) }] }, join(dir, 'c.json'));

  it('names a key file others can read', () => {
    writeFileSync(join(dir, 'open.key'), 'made-up-key-not-a-secret', { mode: 0o644 });
    chmodSync(join(dir, 'open.key'), 0o644);
    writeFileSync(join(dir, 'closed.key'), 'another-made-up-key', { mode: 0o600 });
    chmodSync(join(dir, 'closed.key'), 0o600);

    const warnings = exposedKeyFileWarnings(configWithKeyFiles('open.key', 'closed.key').keyRefs, join(dir, 'c.json'));

    expect(warnings).toEqual([`The key file ${join(dir, 'open.key')} can be read by other users (mode 644): run chmod 600 ${join(dir, 'open.key')}.`]);
    expect(warnings.join('\n')).not.toContain('made-up-key-not-a-secret');
  });

  it('quotes a path with spaces in the fix', () => {
    writeFileSync(join(dir, "my key's.txt"), 'made-up-key-not-a-secret', { mode: 0o644 });
    chmodSync(join(dir, "my key's.txt"), 0o644);

    const [warning] = exposedKeyFileWarnings(configWithKeyFiles("my key's.txt").keyRefs, join(dir, 'c.json'));

    expect(warning).toContain(`run chmod 600 '${dir}/my key'\\''s.txt'.`);
  });

  it('skips a key file that is missing', () => {
    expect(exposedKeyFileWarnings(configWithKeyFiles('missing.key').keyRefs, join(dir, 'c.json'))).toEqual([]);
  });
});

describe('parseConfig retention', () => {
  it('rejects a maximum age under an hour', () => {
    expect(() => parseConfig({ retention: { maxAgeDays: 0.0001 } }, CONFIG_NAME)).toThrow(
      'Invalid configuration in hooktray.json: field "retention.maxAgeDays": enter 0 to keep deliveries of any age, or at least 0.042 days (one hour).',
    );
    expect(parseConfig({ retention: { maxAgeDays: 1 / 24 } }, CONFIG_NAME).retention.maxAgeDays).toBe(1 / 24);
  });
});

describe('parseConfig profiles', () => {
  it('rejects a path prefix used twice', () => {
    const profiles = [
      { name: 'a', scheme: 'spike', pathPrefix: '/s', keys: [{ value: 'made-up-a' }] },
      { name: 'b', scheme: 'github', pathPrefix: '/s', keys: [{ value: 'made-up-b' }] },
    ];
    expect(() => parseConfig({ profiles }, CONFIG_NAME)).toThrow(
      'Invalid configuration in hooktray.json: field "profiles.1.pathPrefix": The path prefix "/s" is profile "a"\'s too, which verifies every delivery under it: give each profile its own path prefix.',
    );
  });
});

describe('parseConfig bodyLimit', () => {
  it('accepts the largest body limit the store keeps', () => {
    expect(parseConfig({ bodyLimit: MAX_BODY_LIMIT }, CONFIG_NAME).bodyLimit).toBe(MAX_BODY_LIMIT);
  });

  it('rejects a body limit the store cannot keep', () => {
    expect(() => parseConfig({ bodyLimit: MAX_BODY_LIMIT + 1 }, CONFIG_NAME)).toThrow(
      'Invalid configuration in hooktray.json: field "bodyLimit": at most 267386880 bytes (255 MiB), because a body and its decoded copy are stored together in one SQLite row of at most 536870888 bytes.',
    );
    expect(() => parseConfig({ bodyLimit: 2_000_000_000 }, CONFIG_NAME)).toThrow('field "bodyLimit": at most 267386880 bytes');
  });

  it('fits two bodies at the limit in one SQLite row', () => {
    const db = new Database(':memory:');
    try {
      // zeroblob() checks SQLite's length limit without allocating the bytes; 64 bytes cover the row's header.
      expect(db.prepare('SELECT length(zeroblob(?))').pluck().get(2 * MAX_BODY_LIMIT + 64)).toBe(2 * MAX_BODY_LIMIT + 64);
      expect(db.prepare('SELECT length(zeroblob(?))').pluck().get(SQLITE_LENGTH_LIMIT)).toBe(SQLITE_LENGTH_LIMIT);
      expect(() => db.prepare('SELECT length(zeroblob(?))').pluck().get(SQLITE_LENGTH_LIMIT + 1)).toThrow('string or blob too big');
    } finally {
      db.close();
    }
  });
});

describe('parseConfig messages', () => {
  // Each invalid configuration with the message it gets after "Invalid configuration in hooktray.json: ".
  const cases: [config: unknown, message: string][] = [
    [{ profile: [] }, 'unknown field "profile": did you mean "profiles"? The fields allowed there are profiles, response, retention and bodyLimit.'],
    [{ retention: { maxcount: 1 } }, 'unknown field "retention.maxcount": did you mean "maxCount"? The fields allowed there are maxCount and maxAgeDays.'],
    [{ zzz: 1, yyy: 2 }, 'unknown field "zzz" (the first of 2): remove it, or use one of the fields allowed there: profiles, response, retention and bodyLimit.'],
    [{ profiles: [{ nmae: 'a', scheme: 'spike' }] }, 'unknown field "profiles.0.nmae": did you mean "name"? The fields allowed there are name, scheme, pathPrefix, keys and options.'],
    [{ retention: { maxCount: 1.5 } }, 'field "retention.maxCount": must be a whole number, 0 or more (got 1.5).'],
    [{ retention: { maxCount: -1 } }, 'field "retention.maxCount": must be a whole number, 0 or more (got -1).'],
    [{ retention: { maxCount: '5' } }, 'field "retention.maxCount": must be a whole number, 0 or more (got a string; write it without quotes).'],
    [{ response: { status: 99 } }, 'field "response.status": must be a whole number from 100 to 599 (got 99).'],
    [{ response: { delayMs: 200_000 } }, 'field "response.delayMs": must be a whole number from 0 to 120000 (got 200000).'],
    [{ response: { headers: { 'X-Long': 'a'.repeat(9000) } } }, 'field "response.headers.X-Long": must have at most 8192 characters.'],
    [{ response: 5 }, 'field "response": must be an object { … } (got 5).'],
    [{ bodyLimit: 0 }, 'field "bodyLimit": must be a whole number from 1 to 267386880 (got 0).'],
    [[], 'the whole file must be an object { … } (got an array).'],
    [{ profiles: {} }, 'field "profiles": must be an array [ … ] (got an object).'],
    [{ profiles: [{ scheme: 'spike' }] }, 'field "profiles.0.name": is missing: add it as a string.'],
    [{ profiles: [{ name: '', scheme: 'spike' }] }, 'field "profiles.0.name": must not be empty.'],
    [{ profiles: [{ name: 'a', scheme: 'spike', pathPrefix: 'a' }] }, 'field "profiles.0.pathPrefix": must start with "/".'],
    [
      { profiles: [{ name: 'h', scheme: 'hmac', options: { header: 'X-Sig', encodng: 'hex' } }] },
      'unknown field "profiles.0.options.encodng": did you mean "encoding"? The fields allowed there are header, algorithm, encoding, prefix, template, timestampHeader, toleranceSeconds and keyEncoding.',
    ],
  ];

  for (const [config, message] of cases) {
    it(`words ${message.slice(0, 40)}`, () => {
      expect(() => parseConfig(config, CONFIG_NAME)).toThrow(`Invalid configuration in hooktray.json: ${message}`);
    });
  }

  it('keeps the messages set on a schema', () => {
    expect(() => parseConfig({ profiles: [{ name: 'h', scheme: 'hmac', options: { header: 'X-Sig', algorithm: 'md5' } }] }, CONFIG_NAME)).toThrow(
      'field "profiles.0.options.algorithm": "algorithm" must be "sha1", "sha256" or "sha512".',
    );
  });

  it('never quotes an inline key', () => {
    const key = 'made-up-inline-key';
    expect(() => parseConfig({ retention: { maxCount: key } }, CONFIG_NAME)).toThrow(ConfigError);
    expect(() => parseConfig({ retention: { maxCount: key } }, CONFIG_NAME)).not.toThrow(key);
  });
});
