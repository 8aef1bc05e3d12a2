import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/listen-process';
import { removeStaleStaging, StagedFileSink, StagedFolderSink } from './staged-output';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Returns the pid of a process that has exited, so no process runs with it. */
function exitedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.pid).toBeGreaterThan(0);
  return child.pid;
}

/** Returns every name in `folder`, hidden ones included, with the content of each file. */
function contents(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder, { withFileTypes: true }).map((entry) => [entry.name, entry.isFile() ? readFileSync(join(folder, entry.name), 'utf8') : '(folder)']));
}

let dir: string;

beforeEach(() => {
  dir = tempDir('hooktray-staged-output-');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('StagedFolderSink', () => {
  it('stages inside an existing destination', async () => {
    const destination = join(dir, 'out');
    mkdirSync(destination);
    const sink = new StagedFolderSink(destination);
    await sink.write('index.json', Buffer.from('[]'));

    const hidden = readdirSync(destination);
    expect(hidden).toHaveLength(1);
    expect(hidden[0]).toMatch(new RegExp(`^\\.out\\.${process.pid}-[0-9a-f]{8}\\.partial$`));
    expect(readdirSync(dir)).toEqual(['out']);

    await sink.finish();
    expect(contents(destination)).toEqual({ 'index.json': '[]' });
  });

  it('stages a new destination beside it', async () => {
    const destination = join(dir, 'new');
    const sink = new StagedFolderSink(destination);
    await sink.write('a.json', Buffer.from('a'));
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\.new\.\d+-[0-9a-f]{8}\.partial$/)]);

    await sink.finish();
    expect(readdirSync(dir)).toEqual(['new']);
    expect(contents(destination)).toEqual({ 'a.json': 'a' });
  });

  it('keeps the destination when aborted before finish moves', async () => {
    const destination = join(dir, 'earlier');
    mkdirSync(destination);
    writeFileSync(join(destination, 'index.json'), 'earlier index');
    const abort = new AbortController();
    const sink = new StagedFolderSink(destination, abort.signal);
    await sink.write('index.json', Buffer.from('new index'));
    abort.abort();

    await expect(sink.finish()).rejects.toThrow();
    await sink.discard();
    expect(contents(destination)).toEqual({ 'index.json': 'earlier index' });
  });

  it('keeps a link that replaced the destination', async () => {
    const destination = join(dir, 'out');
    const sink = new StagedFolderSink(destination);
    await sink.write('index.json', Buffer.from('[]'));
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync('elsewhere', destination);

    await expect(sink.finish()).rejects.toThrow(`${destination} is a symbolic link, which an export neither follows nor replaces`);
    await sink.discard();
    expect(readlinkSync(destination)).toBe('elsewhere');
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
  });

  it('names the destination in a failed write', async () => {
    writeFileSync(join(dir, 'file'), '');
    const destination = join(dir, 'file', 'out');
    const sink = new StagedFolderSink(destination);

    const error = (await sink.write('a.json', Buffer.from('a')).then(
      () => null,
      (failure: unknown) => failure,
    )) as NodeJS.ErrnoException | null;
    expect(error?.code).toBe('ENOTDIR');
    expect(error?.path).toBe(destination);
  });
});

describe('StagedFileSink', () => {
  it('keeps the file when aborted before the rename', async () => {
    const destination = join(dir, 'deliveries.har');
    writeFileSync(destination, 'earlier har');
    const abort = new AbortController();
    const sink = new StagedFileSink(destination, abort.signal);
    await sink.write('deliveries.har', Buffer.from('new har'));
    abort.abort();

    await expect(sink.finish()).rejects.toThrow();
    await sink.discard();
    expect(contents(dir)).toEqual({ 'deliveries.har': 'earlier har' });
  });

  it.each([
    ['a named pipe', (path: string) => execFileSync('mkfifo', [path])],
    ['a symbolic link', (path: string) => symlinkSync('target.har', path)],
  ])('keeps %s that appeared at the destination', async (type, create) => {
    const destination = join(dir, 'deliveries.har');
    const sink = new StagedFileSink(destination);
    await sink.write('deliveries.har', Buffer.from('new har'));
    create(destination);

    await expect(sink.finish()).rejects.toThrow(`${destination} is ${type},`);
    await sink.discard();
    expect(readdirSync(dir)).toEqual(['deliveries.har']);
    expect(lstatSync(destination).isFile()).toBe(false);
  });

  it('reports the folder of its file', () => {
    expect(new StagedFileSink(join(dir, 'deliveries.har')).folder).toBe(dir);
  });
});

describe('removeStaleStaging', () => {
  it('removes only abandoned staging copies', () => {
    const destination = join(dir, 'out');
    mkdirSync(destination);
    const deadPid = exitedPid();
    const stale = [
      join(dir, `.out.${deadPid}-0123abcd.partial`),
      join(destination, `.out.${deadPid}-4567cdef.partial`),
      join(dir, `.out.${process.pid}-89abcdef.partial`),
      join(dir, '.out.0123abcd.partial'),
    ];
    const untouched = [
      join(dir, `.out.${process.pid}-fedcba98.partial`),
      join(dir, '.out.76543210.partial'),
      join(dir, `.out.${deadPid}-0123abcd.partial.txt`),
      join(dir, `.other.${deadPid}-0123abcd.partial`),
      join(dir, `.out.backup.${deadPid}-0123abcd.partial`),
      join(destination, 'index.json'),
    ];
    for (const path of [...stale, ...untouched]) mkdirSync(path);
    writeFileSync(join(stale[0] as string, 'a.json'), 'partial');
    const link = join(dir, `.out.${deadPid}-aaaabbbb.partial`);
    symlinkSync(join(dir, 'out'), link);
    // A live pid's copy and a copy without a pid count as abandoned after a day without changes.
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    utimesSync(stale[2] as string, twoDaysAgo, twoDaysAgo);
    utimesSync(stale[3] as string, twoDaysAgo, twoDaysAgo);

    const cleanup = removeStaleStaging(destination);

    expect(cleanup.removed.sort()).toEqual([...stale].sort());
    expect(cleanup.failed).toEqual([]);
    for (const path of stale) expect(existsSync(path), path).toBe(false);
    for (const path of [...untouched, link]) expect(existsSync(path), path).toBe(true);
  });

  it('removes a stale staging file of a HAR export', () => {
    const destination = join(dir, 'deliveries.har');
    const staging = join(dir, `.deliveries.har.${exitedPid()}-0123abcd.partial`);
    writeFileSync(staging, '{"log":');

    expect(removeStaleStaging(destination).removed).toEqual([staging]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ignores a missing destination folder', () => {
    expect(removeStaleStaging(join(dir, 'missing', 'out'))).toEqual({ removed: [], failed: [] });
  });
});
