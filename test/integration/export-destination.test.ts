import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { CLI } from '../support/listen-process';
import type { CliRun } from '../support/run-cli';
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

/**
 * Creates a character device with the numbers of /dev/null at `path`, inside a temporary folder,
 * or returns why it cannot: mknod needs the CAP_MKNOD capability, which containers often drop.
 */
function makeDevice(path: string): string | null {
  try {
    execFileSync('mknod', [path, 'c', '1', '3'], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot create a device with mknod here (${String(error).split('\n')[0]})`;
  }
}

/**
 * Special entries that an export must neither replace nor write through: a label, the type
 * that the message names, and a function that makes one at `path` in the temporary `folder`
 * and returns null, or returns why it cannot.
 */
type SpecialEntry = [label: string, type: string, make: (path: string, folder: string) => string | null];

const SPECIAL_ENTRIES: SpecialEntry[] = [
  ['a character device', 'a character device', (path) => makeDevice(path)],
  ['a named pipe', 'a named pipe', (path) => (execFileSync('mkfifo', [path]), null)],
  [
    'a link to a file',
    'a symbolic link',
    (path, folder) => {
      writeFileSync(join(folder, 'target.txt'), 'precious\n');
      symlinkSync('target.txt', path);
      return null;
    },
  ],
  [
    'a link to a folder',
    'a symbolic link',
    (path, folder) => {
      mkdirSync(join(folder, 'target'));
      symlinkSync('target', path);
      return null;
    },
  ],
  ['a dangling link', 'a symbolic link', (path) => (symlinkSync('missing.txt', path), null)],
];

/** Returns each special entry with each format, the format first. */
function withFormats<Format extends string>(formats: Format[]): [Format, ...SpecialEntry][] {
  return SPECIAL_ENTRIES.flatMap((entry) => formats.map((format): [Format, ...SpecialEntry] => [format, ...entry]));
}

/** Returns the type and content of every entry in `folder`, with each link's target, to show nothing changed. */
function snapshot(folder: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) entries[name] = `link to ${readlinkSync(path)}`;
    else if (stats.isFile()) entries[name] = `file ${readFileSync(path, 'utf8')}`;
    else if (stats.isDirectory()) entries[name] = `folder [${readdirSync(path).join(', ')}]`;
    else entries[name] = `special ${stats.mode.toString(8)} ${stats.rdev}`;
  }
  return entries;
}

describe('export to a special file', () => {
  it.for(withFormats(['ndjson', 'har']))(
    'rejects a %s export onto %s',
    async ([format, , type, make], context) => {
      const folder = tempDir(`destination-special-${format}`);
      const out = join(folder, 'out');
      const problem = make(out, folder);
      if (problem !== null) context.skip(problem);
      const before = snapshot(folder);

      const run = await exportTo(format, out, '--force');
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${out} is ${type},`);
      expect(run.stderr).toContain('choose the path of a regular file');
      expect(run.stderr).not.toContain('Error:');
      expect(snapshot(folder)).toEqual(before);
    },
  );

  it.for(withFormats(['fixture', 'curl']))(
    'rejects a %s export into %s',
    async ([format, , type, make], context) => {
      const folder = tempDir(`destination-special-folder-${format}`);
      const out = join(folder, 'out');
      const problem = make(out, folder);
      if (problem !== null) context.skip(problem);
      const before = snapshot(folder);

      const run = await exportTo(format, out, '--force');
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${out} is ${type},`);
      expect(run.stderr).toContain('choose a folder or a new folder for --out');
      expect(snapshot(folder)).toEqual(before);
    },
  );

  it('rejects a named pipe with the file name inside a folder', async () => {
    const folder = tempDir('destination-special-inside');
    execFileSync('mkfifo', [join(folder, 'deliveries.ndjson')]);

    const run = await exportTo('ndjson', folder, '--force');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${join(folder, 'deliveries.ndjson')} is a named pipe, not a regular file`);
    expect(lstatSync(join(folder, 'deliveries.ndjson')).isFIFO()).toBe(true);
  });
});

