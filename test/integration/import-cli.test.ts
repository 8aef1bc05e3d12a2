import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_PART_NOT_SHOWN } from '../../electron/core/export/import-parse';
import { containsKeyPart } from '../../electron/core/signatures/key-spellings';
import { DeliveryStore } from '../../electron/core/store';
import { CLI } from '../support/listen-process';
import { runCli } from '../support/run-cli';
import { LINKED_FIXTURE, removeTempDirs, tempDir, writeOutside } from './export-support';

afterAll(() => {
  removeTempDirs();
});

describe('hooktray import messages', () => {
  it.each([
    ['a settings file', 'cfg.json', '{"theme":"dark"}'],
    ['a broken HAR file', 'capture.har', '{"log":'],
    ['a broken NDJSON line', 'deliveries.ndjson', 'plain text\n'],
  ])('name the full path of %s', async (_, name, text) => {
    const folder = tempDir('import-path');
    const file = join(folder, name);
    writeFileSync(file, text);
    const run = await runCli(['import', file, '--data-dir', join(tempDir('import-path-store'), 'store')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${file}`);
  });

  it('names the full path of a fixture in a folder', async () => {
    const folder = join(tempDir('import-folder'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), JSON.stringify({ fixtures: [{ file: 'one.json' }] }));
    writeFileSync(join(folder, 'one.json'), '{"format":"hooktray-fixture"}');
    const run = await runCli(['import', folder, '--data-dir', join(tempDir('import-folder-store'), 'store')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'one.json')} is not a Hooktray fixture`);
  });
});

describe('hooktray import of a fixture folder', () => {
  const fixture = LINKED_FIXTURE;

  it.each([
    ['a link out of the folder', (body: string) => symlinkSync(writeOutside('made-up private file\n'), body), 'outside the folder'],
    ['a named pipe', (body: string) => execFileSync('mkfifo', [body]), 'not a regular file'],
  ])('rejects a .body file that is %s', async (_, createBody, problem) => {
    const folder = join(tempDir('import-special'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'one.json'), fixture);
    createBody(join(folder, 'one.body'));
    const dataDir = join(tempDir('import-special-store'), 'store');

    // Before the check, reading a named pipe blocked the process, which a SIGKILL then ended.
    const run = await runCli(['import', folder, '--data-dir', dataDir], {}, 'SIGKILL');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'one.body')} is`);
    expect(run.stderr).toContain(problem);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects an index entry outside the folder', async () => {
    const folder = join(tempDir('import-index-outside'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), JSON.stringify({ fixtures: [{ file: '../one.json' }] }));
    writeFileSync(join(folder, '..', 'one.json'), fixture);
    const dataDir = join(tempDir('import-index-outside-store'), 'store');

    const run = await runCli(['import', folder, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${folder} lists "../one.json", which is not a file name inside that folder`);
    expect(run.stderr).not.toContain('    at ');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects a single fixture whose .body links out of its folder', async () => {
    const folder = tempDir('import-single-link');
    writeFileSync(join(folder, 'one.json'), fixture);
    symlinkSync(writeOutside('made-up private file\n'), join(folder, 'one.body'));
    const dataDir = join(tempDir('import-single-link-store'), 'store');

    const run = await runCli(['import', join(folder, 'one.json'), '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'one.body')} is a link to`);
    expect(run.stderr).toContain(`outside the folder ${folder}; copy that file into the folder to use it.`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reads a single fixture whose .body links inside its folder', async () => {
    const folder = tempDir('import-single-inner-link');
    mkdirSync(join(folder, 'bodies'));
    writeFileSync(join(folder, 'one.json'), fixture);
    writeFileSync(join(folder, 'bodies', 'one.body'), 'linked body');
    symlinkSync(join('bodies', 'one.body'), join(folder, 'one.body'));
    const dataDir = join(tempDir('import-single-inner-link-store'), 'store');

    const run = await runCli(['import', join(folder, 'one.json'), '--data-dir', dataDir]);

    expect(run.code, run.stderr).toBe(0);
    expect(storedBodies(dataDir)).toEqual(['linked body']);
  });

  it('names an index entry without a file', async () => {
    const folder = join(tempDir('import-index-no-file'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), JSON.stringify({ fixtures: [{ id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0' }] }));
    const dataDir = join(tempDir('import-index-no-file-store'), 'store');

    const run = await runCli(['import', folder, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'index.json')}: fixture entry 1 (id "01JRQ8Z6X3K2M4N5P6Q7R8S9T0") has no "file" field`);
    expect(run.stderr).not.toContain('undefined');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says an empty index lists no fixtures', async () => {
    const folder = join(tempDir('import-index-empty'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), JSON.stringify({ fixtures: [] }));
    const dataDir = join(tempDir('import-index-empty-store'), 'store');

    const run = await runCli(['import', folder, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'index.json')} lists no fixtures, so there is nothing to import`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reads a link to a file inside the folder', async () => {
    const folder = join(tempDir('import-inner-link'), 'fixtures');
    mkdirSync(join(folder, 'bodies'), { recursive: true });
    writeFileSync(join(folder, 'one.json'), fixture);
    writeFileSync(join(folder, 'bodies', 'one.body'), 'linked body');
    symlinkSync(join('bodies', 'one.body'), join(folder, 'one.body'));
    const dataDir = join(tempDir('import-inner-link-store'), 'store');

    const run = await runCli(['import', folder, '--data-dir', dataDir]);

    expect(run.code, run.stderr).toBe(0);
    expect(storedBodies(dataDir)).toEqual(['linked body']);
  });
});

/** Returns the bodies stored in the store at `dataDir` as UTF-8 text, oldest first. */
function storedBodies(dataDir: string): string[] {
  const store = new DeliveryStore({ dataDir });
  try {
    return store
      .list({})
      .items.reverse()
      .map((summary) => Buffer.from(store.get(summary.id)?.body ?? []).toString());
  } finally {
    store.close();
  }
}

/** Writes `text` to a file in a folder of its own, outside any folder a test imports. */
describe('hooktray import of edited files', () => {
  const record = (changes: Record<string, unknown>): string =>
    JSON.stringify({
      format: 'hooktray-fixture',
      version: 1,
      id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0',
      receivedAt: '2025-04-15T13:33:55.271Z',
      method: 'POST',
      path: '/webhooks/edited',
      headers: [['Content-Type', 'application/json']],
      body: { encoding: 'utf8', data: '{"a":1}' },
      ...changes,
    });
  const har = (headers: { name: string; value: string }[], method = 'POST'): string =>
    JSON.stringify({ log: { entries: [{ startedDateTime: '2025-04-15T13:33:55.271Z', request: { method, url: 'http://127.0.0.1/webhooks/edited', httpVersion: 'HTTP/1.1', headers } }] } });

  it.each([
    ['a header name with a space', 'edited.ndjson', record({ headers: [['Bad Header', 'x']] }), 'field "headers.0.0"'],
    ['a header value with a line break', 'edited.ndjson', record({ headers: [['X-Note', 'a\r\nInjected: yes']] }), 'field "headers.0.1"'],
    ['a header value beyond Latin-1', 'edited.ndjson', record({ headers: [['X-Price', '5 €']] }), 'field "headers.0.1"'],
    ['a method that is not a token', 'edited.ndjson', record({ method: 'POST /x HTTP/1.1' }), 'field "method"'],
    ['a HAR header name with a colon', 'edited.har', har([{ name: 'X:Y', value: 'z' }]), 'field "log.entries.0.request.headers.0.name"'],
    ['a HAR method that is not a token', 'edited.har', har([], 'GE T'), 'field "log.entries.0.request.method"'],
  ])('rejects %s', async (_, name, text, field) => {
    const file = join(tempDir('import-edited'), name);
    writeFileSync(file, `${text}\n`);
    const dataDir = join(tempDir('import-edited-store'), 'store');

    const run = await runCli(['import', file, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain(field);
    expect(run.stderr).not.toContain('    at ');
    expect(existsSync(dataDir)).toBe(false);
  });

  /** Returns a HAR file with one entry: a POST of `text` with `changes` applied to the entry. */
  const harEntry = (changes: Record<string, unknown>, postData: Record<string, unknown> = { mimeType: 'text/plain', text: 'abc' }): string =>
    JSON.stringify({
      log: {
        entries: [{ startedDateTime: '2025-04-15T13:33:55.271Z', request: { method: 'POST', url: 'http://127.0.0.1/webhooks/edited', httpVersion: 'HTTP/1.1', headers: [], postData }, ...changes }],
      },
    });
  const hooktrayFields = (changes: Record<string, unknown>): Record<string, unknown> => ({ _hooktray: { id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0', path: '/webhooks/edited', ...changes } });
  const notBase64 = { encoding: 'base64', data: '!!!not base64***' };

  it.each([
    ['an NDJSON body that is not base64', 'edited.ndjson', record({ body: notBase64 }), ['line 1 is not a Hooktray fixture: field "body.data"', 'character 1, "!", is not one of']],
    ['a HAR body that is not base64', 'edited.har', harEntry({}, { mimeType: 'text/plain', text: 'QUJD!', encoding: 'base64' }), ['field "log.entries.0.request.postData.text"', 'character 5, "!"']],
    ['base64 with a cut padding', 'edited.ndjson', record({ body: { encoding: 'base64', data: 'QUJDR=' } }), ['field "body.data"', 'its length of 6 characters or its "=" padding is invalid']],
    ['a relative path', 'edited.ndjson', record({ path: 'relative/x' }), ['field "path"', 'starts with "/"', 'got "relative/x"']],
    ['a path with a NUL character', 'edited.ndjson', record({ path: '/a\u0000b' }), ['field "path"', 'control characters', 'got "/a\\u0000b"']],
    ['a path with a space', 'edited.ndjson', record({ path: '/a b' }), ['field "path"', 'got "/a b"']],
    ['a relative HAR path', 'edited.har', harEntry(hooktrayFields({ path: 'relative/x' })), ['field "log.entries.0._hooktray.path"', 'got "relative/x"']],
    ['a HAR URL with a space', 'edited.har', harEntry({ request: { method: 'POST', url: '/a b', httpVersion: 'HTTP/1.1', headers: [] } }), ['field "log.entries.0.request.url"', 'got "/a b"']],
    ['a HAR date that is not a date', 'edited.har', harEntry({ startedDateTime: 'x' }), ['field "log.entries.0.startedDateTime"', 'got "x"']],
    ['a truncated NDJSON body', 'edited.ndjson', record({ truncated: true }), ['line 1 is not a valid Hooktray fixture: field "truncated" is true', 'the body has 7 bytes']],
    ['a truncated HAR body', 'edited.har', harEntry(hooktrayFields({ truncated: true })), ['field "log.entries.0._hooktray.truncated" is true', 'the body has 3 bytes']],
  ])('rejects %s and names the value', async (_, name, text, expected) => {
    const file = join(tempDir('import-edited'), name);
    writeFileSync(file, `${text}\n`);
    const dataDir = join(tempDir('import-edited-store'), 'store');

    const run = await runCli(['import', file, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${file}`);
    for (const part of expected) expect(run.stderr).toContain(part);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    ['NDJSON', 'edited.ndjson', record({ bodySha256: '0'.repeat(64) }), 'line 1', '{"a":1}'],
    ['HAR', 'edited.har', harEntry(hooktrayFields({ bodySha256: '0'.repeat(64) })), 'entry 1', 'abc'],
  ])('warns about an edited %s body', async (_, name, text, position, body) => {
    const file = join(tempDir('import-edited-hash'), name);
    writeFileSync(file, `${text}\n`);
    const dataDir = join(tempDir('import-edited-hash-store'), 'store');

    const run = await runCli(['import', file, '--data-dir', dataDir]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`hooktray import: ${file} ${position}: the body does not match bodySha256; used the edited body.`);
    expect(storedBodies(dataDir)).toEqual([body]);
  });

  it.each([
    ['NDJSON', 'bom.ndjson', `${record({})}\n`],
    ['NDJSON without an extension', 'bom-export', `${record({})}\n`],
    ['HAR', 'bom.har', har([])],
    ['fixture', 'bom.json', record({})],
  ])('reads %s after a byte order mark', async (_, name, text) => {
    const file = join(tempDir('import-bom'), name);
    writeFileSync(file, `\ufeff${text}`);
    const dataDir = join(tempDir('import-bom-store'), 'store');

    const run = await runCli(['import', file, '--data-dir', dataDir]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Imported 1 delivery from ${file}.`);
  });

  it('counts each reason for a new id', async () => {
    const file = join(tempDir('import-new-ids'), 'ids.ndjson');
    const lines = [record({ id: 'x1' }), record({ id: 'x2' }), record({}), record({})];
    writeFileSync(file, `${lines.join('\n')}\n`);

    const run = await runCli(['import', file, '--data-dir', join(tempDir('import-new-ids-store'), 'store')]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Imported 4 deliveries from ${file}; 1 got a new id because its id was already stored, and 2 got a new id because their exported ids are not a valid ULID.`);
  });
});

describe('hooktray import with configured keys', () => {
  const key = 'zq7v-madeup-xk3w-9p2r';
  const fixture = (changes: Record<string, unknown>): Record<string, unknown> => ({
    format: 'hooktray-fixture',
    version: 1,
    id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0',
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/webhooks/edited',
    headers: [],
    body: { encoding: 'utf8', data: '{}' },
    ...changes,
  });
  const harFile = (entry: Record<string, unknown>): string =>
    JSON.stringify({
      log: { entries: [{ startedDateTime: '2025-04-15T13:33:55.271Z', request: { method: 'POST', url: 'http://127.0.0.1/webhooks/edited', httpVersion: 'HTTP/1.1', headers: [] }, ...entry }] },
    });

  /** Writes a configuration whose key is read from a key file, so it is never on a command line. */
  function writeKeyConfig(): string {
    const folder = tempDir('import-keys-config');
    writeFileSync(join(folder, 'spike.key'), key);
    const config = join(folder, 'hooktray.json');
    writeFileSync(config, JSON.stringify({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', keys: [{ file: 'spike.key' }] }] }));
    return config;
  }

  it.each([
    ['a path', 'edited.ndjson', `${JSON.stringify(fixture({ path: `/hook?token=${key} x` }))}\n`, 'field "path": expected a path'],
    ['a HAR date', 'edited.har', harFile({ startedDateTime: key }), 'field "log.entries.0.startedDateTime": expected a date and time'],
    ['a HAR URL', 'edited.har', harFile({ request: { method: 'POST', url: `/a ${key}`, httpVersion: 'HTTP/1.1', headers: [] } }), 'field "log.entries.0.request.url": expected a path'],
    ['text that is not JSON', 'edited.ndjson', `{"path": o${key}}\n`, 'line 1 is not valid JSON: unexpected character "o" in the text'],
  ])('leaves the key out of %s', async (_, name, text, expected) => {
    const file = join(tempDir('import-keys'), name);
    writeFileSync(file, text);
    const dataDir = join(tempDir('import-keys-store'), 'store');

    const run = await runCli(['import', file, '--config', writeKeyConfig(), '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${file}`);
    expect(run.stderr).toContain(expected);
    expect(run.stderr).toContain(KEY_PART_NOT_SHOWN);
    expect(containsKeyPart(run.stderr, [key])).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('quotes a value without a key part', async () => {
    const file = join(tempDir('import-keys-other'), 'edited.ndjson');
    writeFileSync(file, `${JSON.stringify(fixture({ path: '/a b' }))}\n`);

    const run = await runCli(['import', file, '--config', writeKeyConfig(), '--data-dir', join(tempDir('import-keys-other-store'), 'store')]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('got "/a b".');
    expect(run.stderr).not.toContain(KEY_PART_NOT_SHOWN);
  });

  it.each([
    ['an entry id', { fixtures: [{ id: key }] }, `fixture entry 1 (id ${KEY_PART_NOT_SHOWN}) has no "file" field`],
    ['a file name', { fixtures: [{ file: `${key}.json` }] }, `fixture entry 1 names a file ${KEY_PART_NOT_SHOWN}, so it is not read.`],
  ])('leaves the key out of %s in index.json', async (_, index, expected) => {
    const folder = join(tempDir('import-keys-index'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.json'), JSON.stringify(index));
    const dataDir = join(tempDir('import-keys-index-store'), 'store');

    const run = await runCli(['import', folder, '--config', writeKeyConfig(), '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${join(folder, 'index.json')}: ${expected}`);
    expect(containsKeyPart(run.stderr, [key])).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('hooktray import of text that is not UTF-8', () => {
  const record = JSON.stringify({
    format: 'hooktray-fixture',
    version: 1,
    id: '01JRQ8Z6X3K2M4N5P6Q7R8S9T0',
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/webhooks/utf16',
    headers: [],
    body: { encoding: 'utf8', data: '{}' },
  });
  const littleEndian = (text: string): Buffer => Buffer.from(text, 'utf16le');
  const bigEndian = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
  const littleEndianMark = Buffer.from([0xff, 0xfe]);
  const bigEndianMark = Buffer.from([0xfe, 0xff]);

  it.each([
    ['a fixture with FF FE', 'one.json', Buffer.concat([littleEndianMark, littleEndian(record)]), '', 'little-endian, byte order mark FF FE'],
    ['NDJSON with FE FF', 'deliveries.ndjson', Buffer.concat([bigEndianMark, bigEndian(`${record}\n${record}\n`)]), ' line 1', 'big-endian, byte order mark FE FF'],
    ['NDJSON without a mark', 'deliveries.ndjson', littleEndian(`${record}\n`), ' line 1', 'little-endian, without a byte order mark'],
    ['HAR with FF FE', 'capture.har', Buffer.concat([littleEndianMark, littleEndian('{"log": {"entries": []}}\n')]), '', 'little-endian, byte order mark FF FE'],
    ['a file without an extension', 'export', Buffer.concat([bigEndianMark, bigEndian(`${record}\n`)]), '', 'big-endian, byte order mark FE FF'],
  ])('names UTF-16 in %s', async (_, name, bytes, position, order) => {
    const file = join(tempDir('import-utf16'), name);
    writeFileSync(file, bytes);
    const dataDir = join(tempDir('import-utf16-store'), 'store');

    const run = await runCli(['import', file, '--data-dir', dataDir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray import: ${file}${position} is UTF-16 text (${order})`);
    expect(run.stderr).toContain('save the file as UTF-8');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect([...run.stderr].filter((char) => (char < ' ' && char !== '\n') || char === '\ufffd')).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    ['a line break', '{"path":\n oops}', 'unexpected character "o" in the text "{\\"path\\":\\n oops}".'],
    ['a control character', '{"path": \u0007}', 'unexpected character "\\u0007" in the text "{\\"path\\": \\u0007}".'],
  ])('escapes %s in a JSON error', async (_, text, expected) => {
    const file = join(tempDir('import-escaped'), 'one.json');
    writeFileSync(file, text);

    const run = await runCli(['import', file, '--data-dir', join(tempDir('import-escaped-store'), 'store')]);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`hooktray import: ${file} is not valid JSON: ${expected}\n`);
  });
});

/** Writes an NDJSON export of `count` deliveries with bodies of `bodyBytes` each. */
function writeNdjson(count: number, bodyBytes: number): string {
  const file = join(tempDir('import-ndjson'), 'deliveries.ndjson');
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      format: 'hooktray-fixture',
      version: 1,
      id: `delivery-${i}`,
      receivedAt: '2025-04-15T13:33:55.271Z',
      method: 'POST',
      path: `/webhooks/${i}`,
      headers: [['Content-Type', 'text/plain']],
      body: { encoding: 'utf8', data: 'x'.repeat(bodyBytes) },
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('hooktray import progress', () => {
  it('reports stored deliveries', async () => {
    const file = writeNdjson(1200, 10);
    const run = await runCli(['import', file, '--data-dir', join(tempDir('import-progress'), 'store')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Imported 500 of 1200 deliveries…');
    expect(run.stderr).toContain(`Imported 1200 deliveries from ${file}`);
  });

  it('says what an interrupt kept', async () => {
    const count = 4000;
    const file = writeNdjson(count, 16 * 1024);
    const dataDir = join(tempDir('import-interrupt'), 'store');
    const child = spawn(process.execPath, [CLI, 'import', file, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The first committed batch always prints a progress line: interrupt the import then.
      if (!interrupted && stderr.includes(`of ${count} deliveries…`)) interrupted = child.kill('SIGINT');
    });

    expect(await exited, stderr).toBe(130);
    const stored = /interrupted by SIGINT; stored (\d+) of 4000 deliveries from (.*?), and the other (\d+) were not imported/.exec(stderr);
    expect(stored, stderr).not.toBeNull();
    expect(stored?.[2]).toBe(file);
    const store = new DeliveryStore({ dataDir });
    expect(store.count()).toBe(Number(stored?.[1]));
    expect(store.count()).toBeLessThan(count);
    store.close();
  });
});
