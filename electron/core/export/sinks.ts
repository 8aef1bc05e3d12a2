import { appendFile, writeFile } from 'node:fs/promises';
import type { ExportedFile } from '../contract';
import { resolveInside } from './file-names';
import { makeDir } from '../make-dir';

/** Destination of an export's files: a folder on disk, memory for the UI, or stdout for the CLI. */
export interface ExportSink {
  /** The destination folder, or null when the files stay in memory or go to stdout. */
  readonly folder: string | null;
  /**
   * Writes one file; `name` is a plain file name that must stay inside the destination.
   * Writing a name again appends to that file, in call order: HAR and NDJSON exports write
   * their one file a delivery at a time.
   */
  write(name: string, data: Uint8Array): Promise<void>;
  /** Resolves once every write has finished; rejects with the first write that failed. */
  finish(): Promise<void>;
  /** The files written, one entry per name, with their full size. */
  files(): ExportedFile[];
}

/**
 * Writes in flight at once. Small files cost mostly file-system round trips, so overlapping
 * them keeps a fixture export from waiting on each file in turn.
 */
const MAX_PENDING_WRITES = 32;

/** Bytes in flight at once, so an export of large bodies holds only a few of them in memory. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** Writes files into one folder, created when missing; every name is checked to stay inside it. */
export class FolderSink implements ExportSink {
  private readonly written = new Map<string, ExportedFile>();
  private readonly pending = new Set<Promise<void>>();
  /** The last write of each file, which the next write of the same name waits for. */
  private readonly lastWrite = new Map<string, Promise<void>>();
  private pendingBytes = 0;
  private failure: Error | null = null;
  private created = false;

  constructor(readonly folder: string) {}

  async write(name: string, data: Uint8Array): Promise<void> {
    const target = resolveInside(this.folder, name);
    if (!this.created) {
      await makeDir(this.folder);
      this.created = true;
    }
    while (this.pending.size > 0 && (this.pending.size >= MAX_PENDING_WRITES || this.pendingBytes + data.byteLength > MAX_PENDING_BYTES)) {
      await Promise.race(this.pending);
    }
    if (this.failure !== null) throw this.failure;

    const previous = this.written.get(name);
    const before = this.lastWrite.get(name) ?? Promise.resolve();
    const write: Promise<void> = before
      .then(() => (previous === undefined ? writeFile(target, data) : appendFile(target, data)))
      .then(
        () => this.settle(write, data.byteLength),
        (error: unknown) => {
          this.settle(write, data.byteLength);
          this.failure ??= error as Error;
        },
      );
    this.pending.add(write);
    this.pendingBytes += data.byteLength;
    this.lastWrite.set(name, write);
    this.written.set(name, { name, size: (previous?.size ?? 0) + data.byteLength });
  }

  async finish(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== null) throw this.failure;
  }

  files(): ExportedFile[] {
    return [...this.written.values()];
  }

  private settle(write: Promise<void>, size: number): void {
    this.pending.delete(write);
    this.pendingBytes -= size;
  }
}

/** An error for a write of one file more than a MemorySink's maxFiles. */
export class TooManyFilesError extends Error {
  override name = 'TooManyFilesError';
  constructor(readonly maxFiles: number) {
    super(`The export needs more than ${maxFiles} files, too many to download one by one: choose a folder to export into.`);
  }
}

/**
 * Keeps files in memory, for a UI that saves them itself (a browser download). A write of a
 * file beyond `maxFiles` raises TooManyFilesError, so the export stops there instead of at the end.
 */
export class MemorySink implements ExportSink {
  readonly folder = null;
  private readonly written = new Map<string, Uint8Array[]>();

  constructor(private readonly maxFiles = Number.POSITIVE_INFINITY) {}

  async write(name: string, data: Uint8Array): Promise<void> {
    resolveInside('/', name);
    if (!this.written.has(name) && this.written.size >= this.maxFiles) throw new TooManyFilesError(this.maxFiles);
    const parts = this.written.get(name) ?? [];
    parts.push(data);
    this.written.set(name, parts);
  }

  async finish(): Promise<void> {}

  files(): ExportedFile[] {
    return [...this.written].map(([name, parts]) => {
      const data = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
      return { name, size: data.byteLength, data };
    });
  }
}
