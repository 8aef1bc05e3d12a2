import { statSync } from 'node:fs';
import type { StorageStatus } from '../core/contract';
import type { HooktrayCore } from '../core/hooktray-core';

/** One `{"type":"stats"}` line of `hooktray listen --stats-interval`; sizes in bytes. */
export interface StatsRecord {
  type: 'stats';
  at: string;
  uptimeMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  deliveries: number;
  /** Size of hooktray.db plus its write-ahead log. */
  storeBytes: number;
  /** Body bytes waiting for the writer thread to commit them. */
  pendingBytes: number;
  storage: StorageStatus['state'];
  rejectedMissingToken: number;
  rejectedRateLimited: number;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    // The WAL file exists only between checkpoints.
    return 0;
  }
}

export function sampleStats(core: HooktrayCore, startedMs: number): StatsRecord {
  const memory = process.memoryUsage();
  return {
    type: 'stats',
    at: new Date().toISOString(),
    uptimeMs: Math.round(performance.now() - startedMs),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    deliveries: core.store.count(),
    storeBytes: fileSize(core.store.file) + fileSize(`${core.store.file}-wal`),
    pendingBytes: core.store.pendingBytes,
    storage: core.storage.status.state,
    rejectedMissingToken: core.receiver.guard.counts.missingToken,
    rejectedRateLimited: core.receiver.guard.counts.rateLimited,
  };
}

/** Prints a stats line every `intervalMs` until the returned function is called. */
export function startStatsPrinter(core: HooktrayCore, intervalMs: number, print: (line: string) => void): () => void {
  const startedMs = performance.now();
  const timer = setInterval(() => print(JSON.stringify(sampleStats(core, startedMs))), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Formats a storage status change for the terminal. */
export function formatStorageLine(status: StorageStatus): string {
  if (status.state === 'ok') return 'Storage works again; capture resumed.';
  return `Storage failing (${status.code ?? 'unknown error'}): ${status.message ?? ''}`;
}
