import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PART_NOT_SHOWN } from '../../electron/core/export/import-parse';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { containsKeyPart } from '../../electron/core/signatures/key-spellings';
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
  const spikeJson = (user: string) => `[{"event_type":"record_change","application_user_id":"${user}"}]`;
  const json: [string, string][] = [['Content-Type', 'application/json']];
  await sendAll(core.receiver.port, [
    { method: 'POST', path: '/webhooks/spike', headers: [...json, ['Proxy-Authorization', PROXY_CREDENTIALS]], body: Buffer.from(spikeJson('u1')) },
    { method: 'POST', path: '/webhooks/spike', headers: [...json, ['X-Debug', 'k=madeup%2Dkey%2Dzero']], body: Buffer.from(spikeJson('u2')) },
    { method: 'POST', path: '/webhooks/spike?k=madeup%2Dkey%2Dzero', headers: [], body: Buffer.from('q') },
    { method: 'POST', path: '/webhooks/spike?k=madeup%252Dkey-zero', headers: [], body: Buffer.from('q') },
    { method: 'POST', path: '/webhooks/spike', headers: json, body: Buffer.from(spikeJson('madeup\\u002dkey-zero')) },
    { method: 'POST', path: '/webhooks/spike', headers: [...json, ['Content-Encoding', 'gzip']], body: gzipSync(spikeJson(KEY)) },
    { method: 'POST', path: '/webhooks/spike', headers: [...json, ['Content-Encoding', 'br']], body: brotliCompressSync(spikeJson(KEY)) },
    { method: 'POST', path: '/webhooks/spike', headers: json, body: gzipSync(spikeJson(KEY)) },
    { method: 'POST', path: '/webhooks/spike', headers: [...json, [`X-${KEY}`, '1']], body: Buffer.from(spikeJson('u3')) },
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
async function exportFiles(format: string, source = { dataDir, configFile }): Promise<{ files: { path: string; bytes: Buffer }[]; stderr: string }> {
  const out = join(tempDir(`keys-${format}`), 'out');
  const run = await runCli(['export', '--format', format, '--out', out, '--data-dir', source.dataDir, '--config', source.configFile]);
  expect(run.code, run.stderr).toBe(0);
  const files = statSync(out).isDirectory() ? readTree(out) : [{ path: out, bytes: readFileSync(out) }];
  return { files, stderr: run.stderr };
}

function percentDecode(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Collects every string in a JSON value: keys and values. */
function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([name, item]) => [name, ...jsonStrings(item)]);
  return [];
}

function parsedStrings(text: string): string[] {
  try {
    return jsonStrings(JSON.parse(text));
  } catch {
    return [];
  }
}

/**
 * Returns the texts a reader of an exported file can get: the file, percent-decoded, every
 * JSON string in it (whole file, each line, each double-quoted literal), and gunzipped.
 */
function readableTexts(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  const texts = [text, bytes.toString('utf8')];
  texts.push(...parsedStrings(bytes.toString('utf8')));
  for (const line of bytes.toString('utf8').split('\n')) texts.push(...parsedStrings(line));
  for (const literal of bytes.toString('utf8').match(/"(?:[^"\\\n]|\\.)*"/g) ?? []) texts.push(...parsedStrings(literal));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) texts.push(...readableTexts(gunzipSync(bytes)));
  return [...texts, ...texts.map(percentDecode), ...texts.map((item) => percentDecode(percentDecode(item)))];
}

const FORMATS = ['fixture', 'har', 'curl', 'ndjson', 'snippet'];

describe('export redaction', () => {
  it.each(FORMATS)('redacts Proxy-Authorization in %s', async (format) => {
    const { files } = await exportFiles(format);
    const text = files.map((file) => file.bytes.toString('latin1')).join('\n');
    expect(text).not.toContain(PROXY_CREDENTIALS);
    expect(text).toContain('[redacted]');
  });
});

describe('export key check', () => {
  it.each(FORMATS)('keeps decoded keys out of %s', async (format) => {
    const { files, stderr } = await exportFiles(format);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const leaked = readableTexts(file.bytes).some((text) => text.includes(KEY));
      expect(leaked, `key in ${file.path}`).toBe(false);
    }
    expect(stderr).not.toContain(KEY);
    expect(stderr).toContain('Exported 2 deliveries');
    expect(stderr).toContain('skipped 7');
  });

  it('redacts a header with an escaped key', async () => {
    const { files } = await exportFiles('ndjson');
    const records = files[0]?.bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { headers: [string, string][] }) ?? [];
    const debug = records.flatMap((record) => record.headers).filter(([name]) => name === 'X-Debug');
    expect(debug).toEqual([['X-Debug', '[redacted]']]);
  });
});


