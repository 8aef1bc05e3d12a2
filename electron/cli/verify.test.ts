import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HeaderPair } from '../core/contract';
import { KEY_PART_NOT_SHOWN } from '../core/export/import-parse';
import { containsKeyPart } from '../core/signatures/key-spellings';
import { signDelivery } from '../core/signatures/sign';
import { DeliveryStore } from '../core/store';
import { main } from '../cli';
import { UsageError } from './args';
import { parseFixtureRequest, runVerify } from './verify';
import { testDelivery } from '../../test/support/deliveries';

const BODY = '{"action":"opened"}';
const KEY = 'cli-test-secret';

let dir: string;
let output: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hooktray-verify-'));
  output = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(key = KEY): string {
  const file = join(dir, 'hooktray.json');
  writeFileSync(file, JSON.stringify({ profiles: [{ name: 'gh', scheme: 'github', pathPrefix: '/', keys: [{ value: key }] }] }));
  return file;
}

function writeFixture(body: string, headers: HeaderPair[], extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'delivery.json');
  writeFileSync(file, JSON.stringify({ method: 'POST', path: '/gh', headers, body: { encoding: 'utf8', data: body }, ...extra }));
  return file;
}

describe('hooktray verify', () => {
  it('verifies a valid fixture', async () => {
    const code = await runVerify([writeFixture(BODY, signDelivery('github', BODY, KEY)), '--config', writeConfig()]);
    expect(code).toBe(0);
    expect(output.join('')).toContain('Verdict    valid (github, hex, key 1), profile "gh"');
  });

  it('prints the diagnosis of an invalid fixture', async () => {
    const code = await runVerify([writeFixture(`${BODY}\n`, signDelivery('github', BODY, KEY)), '--config', writeConfig()]);
    expect(code).toBe(1);
    expect(output.join('')).toContain('Diagnosis  The signature matches the body without its final newline');
  });

  it('prints JSON and never the key', async () => {
    await runVerify([writeFixture(BODY, signDelivery('github', BODY, 'another')), '--config', writeConfig(), '--json']);
    const record = JSON.parse(output.join('')) as { source: { kind: string }; verdict: { status: string; diagnosis: string } };
    expect(record.source.kind).toBe('fixture');
    expect(record.verdict.status).toBe('invalid');
    expect(record.verdict.diagnosis).toContain('Nothing explains the mismatch');
    expect(output.join('')).not.toContain(KEY);
  });

  it('never prints a key sent as the signature', async () => {
    const key = '7e093df9c2b1a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e15a0a';
    const config = join(dir, 'spike.json');
    writeFileSync(join(dir, 'spike.key'), key);
    writeFileSync(config, JSON.stringify({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', keys: [{ file: 'spike.key' }] }] }));

    expect(await runVerify([writeFixture(BODY, [['X-Body-Signature', key]]), '--config', config])).toBe(1);
    const printed = output.join('');
    expect(printed).toContain('The signature header carries key 1 itself');
    expect(printed).not.toContain(key.slice(0, 8));
    expect(printed).not.toContain(key.slice(-4));
  });

  it('detects the scheme without a config', async () => {
    const code = await runVerify([writeFixture(BODY, signDelivery('github', BODY, KEY)), '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(output.join('')).verdict.detectedScheme).toBe('github');
  });

  it('prefers the exact body file', async () => {
    writeFileSync(join(dir, 'delivery.body'), BODY);
    const sha = createHash('sha256').update(BODY).digest('hex');
    const fixture = writeFixture('{"edited": true}', signDelivery('github', BODY, KEY), { bodyFile: 'delivery.body', bodySha256: sha });
    expect(await runVerify([fixture, '--config', writeConfig()])).toBe(0);
  });

  it('prefers --public-url to the profile option', async () => {
    const config = join(dir, 'twilio.json');
    const profile = { name: 'tw', scheme: 'twilio', pathPrefix: '/', keys: [{ value: KEY }], options: { publicUrl: 'https://stale.example' } };
    writeFileSync(config, JSON.stringify({ profiles: [profile] }));
    const form = 'CallSid=CA1&From=%2B15005550006';
    const headers: HeaderPair[] = [['Content-Type', 'application/x-www-form-urlencoded']];
    const url = 'https://abc123.ngrok.app/gh';
    const fixture = writeFixture(form, [...headers, ...signDelivery('twilio', form, KEY, {}, 0, { url, contentType: headers[0]?.[1] })]);

    expect(await runVerify([fixture, '--config', config])).toBe(1);
    output.length = 0;
    expect(await runVerify([fixture, '--config', config, '--public-url', 'https://abc123.ngrok.app'])).toBe(0);
    expect(output.join('')).toContain(`Reason     HMAC-SHA1 of ${url} and its form parameters matches key 1`);
  });

  it('verifies a stored delivery', async () => {
    const store = new DeliveryStore({ dataDir: dir });
    const body = Buffer.from(BODY);
    await store.add(testDelivery(body, { id: '01JTESTDELIVERY0000000000A', path: '/gh', headers: signDelivery('github', BODY, KEY), monotonicNs: '1' }));
    store.close();

    const code = await runVerify(['01JTESTDELIVERY0000000000A', '--data-dir', dir, '--config', writeConfig()]);
    expect(code).toBe(0);
    expect(output.join('')).toContain('Stored     unverified (the verdict recorded on arrival)');
  });

  it('rejects an unknown delivery id', async () => {
    new DeliveryStore({ dataDir: dir }).close();
    await expect(runVerify(['01JABCDEFGHJKMNPQRSTVWXYZ0', '--data-dir', dir])).rejects.toThrow(/No delivery has the id 01JABCDEFGHJKMNPQRSTVWXYZ0/);
  });

  it('names a target that is neither id nor file', async () => {
    const message = 'nonsense is neither a delivery id (26-character ULID) nor a fixture file: check the id or the path.';
    await expect(runVerify(['nonsense', '--data-dir', dir])).rejects.toThrow(message);
    new DeliveryStore({ dataDir: dir }).close();
    await expect(runVerify(['nonsense', '--data-dir', dir])).rejects.toThrow(message);
  });

  it('names the extra arguments', async () => {
    await expect(runVerify(['one', 'two', '--data-dir', dir])).rejects.toThrow('Pass exactly one delivery id or fixture file (given 2: one two)');
  });

  it('rejects a folder without a store', async () => {
    await expect(runVerify(['01JABCDEFGHJKMNPQRSTVWXYZ0', '--data-dir', dir])).rejects.toThrow(/No Hooktray store/);
  });

  it('rejects a fixture folder naming a file in it', async () => {
    const folder = join(dir, 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), '[]');
    writeFileSync(join(folder, '2025-04-15-gh.json'), '{}');
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });

    expect(await main(['verify', `${folder}/`, '--data-dir', dir])).toBe(2);
    const message = stderr.join('');
    expect(message).toContain(`${folder}/ is a folder`);
    expect(message).toContain(join(folder, '2025-04-15-gh.json'));
    expect(message).toContain('--data-dir');
    expect(message).not.toContain('No Hooktray store');
  });

  it('points a store folder to --data-dir', async () => {
    new DeliveryStore({ dataDir: dir }).close();
    await expect(runVerify([dir])).rejects.toThrow(`pass a delivery id with --data-dir ${dir}`);
  });

  it('rejects an empty folder', async () => {
    await expect(runVerify([dir])).rejects.toThrow(UsageError);
    await expect(runVerify([dir])).rejects.toThrow(`${dir} is a folder`);
  });

  it('rejects a missing fixture file', async () => {
    await expect(runVerify([join(dir, 'nope.json')])).rejects.toThrow(UsageError);
  });

  it('leaves a key out of a JSON error', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, `{"path": o${KEY}}`);

    const failure = runVerify([file, '--config', writeConfig()]);
    await expect(failure).rejects.toThrow(UsageError);
    const message = await failure.then(
      () => '',
      (error: unknown) => String(error),
    );
    expect(message).toContain(`The fixture file ${file} is not valid JSON: unexpected character "o" in the text ${KEY_PART_NOT_SHOWN}.`);
    expect(containsKeyPart(message, [KEY])).toBe(false);
  });

  it('quotes a JSON error without keys', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"path":\n oops}');

    await expect(runVerify([file])).rejects.toThrow(`The fixture file ${file} is not valid JSON: unexpected character "o" in the text "{\\"path\\":\\n oops}".`);
  });

  it('names a UTF-16 fixture file', async () => {
    const file = join(dir, 'utf16.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"method":"POST"}', 'utf16le')]));

    await expect(runVerify([file])).rejects.toThrow(`The fixture file ${file} is UTF-16 text (little-endian, byte order mark FF FE), but Hooktray reads JSON as UTF-8: save the file as UTF-8.`);
  });

  it('leaves a key out of the report path', async () => {
    const path = `/gh?token=${KEY}`;
    writeFileSync(join(dir, 'delivery.json'), JSON.stringify({ method: 'POST', path, headers: signDelivery('github', BODY, KEY), body: { encoding: 'utf8', data: BODY } }));

    expect(await runVerify([join(dir, 'delivery.json'), '--config', writeConfig()])).toBe(0);
    const printed = output.join('');
    expect(printed).toContain(`(POST path ${KEY_PART_NOT_SHOWN})`);
    expect(containsKeyPart(printed, [KEY])).toBe(false);
  });

  it('names the bad fixture field', () => {
    expect(() => parseFixtureRequest({ method: 'POST', path: '/x', headers: [], body: { encoding: 'hex', data: '' } }, 'f.json')).toThrow(
      'f.json is not a fixture: field "body.encoding"',
    );
  });

  it('decodes base64 bodies', () => {
    const fixture = parseFixtureRequest({ method: 'POST', path: '/x', headers: [['A', 'b']], body: { encoding: 'base64', data: 'AP8=' } }, 'f.json');
    expect([...fixture.body]).toEqual([0, 255]);
  });

  it('warns about a changed .body file', () => {
    const record = (data: string) => ({ method: 'POST', path: '/x', headers: [], body: { encoding: 'utf8', data }, bodyFile: 'f.body', bodySha256: createHash('sha256').update('original').digest('hex') });
    const edited = (): Buffer => Buffer.from('edited');

    // The JSON body still matches the recorded digest, so it is used.
    const staleFile: string[] = [];
    expect(parseFixtureRequest(record('original'), 'f.json', edited, staleFile).body.toString()).toBe('original');
    expect(staleFile).toEqual(['f.json: the .body file does not match bodySha256; used the JSON body.']);

    // Neither matches, so the .body file was edited on purpose and is used.
    const bothChanged: string[] = [];
    expect(parseFixtureRequest(record('also edited'), 'f.json', edited, bothChanged).body.toString()).toBe('edited');
    expect(bothChanged).toEqual(['f.json: the .body file does not match bodySha256; used the edited .body file.']);
  });
});
