import { join } from 'node:path';
import type { StorageStatus } from './contract';
import type { Logger } from './logger';

export interface StorageHealthOptions {
  dataDir: string;
  logger: Logger;
  /** Called on every change of state, for the `storage.status` push. */
  publish: (status: StorageStatus) => void;
  now?: () => Date;
}

/**
 * Tracks whether the store accepts deliveries, from the outcome of each write the receiver
 * waits for. It logs and publishes only changes of state, so a full disk under a flood of
 * requests gives one error line and one push, not one per request.
 */
export class StorageHealth {
  private current: StorageStatus;
  private readonly now: () => Date;

  constructor(private readonly options: StorageHealthOptions) {
    this.now = options.now ?? (() => new Date());
    this.current = { state: 'ok', code: null, message: null, rejected: 0, since: this.now().toISOString() };
  }

  get status(): StorageStatus {
    return this.current;
  }

  /** Records a failed write; back-pressure (STORE_BUSY) is load, not a failure, and is ignored. */
  writeFailed(error: unknown): void {
    const code = errorCode(error);
    if (code === 'STORE_BUSY') return;

    if (this.current.state === 'failing') {
      this.current = { ...this.current, rejected: this.current.rejected + 1 };
      return;
    }
    const message = describeStoreFailure(code, error, this.options.dataDir);
    this.current = { state: 'failing', code, message, rejected: 1, since: this.now().toISOString() };
    this.options.logger.error('store: writes are failing; answering 503 until they work again', { code, dataDir: this.options.dataDir, advice: message, error: String(error) });
    this.options.publish(this.current);
  }

  /** Records a committed write; the first one after failures ends the failing state. */
  writeSucceeded(): void {
    if (this.current.state === 'ok') return;
    const failing = this.current;
    this.current = { state: 'ok', code: null, message: null, rejected: 0, since: this.now().toISOString() };
    this.options.logger.info('store: writes work again; capture resumed', { code: failing.code, rejected: failing.rejected, failingSince: failing.since });
    this.options.publish(this.current);
  }
}

function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** Says what a store error means for the user and what to do about it. */
export function describeStoreFailure(code: string | null, error: unknown, dataDir: string): string {
  const consequence = 'Senders get 503 with Retry-After, so they retry later, and capture resumes by itself once writing works.';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    // SQLite keeps the pages of deleted rows for reuse, so pruning leaves hooktray.db and its WAL at their size.
    return (
      `The disk holding ${dataDir} is full, so new deliveries cannot be stored. ${consequence} ` +
      'Free space on that disk by removing other files. Deleting stored deliveries frees no disk space, because the database files keep their size. ' +
      'Once capture works again, lower the retention limits, so that new deliveries reuse the space of deleted ones instead of growing the files.'
    );
  }
  if (code !== null && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    const file = join(dataDir, 'hooktray.db');
    return (
      `The store ${file} is damaged (${code}: ${String((error as Error)?.message ?? error)}), so new deliveries cannot be stored. ` +
      'Senders get 503 with Retry-After, so they retry later, but capture does not resume by itself. ' +
      `Stop Hooktray, then restore ${file} from a backup, or move it and its -wal and -shm files aside to start an empty store there.`
    );
  }
  if (code !== null && /^(SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_PERM|EACCES|EPERM|EROFS)/.test(code)) {
    return `The store in ${dataDir} is not writable (${code}). ${consequence} Check that the folder and its hooktray.db files are writable by this user and that the disk is mounted read-write.`;
  }
  if (code === 'WRITER_EXITED' || code === 'WRITER_STOPPED') {
    return `The store's writer thread stopped (${String((error as Error)?.message ?? error)}). ${consequence} Hooktray restarts the thread on the next delivery; if this repeats, see Hooktray's log.`;
  }
  return `Storing a delivery in ${dataDir} failed (${code ?? 'no error code'}: ${String((error as Error)?.message ?? error)}). ${consequence} See Hooktray's log for details.`;
}
