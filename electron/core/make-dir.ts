import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

// Node 20's `recursive` option of mkdir loops forever where creating a folder fails with ENOENT
// under a parent that exists, as in /proc. These functions throw that error instead.

/** Returns whether a file or folder exists at `path`. */
function existsNow(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isFolderNow(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Returns the parent of `path`, or null at the root. */
function parentOf(path: string): string | null {
  const parent = dirname(path);
  return parent === path ? null : parent;
}

/**
 * Creates a folder and its missing parents, as `mkdir -p` does. A failure is thrown with the
 * path of the folder that could not be created and `syscall` "mkdir".
 */
export function makeDirSync(folder: string, mode?: number): void {
  const missing: string[] = [];
  for (let path: string | null = resolve(folder); path !== null && !existsNow(path); path = parentOf(path)) missing.unshift(path);
  // A file in the folder's place gets the error that mkdir raises for it, EEXIST.
  if (missing.length === 0 && !isFolderNow(folder)) mkdirSync(resolve(folder));
  for (const path of missing) {
    try {
      mkdirSync(path, mode === undefined ? {} : { mode });
    } catch (error) {
      // Another process may have created it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isFolderNow(path)) throw error;
    }
  }
}

/** Creates a folder and its missing parents without blocking the event loop, as makeDirSync does. */
export async function makeDir(folder: string, mode?: number): Promise<void> {
  const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
  const missing: string[] = [];
  for (let path: string | null = resolve(folder); path !== null && !(await exists(path)); path = parentOf(path)) missing.unshift(path);
  if (missing.length === 0 && !(await stat(folder)).isDirectory()) await mkdir(resolve(folder));
  for (const path of missing) {
    try {
      await mkdir(path, mode === undefined ? {} : { mode });
    } catch (error) {
      const isFolder = await stat(path).then((stats) => stats.isDirectory(), () => false);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isFolder) throw error;
    }
  }
}
