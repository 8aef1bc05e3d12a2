import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { ExportedFile } from '../contract';
import { unwritableEntry } from './destination';
import type { ExportSink } from './sinks';
import { FolderSink } from './sinks';
import { makeDir } from '../make-dir';

/** Name of the file that lists a fixture folder's fixtures; it is moved into place last. */
const INDEX_FILE = 'index.json';

/** A sink whose output appears at its destination only when `finish` succeeds. */
export interface StagedSink extends ExportSink {
  /** The file or folder the export goes to. */
  readonly destination: string;
  /** Removes what was written so far; the destination stays as it was. Safe to call more than once. */
  discard(): Promise<void>;
  /** The same as `discard`, for a process that is about to exit. */
  discardNow(): void;
}

/**
 * Returns a hidden path in `folder` for staging the export named `name`:
 * `.NAME.PID-HEX.partial`, where PID is this process's id, so a later export can tell a
 * staging copy whose process has ended (see `removeStaleStaging`).
 */
function stagingPath(folder: string, name: string): string {
  return join(folder, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Rewrites the path of a file-system error from the staging copy to the matching path at the
 * destination, so a message names the file or folder the user chose and not a hidden one.
 */
function atDestination(error: unknown, staging: string, destination: string): unknown {
  const failure = error as NodeJS.ErrnoException | null;
  const path = failure?.path;
  if (typeof path === 'string' && (path === staging || path.startsWith(staging + sep))) {
    (failure as NodeJS.ErrnoException).path = destination + path.slice(staging.length);
  }
  return error;
}

/**
 * Throws when the destination is not a regular file (`file`) or a folder (`folder`), such as a
 * link or pipe that appeared after the caller checked it, because a rename would replace it.
 */
function checkDestinationEntry(destination: string, kind: 'file' | 'folder'): void {
  const entry = unwritableEntry(destination, kind);
  if (entry !== null) throw new Error(`${destination} is ${entry.description}; choose another destination`);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes a HAR or NDJSON export into a hidden file beside the destination and renames it into
 * place when complete, so a failed, cancelled or interrupted export leaves the destination as
 * it was. The rename replaces an existing regular file, so the caller checks first whether it
 * may. `finish` throws instead of renaming over a symbolic link, named pipe or device, and,
 * once `signal` is aborted, throws its reason.
 */
export class StagedFileSink implements StagedSink {
  private readonly staging: string;
  private readonly inner: FolderSink;

  constructor(
    readonly destination: string,
    private readonly signal?: AbortSignal,
  ) {
    this.staging = stagingPath(dirname(destination), basename(destination));
    this.inner = new FolderSink(dirname(destination));
  }

  get folder(): string {
    return dirname(this.destination);
  }

  async write(_name: string, data: Uint8Array): Promise<void> {
    try {
      await this.inner.write(basename(this.staging), data);
    } catch (error) {
      throw atDestination(error, this.staging, this.destination);
    }
  }

  async finish(): Promise<void> {
    try {
      await this.inner.finish();
      this.signal?.throwIfAborted();
      checkDestinationEntry(this.destination, 'file');
      await rename(this.staging, this.destination);
    } catch (error) {
      throw atDestination(error, this.staging, this.destination);
    }
  }

  files(): ExportedFile[] {
    return this.inner.files().map((file) => ({ ...file, name: basename(this.destination) }));
  }

  async discard(): Promise<void> {
    await this.inner.finish().catch(() => undefined);
    await rm(this.staging, { force: true });
  }

  discardNow(): void {
    rmSync(this.staging, { force: true });
  }
}

/**
 * Writes a fixture, cURL or snippet export into a hidden staging folder and moves it into
 * place when complete, so a failed, cancelled or interrupted export leaves the destination as
 * it was. A destination that does not exist yet is staged beside it and appears in one rename.
 * An existing destination folder is staged inside itself, so only that folder needs to be
 * writable. Each file is then moved in, `index.json` last and after removing an earlier
 * `index.json`, so at no time does an index list files that are cut short or missing.
 * `finish` throws instead of moving anything when the destination is a symbolic link or
 * anything else but a folder, and, once `signal` is aborted, throws its reason.
 */
export class StagedFolderSink implements StagedSink {
  private readonly staging: string;
  private readonly inner: FolderSink;

  constructor(
    readonly destination: string,
    private readonly signal?: AbortSignal,
  ) {
    const stagingFolder = isFolder(destination) ? destination : dirname(destination);
    this.staging = stagingPath(stagingFolder, basename(destination));
    this.inner = new FolderSink(this.staging);
  }

  get folder(): string {
    return this.destination;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    try {
      await this.inner.write(name, data);
    } catch (error) {
      throw atDestination(error, this.staging, this.destination);
    }
  }

  async finish(): Promise<void> {
    try {
      await this.inner.finish();
      this.signal?.throwIfAborted();
      await this.moveIntoPlace();
    } catch (error) {
      throw atDestination(error, this.staging, this.destination);
    }
  }

  files(): ExportedFile[] {
    return this.inner.files();
  }

  async discard(): Promise<void> {
    await this.inner.finish().catch(() => undefined);
    await rm(this.staging, { recursive: true, force: true });
  }

  discardNow(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }

  private async moveIntoPlace(): Promise<void> {
    // An export that wrote no file still leaves its (empty) folder.
    if (this.inner.files().length === 0) await makeDir(this.staging);
    checkDestinationEntry(this.destination, 'folder');
    if (!existsSync(this.destination)) {
      await makeDir(dirname(this.destination));
      await rename(this.staging, this.destination);
      return;
    }
    if (readdirSync(this.destination).length === 0) {
      await rmdir(this.destination);
      await rename(this.staging, this.destination);
      return;
    }
    await this.moveFilesIn();
  }

  private async moveFilesIn(): Promise<void> {
    const names = await readdir(this.staging);
    const hasIndex = names.includes(INDEX_FILE);
    if (hasIndex) await rm(join(this.destination, INDEX_FILE), { force: true });
    for (const name of names) {
      if (name !== INDEX_FILE) await rename(join(this.staging, name), join(this.destination, name));
    }
    if (hasIndex) await rename(join(this.staging, INDEX_FILE), join(this.destination, INDEX_FILE));
    await rmdir(this.staging);
  }
}

/**
 * Time after which a staging copy counts as abandoned even while a process with its pid runs,
 * because the system reuses pids. An export that is still writing keeps its mtime recent.
 */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;

/**
 * The end of a staging name after `.NAME.`: `PID-HEX.partial`, or `HEX.partial` as versions
 * before the pid was part of the name wrote it.
 */
const STAGING_SUFFIX = /^(?:(\d+)-)?[0-9a-f]{8}\.partial$/;

/** Staging copies that `removeStaleStaging` removed, and those it could not remove. */
export interface StaleStagingCleanup {
  removed: string[];
  failed: { path: string; error: string }[];
}

/**
 * Removes the staging files and folders that earlier exports to `destination` left behind
 * when their process was killed. It looks beside the destination, and inside it when it is a
 * folder, for entries named as `stagingPath` names them. It removes those whose process no
 * longer runs on this host or that were not modified for STALE_STAGING_MS. Symbolic links and
 * other names stay.
 * NOTE: the pid check covers only this host's processes, so on a folder shared between hosts it
 * can remove the staging copy of an export that another host is still running.
 */
export function removeStaleStaging(destination: string, now = Date.now()): StaleStagingCleanup {
  const prefix = `.${basename(destination)}.`;
  const cleanup: StaleStagingCleanup = { removed: [], failed: [] };
  for (const folder of [dirname(destination), destination]) {
    for (const entry of listFolder(folder)) {
      const match = entry.startsWith(prefix) ? STAGING_SUFFIX.exec(entry.slice(prefix.length)) : null;
      if (match === null) continue;
      const path = join(folder, entry);
      const stats = lstatSync(path, { throwIfNoEntry: false });
      if (stats === undefined || stats.isSymbolicLink()) continue;

      const pid = match[1] === undefined ? null : Number(match[1]);
      const processGone = pid !== null && !processRuns(pid);
      if (!processGone && now - stats.mtimeMs < STALE_STAGING_MS) continue;
      try {
        rmSync(path, { recursive: true, force: true });
        cleanup.removed.push(path);
      } catch (error) {
        cleanup.failed.push({ path, error: String(error) });
      }
    }
  }
  return cleanup;
}

/** Returns the names in `folder`, or none when it is missing, not a folder or not readable. */
function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** Returns whether a process with this pid runs on this host, and true when that cannot be determined. */
function processRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
