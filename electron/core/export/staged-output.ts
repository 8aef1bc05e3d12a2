import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExportedFile } from '../contract';
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

/** Returns a hidden name beside `target`, on the same file system, so a rename can move it into place. */
function stagingPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Writes a HAR or NDJSON export into a hidden file beside the destination and renames it into
 * place when complete, so a failed or interrupted export leaves the destination as it was.
 * The rename replaces an existing file; the caller checks first whether it may.
 */
export class StagedFileSink implements StagedSink {
  readonly folder = null;
  private readonly staging: string;
  private readonly inner: FolderSink;

  constructor(readonly destination: string) {
    this.staging = stagingPath(destination);
    this.inner = new FolderSink(dirname(destination));
  }

  async write(_name: string, data: Uint8Array): Promise<void> {
    await this.inner.write(basename(this.staging), data);
  }

  async finish(): Promise<void> {
    await this.inner.finish();
    await rename(this.staging, this.destination);
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
 * Writes a fixture, cURL or snippet export into a hidden folder beside the destination and
 * moves it into place when complete. A new or empty destination is replaced by the folder in
 * one rename. Into a folder that has other files, each file is moved in, `index.json` last,
 * after removing an earlier `index.json` first, so at no time does an index list files that
 * are cut short or missing.
 */
export class StagedFolderSink implements StagedSink {
  private readonly staging: string;
  private readonly inner: FolderSink;

  constructor(readonly destination: string) {
    this.staging = stagingPath(destination);
    this.inner = new FolderSink(this.staging);
  }

  get folder(): string {
    return this.destination;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    await this.inner.write(name, data);
  }

  async finish(): Promise<void> {
    await this.inner.finish();
    // An export that wrote no file still leaves its (empty) folder.
    await makeDir(this.staging);
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
