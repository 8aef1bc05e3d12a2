import type { Stats } from 'node:fs';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
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
 * The other formats write into the folder `out`, or `defaultFolder`. A symbolic link at `out`
 * counts as the file itself, even when it points to a folder, so `destinationConflict` rejects it.
 */
export function chooseDestination(out: string | null, fileName: string | null, defaultFolder: string): Destination {
  if (fileName === null) return { kind: 'folder', path: out ?? defaultFolder };
  if (out === null) return { kind: 'stdout' };
  if (entryAt(out)?.isDirectory() === true) return { kind: 'file', path: join(out, fileName) };
  return { kind: 'file', path: out };
}

/**
 * Returns why an export may not write to its destination, or null when it may: an existing
 * file is replaced, and a folder that contains an earlier export is written into, only with
 * `force`. A folder with other files is written into, because the export leaves them alone.
 * Anything at the destination that is not a regular file or a folder, such as a symbolic link,
 * a named pipe or a device, is rejected even with `force` (see `unwritableEntry`).
 */
export function destinationConflict(destination: Destination, force: boolean): string | null {
  if (destination.kind === 'stdout') return null;
  const { path } = destination;
  const blocking = fileAbove(path);
  if (blocking !== null) return `${blocking} is a file, so no export can be written at ${path} below it; choose another --out.`;
  const stats = entryAt(path);
  if (stats === undefined) return null;

  if (destination.kind === 'file') {
    if (stats.isDirectory()) return `${path} is a folder; choose a file name for --out.`;
    if (!stats.isFile()) {
      const entry = unwritableEntryOf(stats, 'file');
      // A folder at --out is written into, so a link may point to one.
      const fix = entry.isLink ? 'a regular file, a new file or a folder, such as the one that the link points to' : 'a regular file or of a new file';
      return `${path} is ${entry.description}, even with --force: choose the path of ${fix} for --out.`;
    }
    return force ? null : `${path} already exists; pass --force to replace it, or choose another --out.`;
  }
  if (stats.isFile()) return `${path} is a file, not a folder; choose a folder for --out.`;
  if (!stats.isDirectory()) {
    const entry = unwritableEntryOf(stats, 'folder');
    const example = entry.isLink ? ', such as the folder that the link points to' : '';
    return `${path} is ${entry.description}: choose a folder or a new folder for --out${example}.`;
  }
  const earlier = earlierExportFiles(path, null).length;
  if (earlier === 0 || force) return null;
  return `${path} already holds an export (${earlier} files such as index.json or delivery files); pass --force to replace its files of the same name, or choose an empty or new folder for --out.`;
}

/**
 * Returns the entry at `path` without following a symbolic link, or undefined when there is
 * none or the lookup fails, such as with EACCES, which the write then reports.
 */
function entryAt(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Returns what a file-system entry is, such as "a named pipe", by its own type and not by a link's target. */
function entryType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** An entry at an export's destination that the export may not write at. */
export interface UnwritableEntry {
  /** The entry's type and the reason the export may not write at it, worded to follow "PATH is". */
  description: string;
  isLink: boolean;
}

/**
 * Returns the entry at `path` when an export of `kind` may not be written there, or null when
 * nothing is there or it is a regular file for `file` or a folder for `folder`. A symbolic link
 * is never followed: replacing it would lose the link, and writing through it would write
 * somewhere other than the path the user chose. A named pipe, socket or device is never
 * replaced by a regular file either.
 */
export function unwritableEntry(path: string, kind: 'file' | 'folder'): UnwritableEntry | null {
  const stats = entryAt(path);
  if (stats === undefined) return null;
  if (kind === 'file' ? stats.isFile() : stats.isDirectory()) return null;
  return unwritableEntryOf(stats, kind);
}

function unwritableEntryOf(stats: Stats, kind: 'file' | 'folder'): UnwritableEntry {
  const type = entryType(stats);
  if (stats.isSymbolicLink()) return { description: `${type}, which an export neither follows nor replaces`, isLink: true };
  const description = kind === 'file' ? `${type}, not a regular file, and an export replaces only regular files` : `${type}, not a folder`;
  return { description, isLink: false };
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
