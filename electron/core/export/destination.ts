import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Name of the file that lists a fixture folder's fixtures. */
const INDEX_FILE = 'index.json';

/** Names that `deliveryBaseName` builds, followed by any extension: the files of an earlier export. */
const DELIVERY_FILE = /^(?:\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z|unknown-time)_[A-Za-z0-9_-]+\.[A-Za-z0-9.]+$/;

/** The destination of an export's files: stdout, one file, or a folder. */
export type Destination = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'folder'; path: string };

/**
 * Returns where an export goes. HAR and NDJSON (`fileName` set) write one file: to stdout
 * without `out`, into `out` under `fileName` when `out` is a folder, else to `out` itself.
 * The other formats write into the folder `out`, or `defaultFolder`.
 */
export function chooseDestination(out: string | null, fileName: string | null, defaultFolder: string): Destination {
  if (fileName === null) return { kind: 'folder', path: out ?? defaultFolder };
  if (out === null) return { kind: 'stdout' };
  if (existsSync(out) && statSync(out).isDirectory()) return { kind: 'file', path: join(out, fileName) };
  return { kind: 'file', path: out };
}

/**
 * Returns why an export may not write to its destination, or null when it may: an existing
 * file is replaced, and a folder that contains an earlier export is written into, only with
 * `force`. A folder with other files is written into, because the export leaves them alone.
 */
export function destinationConflict(destination: Destination, force: boolean): string | null {
  if (destination.kind === 'stdout') return null;
  const { path } = destination;
  const blocking = fileAbove(path);
  if (blocking !== null) return `${blocking} is a file, so no export can be written at ${path} below it; choose another --out.`;
  if (!existsSync(path)) return null;
  const isFolder = statSync(path).isDirectory();

  if (destination.kind === 'file') {
    if (isFolder) return `${path} is a folder; choose a file name for --out.`;
    return force ? null : `${path} already exists; pass --force to replace it, or choose another --out.`;
  }
  if (!isFolder) return `${path} is a file, not a folder; choose a folder for --out.`;
  const earlier = earlierExportFiles(path, null).length;
  if (earlier === 0 || force) return null;
  return `${path} already holds an export (${earlier} files such as index.json or delivery files); pass --force to replace its files of the same name, or choose an empty or new folder for --out.`;
}

/** Returns the nearest existing path above `path` when it is a file rather than a folder, else null. */
function fileAbove(path: string): string | null {
  let parent = dirname(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  return existsSync(parent) && !statSync(parent).isDirectory() ? parent : null;
}

/**
 * Returns the names of the files in `folder` that an earlier export wrote and a new export may
 * write over: the one file `fileName` of a HAR or NDJSON export, or else `index.json` and the
 * delivery files. Returns none for a folder that does not exist yet.
 */
export function earlierExportFiles(folder: string, fileName: string | null): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  const names = readdirSync(folder).sort();
  if (fileName !== null) return names.filter((name) => name === fileName);
  return names.filter((name) => name === INDEX_FILE || DELIVERY_FILE.test(name));
}