describe('export from the app to a special file', () => {
  it.for(withFormats(['ndjson', 'har']))(
    'rejects a %s file that is %s',
    async ([format, , type, make], context) => {
      const folder = tempDir(`destination-app-${format}`);
      const file = join(folder, `deliveries.${format}`);
      const problem = make(file, folder);
      if (problem !== null) context.skip(problem);
      const before = snapshot(folder);

      const result = await core.exports.run({ format, folder, force: true });
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.message).toContain(`${file} is ${type},`);
      expect(result.ok ? '' : result.message).toContain('choose another folder');
      expect(snapshot(folder)).toEqual(before);
    },
  );

  it.each(['fixture', 'ndjson'] as const)('rejects a %s export into a linked folder', async (format) => {
    const parent = tempDir(`destination-app-link-${format}`);
    mkdirSync(join(parent, 'target'));
    const folder = join(parent, 'out');
    symlinkSync('target', folder);

    const result = await core.exports.run({ format, folder, force: true });
    expect(result).toEqual({
      ok: false,
      code: 'destination-exists',
      message: `${folder} is a symbolic link, which an export neither follows nor replaces: choose another folder, such as the folder that the link points to.`,
    });
    expect(readdirSync(join(parent, 'target'))).toEqual([]);
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

describe('export after a killed export', () => {
  it.each([
    ['fixture', 'fixtures'],
    ['har', 'capture.har'],
  ])('removes the stale %s staging copy', async (format, name) => {
    const parent = tempDir(`destination-stale-${format}`);
    const out = join(parent, name);
    // The pid of a process that has exited stands for an export killed with SIGKILL.
    const exitedPid = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = join(parent, `.${name}.${exitedPid}-0123abcd.partial`);
    const live = join(parent, `.${name}.${process.pid}-89abcdef.partial`);
    writeFileSync(stale, 'partial');
    writeFileSync(live, 'partial');

    const run = await exportTo(format, out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`removed ${stale}, the partial output of an earlier export that did not finish.`);
    expect(existsSync(stale)).toBe(false);
    expect(run.stderr).not.toContain(live);
    expect(existsSync(live)).toBe(true);
  });

  it('removes an old staging copy inside the folder', async () => {
    const out = join(tempDir('destination-stale-inside'), 'fixtures');
    mkdirSync(out);
    // A name without a pid, as earlier versions wrote it, counts as stale after a day.
    const old = join(out, '.fixtures.0123abcd.partial');
    mkdirSync(old);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);

    const run = await exportTo('fixture', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`removed ${old}`);
    expect(readdirSync(out).filter((entry) => entry.startsWith('.'))).toEqual([]);
  });
});

/** Returns the uid and gid of the user `nobody`, or why tests cannot run commands as that user. */
function nobodyAccount(): { uid: number; gid: number } | string {
  if (process.getuid?.() !== 0) return 'running as another user needs root';
  try {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
    execFileSync('runuser', ['-u', 'nobody', '--', 'true']);
    return { uid, gid };
  } catch (error) {
    return `user nobody or runuser is unavailable (${String(error)})`;
  }
}

/** Runs the built CLI as the user `nobody` in `cwd`. */
function runCliAsNobody(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('runuser', ['-u', 'nobody', '--', process.execPath, CLI, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      let code = 0;
      // A process killed by the timeout has no numeric exit code: report -1.
      if (error !== null) code = typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('export into a folder whose parent is not writable', () => {
  const account = nobodyAccount();
  let parent: string;
  let nobodyData: string;

  beforeAll(async () => {
    if (typeof account === 'string') return;
    // A root-owned parent that the user `nobody` may enter but not write, as a home folder's parent is.
    parent = tempDir('destination-parent');
    chmodSync(parent, 0o755);
    const seed = join(parent, 'seed.ndjson');
    expect((await exportTo('ndjson', seed)).code).toBe(0);
    chmodSync(seed, 0o644);
    // The CLI opens its store for writing, so the user `nobody` gets a store of its own.
    const home = join(parent, 'home');
    mkdirSync(home);
    chownSync(home, account.uid, account.gid);
    nobodyData = join(home, 'data');
    const imported = await runCliAsNobody(['import', seed, '--data-dir', nobodyData], home);
    expect(imported.code, imported.stderr).toBe(0);
  });

  it.each([
    ['fixture', 'index.json'],
    ['curl', '.sh'],
    ['snippet', '.js'],
  ])('writes %s into the folder', async (format, expected) => {
    if (typeof account === 'string') {
      console.warn(`skipped: ${account}`);
      return;
    }
    const mine = join(parent, `mine-${format}`);
    mkdirSync(mine);
    chownSync(mine, account.uid, account.gid);

    const run = await runCliAsNobody(['export', '--format', format, '--out', '.', '--data-dir', nobodyData], mine);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`as ${format} to ${mine};`);
    const names = readdirSync(mine);
    expect(names.some((entry) => entry.endsWith(expected))).toBe(true);
    expect(names.filter((entry) => entry.startsWith('.'))).toEqual([]);
  });

  it('names the chosen folder when it is not writable', async () => {
    if (typeof account === 'string') {
      console.warn(`skipped: ${account}`);
      return;
    }
    const theirs = join(parent, 'theirs');
    mkdirSync(theirs);
    chmodSync(theirs, 0o755);

    const run = await runCliAsNobody(['export', '--out', theirs, '--data-dir', nobodyData], parent);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Writing the export failed: EACCES on ${theirs}.`);
    expect(run.stderr).not.toContain('.partial');
    expect(readdirSync(theirs)).toEqual([]);
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
