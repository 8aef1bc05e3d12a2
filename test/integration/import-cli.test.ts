import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';
import { removeTempDirs, tempDir } from './export-support';

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
