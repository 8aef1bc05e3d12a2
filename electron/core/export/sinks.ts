import { mkdir, writeFile } from 'node:fs/promises';
import type { ExportedFile } from '../contract';
import { resolveInside } from './file-names';

/** Destination of an export's files: a folder on disk, memory for the UI, or stdout for the CLI. */
export interface ExportSink {
  /** The destination folder, or null when the files stay in memory or go to stdout. */
  readonly folder: string | null;
  /** Writes one file; `name` is a plain file name that must stay inside the destination. */
  write(name: string, data: Uint8Array): Promise<void>;
  /** Resolves once every write has finished; rejects with the first write that failed. */
  finish(): Promise<void>;
  files(): ExportedFile[];
}

/**
 * Writes in flight at once. Small files cost mostly file-system round trips, so overlapping
 * them keeps a fixture export from waiting on each file in turn.
 */
const MAX_PENDING_WRITES = 32;

/** Writes files into one folder, created when missing; every name is checked to stay inside it. */
export class FolderSink implements ExportSink {
  private readonly written: ExportedFile[] = [];
  private readonly pending = new Set<Promise<void>>();
  private failure: Error | null = null;
  private created = false;

  constructor(readonly folder: string) {}

  async write(name: string, data: Uint8Array): Promise<void> {
    const target = resolveInside(this.folder, name);
    if (!this.created) {
      await mkdir(this.folder, { recursive: true });
      this.created = true;
    }
    while (this.pending.size >= MAX_PENDING_WRITES) await Promise.race(this.pending);
    if (this.failure !== null) throw this.failure;

    const write: Promise<void> = writeFile(target, data).then(
      () => {
        this.pending.delete(write);
      },
      (error: unknown) => {
        this.pending.delete(write);
        this.failure ??= error as Error;
      },
    );
    this.pending.add(write);
    this.written.push({ name, size: data.byteLength });
  }

  async finish(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== null) throw this.failure;
  }

  files(): ExportedFile[] {
    return [...this.written];
  }
}

/** Keeps files in memory, for a UI that saves them itself (a browser download). */
export class MemorySink implements ExportSink {
  readonly folder = null;
  private readonly written: ExportedFile[] = [];

  async write(name: string, data: Uint8Array): Promise<void> {
    resolveInside('/', name);
    this.written.push({ name, size: data.byteLength, data });
  }

  async finish(): Promise<void> {}

  files(): ExportedFile[] {
    return [...this.written];
  }
}
