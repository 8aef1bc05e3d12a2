import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { runCli } from '../support/run-cli';
import { removeTempDirs, sendAll, startCore, tempDir, variedRequest } from './export-support';

let core: HooktrayCore;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('destination-source');
  core = await startCore(dataDir);
  await sendAll(core.receiver.port, Array.from({ length: 4 }, (_, i) => variedRequest(i)));
  core.store.flush();
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

function exportTo(format: string, out: string, ...extra: string[]) {
  return runCli(['export', '--format', format, '--out', out, '--data-dir', dataDir, ...extra]);
}

describe('export to an existing file', () => {
  it.each(['ndjson', 'har'])('keeps a %s file without --force', async (format) => {
    const file = join(tempDir(`destination-${format}`), `x.${format}`);
    writeFileSync(file, 'precious\n');
    const run = await exportTo(format, file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });

  it.each(['ndjson', 'har'])('replaces a %s file with --force', async (format) => {
    const file = join(tempDir(`destination-force-${format}`), `x.${format}`);
    writeFileSync(file, 'precious\n');
    const run = await exportTo(format, file, '--force');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`as ${format} to ${file};`);
    expect(readFileSync(file, 'utf8')).not.toContain('precious');
  });

  it.each([
    ['ndjson', 'deliveries.ndjson'],
    ['har', 'deliveries.har'],
  ])('names the %s file written into a folder', async (format, name) => {
    const folder = tempDir(`destination-folder-${format}`);
    const first = await exportTo(format, folder);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`to ${join(folder, name)};`);

    writeFileSync(join(folder, name), 'precious\n');
    const second = await exportTo(format, folder);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(join(folder, name));
    expect(second.stderr).toContain('--force');
    expect(readFileSync(join(folder, name), 'utf8')).toBe('precious\n');
  });
});

describe('export to an existing folder', () => {
  it('keeps an earlier export without --force', async () => {
    const folder = join(tempDir('destination-fixtures'), 'fixtures');
    expect((await exportTo('fixture', folder)).code).toBe(0);
    const before = readdirSync(folder).sort();

    const run = await exportTo('fixture', folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(folder);
    expect(run.stderr).toContain('--force');
    expect(readdirSync(folder).sort()).toEqual(before);
  });

  it('replaces an earlier export with --force', async () => {
    const folder = join(tempDir('destination-fixtures-force'), 'fixtures');
    expect((await exportTo('fixture', folder)).code).toBe(0);
    writeFileSync(join(folder, 'index.json'), 'stale');

    const run = await exportTo('fixture', folder, '--force');
    expect(run.code, run.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as { count: number };
    expect(index.count).toBe(4);
  });

  it('writes beside unrelated files', async () => {
    const folder = join(tempDir('destination-readme'), 'fixtures');
    mkdirSync(folder);
    writeFileSync(join(folder, 'README.md'), 'notes\n');

    const run = await exportTo('fixture', folder);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toBe('notes\n');
    expect(readdirSync(folder)).toContain('index.json');
  });
});

describe('export below a file', () => {
  it.each([
    ['fixture', 'fixtures'],
    ['ndjson', 'x.ndjson'],
    ['har', join('deeper', 'x.har')],
  ])('names the file in the way of a %s export', async (format, below) => {
    const file = join(tempDir(`destination-below-${format}`), 'notes.txt');
    writeFileSync(file, 'precious\n');

    const run = await exportTo(format, join(file, below));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} is a file`);
    expect(run.stderr).toContain('choose another --out');
    expect(run.stderr).not.toContain('Error:');
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });
});

describe('export without a folder', () => {
  it('stops at the first file over maxFiles', async () => {
    // Four deliveries as cURL make a script each, and more files for binary bodies.
    const result = await core.exports.run({ format: 'curl', maxFiles: 3 });
    expect(result).toEqual({ ok: false, code: 'too-many-files', message: 'The export needs more than 3 files, too many to download one by one: choose a folder to export into.' });

    // NDJSON is one file, however many deliveries it holds.
    const allowed = await core.exports.run({ format: 'ndjson', maxFiles: 1 });
    expect(allowed.ok && allowed.files.map((file) => [file.name, file.data !== undefined])).toEqual([['deliveries.ndjson', true]]);
  });
});