describe('export check of a hex key', () => {
  const HEX_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const keyBytes = Buffer.from(HEX_KEY, 'hex');
  const forms = [HEX_KEY.toUpperCase(), keyBytes.toString('base64'), keyBytes.toString('base64url')];
  const source = { dataDir: '', configFile: '' };

  beforeAll(async () => {
    source.dataDir = tempDir('hex-keys-source');
    const profile: Profile = { name: 'custom', scheme: 'hmac', pathPrefix: '/custom', options: { header: 'X-Signature', keyEncoding: 'hex' } };
    const hexCore = await startCore(source.dataDir, [profile], { custom: [HEX_KEY] });
    const json: [string, string][] = [['Content-Type', 'application/json']];
    await sendAll(hexCore.receiver.port, [
      ...forms.map((form) => ({ method: 'POST', path: '/custom', headers: json, body: Buffer.from(`{"k":"${form}"}`) })),
      { method: 'POST', path: '/custom', headers: [...json, ['X-Note', HEX_KEY.toUpperCase()]], body: Buffer.from('{"k":"none"}') },
    ]);
    hexCore.store.flush();
    await hexCore.stop();

    const folder = tempDir('hex-keys-config');
    writeFileSync(join(folder, 'custom.key'), HEX_KEY);
    source.configFile = join(folder, 'hooktray.json');
    const options = { header: 'X-Signature', keyEncoding: 'hex' };
    writeFileSync(source.configFile, JSON.stringify({ profiles: [{ name: 'custom', scheme: 'hmac', pathPrefix: '/custom', keys: [{ file: 'custom.key' }], options }] }));
  });

  it.each(FORMATS)('keeps every form of the key out of %s', async (format) => {
    const { files, stderr } = await exportFiles(format, source);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const texts = readableTexts(file.bytes);
      expect(texts.some((text) => text.toLowerCase().includes(HEX_KEY)), `hex key in ${file.path}`).toBe(false);
      for (const form of forms.slice(1)) expect(texts.some((text) => text.includes(form)), `${form} in ${file.path}`).toBe(false);
    }
    expect(stderr).toContain('Exported 1 delivery');
    expect(stderr).toContain('skipped 3');
  });

  it('redacts a header with the key in capitals', async () => {
    const { files } = await exportFiles('ndjson', source);
    const records = files[0]?.bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { headers: [string, string][] }) ?? [];
    const notes = records.flatMap((record) => record.headers).filter(([name]) => name === 'X-Note');
    expect(notes).toEqual([['X-Note', '[redacted]']]);
  });
});

describe('app import with a configured key', () => {
  it('leaves the key out of a message', async () => {
    const file = join(tempDir('keys-import'), 'edited.ndjson');
    const record = { format: 'hooktray-fixture', version: 1, id: 'x', receivedAt: '2025-04-15T13:33:55.271Z', method: 'POST', path: `/webhooks/spike?k=${KEY} x`, headers: [], body: { encoding: 'utf8', data: '' } };
    writeFileSync(file, `${JSON.stringify(record)}\n`);

    const result = await core.exports.import({ path: file });

    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toContain(`${file} line 1 is not a Hooktray fixture: field "path"`);
    expect(message).toContain(`got ${KEY_PART_NOT_SHOWN}.`);
    expect(containsKeyPart(message, [KEY])).toBe(false);
  });
});
