import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';
import { INDEX_FILE } from '../../electron/core/fixtures';
import { LINKED_FIXTURE, removeTempDirs, sendRaw, startCore, tempDir, writeOutside } from './export-support';

afterAll(() => {
  removeTempDirs();
});

/** Writes the fixture into a new folder and returns the path of its .json file. */
function fixtureFolder(label: string): string {
  const folder = join(tempDir(label), 'fixtures');
  mkdirSync(folder);
  writeFileSync(join(folder, 'one.json'), LINKED_FIXTURE);
  return join(folder, 'one.json');
}

/** Arguments of each command that reads fixture files: the fixture alone or beside another. */
const commands: [string, (file: string, other: string) => string[]][] = [
  ['diff', (file, other) => ['diff', file, other]],
  ['verify', (file) => ['verify', file]],
];

describe.each(commands)('hooktray %s with fixture files', (command, argsFor) => {
  it.each([
    ['a link out of the folder', (body: string) => symlinkSync(writeOutside('made-up private file\n'), body), 'outside the folder'],
    ['a named pipe', (body: string) => execFileSync('mkfifo', [body]), 'not a regular file'],
  ])('rejects a .body file that is %s', async (_, createBody, problem) => {
    const file = fixtureFolder(`${command}-body`);
    const body = join(file, '..', 'one.body');
    createBody(body);
    const other = join(tempDir(`${command}-other`), 'other.txt');
    writeFileSync(other, 'another body\n');

    // Before the check, a named pipe blocked the process until a SIGKILL ended it.
    const run = await runCli([...argsFor(file, other), '--data-dir', join(tempDir(`${command}-store`), 'store')], {}, 'SIGKILL');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hooktray ${command}: ${body} is`);
    expect(run.stderr).toContain(problem);
    expect(run.stdout).not.toContain('made-up private file');
  });

  it('rejects a named pipe given as the fixture file', async () => {
    const pipe = join(tempDir(`${command}-pipe`), 'fixture.json');
    execFileSync('mkfifo', [pipe]);
    const other = join(tempDir(`${command}-pipe-other`), 'other.txt');
    writeFileSync(other, 'another body\n');

    const run = await runCli([...argsFor(pipe, other), '--data-dir', join(tempDir(`${command}-pipe-store`), 'store')], {}, 'SIGKILL');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${pipe} is a named pipe, not a regular file: give a delivery id`);
  });
});


describe('hooktray verify with exported fixtures', () => {
  // node:http passes these request targets through unchanged, so the receiver stores each one as the path.
  it.each([
    ['OPTIONS', '*'],
    ['POST', 'http://example.test/absolute-form'],
  ])('reads the fixture of %s %s', async (method, path) => {
    const dataDir = tempDir('verify-target-store');
    const core = await startCore(dataDir);
    try {
      expect(await sendRaw(core.receiver.port, { method, path, headers: [], body: Buffer.from('{}') })).toBe(200);
    } finally {
      await core.stop();
    }
    const out = join(tempDir('verify-target-export'), 'fixtures');
    const exported = await runCli(['export', '--data-dir', dataDir, '--out', out]);
    expect(exported.code).toBe(0);
    const fixture = readdirSync(out).find((name) => name.endsWith('.json') && name !== INDEX_FILE);

    const run = await runCli(['verify', join(out, fixture as string)]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`(${method} ${path})`);
    expect(run.stdout).toContain('Verdict    unverified');
  });
});
