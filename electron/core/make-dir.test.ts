import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDir, makeDirSync } from './make-dir';

const PROC_AVAILABLE = existsSync('/proc/self');

describe.each([
  ['makeDirSync', async (folder: string, mode?: number) => makeDirSync(folder, mode)],
  ['makeDir', makeDir],
])('%s', (_name, create) => {
  it('creates missing parents', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hooktray-make-dir-'));
    const folder = join(root, 'a', 'b', 'c');
    await create(folder, 0o700);
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it('accepts an existing folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hooktray-make-dir-'));
    await create(root);
    expect(statSync(root).isDirectory()).toBe(true);
  });

  it('rejects a file in the path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hooktray-make-dir-'));
    writeFileSync(join(root, 'file'), 'x');
    await expect(create(join(root, 'file', 'inside'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('rejects a file in the folder\'s place', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hooktray-make-dir-'));
    writeFileSync(join(root, 'file'), 'x');
    await expect(create(join(root, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it.skipIf(!PROC_AVAILABLE)('fails under /proc instead of looping', async () => {
    await expect(create('/proc/hooktray-test/inside')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir', path: '/proc/hooktray-test' });
  });
});
