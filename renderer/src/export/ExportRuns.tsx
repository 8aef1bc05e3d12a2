import type { RefObject } from 'react';
import { useEffect, useState } from 'react';
import type { ExportRun, HooktrayApi } from '../../../electron/core/contract';
import { formatCount } from '../lib/format';

/** Returns a new export id: 32 hex digits from the browser's random source. */
export function newExportId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface ExportRunsState {
  /** Exports still running, this page's and others', oldest first. */
  runs: ExportRun[];
  error: string | null;
}

/**
 * Tracks running exports: those running when the page opened (`export.running`), then
 * each export's `export.progress` pushes, by export id. A finished export leaves the list.
 */
export function useExportRuns(api: HooktrayApi): ExportRunsState {
  const [runs, setRuns] = useState<ExportRun[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    const update = (run: ExportRun): void => {
      setRuns((previous) => {
        if (run.finished) return previous.filter((item) => item.exportId !== run.exportId);
        const index = previous.findIndex((item) => item.exportId === run.exportId);
        if (index === -1) return [...previous, run];
        const next = [...previous];
        next[index] = run;
        return next;
      });
    };
    const unsubscribe = api.subscribe('export.progress', update);
    api.invoke('export.running', undefined).then(
      (running) => {
        // A push that arrived first is newer than the listed state of the same export.
        if (active) setRuns((previous) => [...running.filter((run) => !previous.some((item) => item.exportId === run.exportId)), ...previous]);
      },
      (failure: unknown) => active && setError(`Loading the running exports failed: ${(failure as Error).message}`),
    );
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api]);

  return { runs, error };
}

/** Describes where an export writes, for a progress line. */
export function exportDestination(run: ExportRun): string {
  return run.folder ?? 'downloads';
}

interface ExportRunProgressProps {
  run: ExportRun;
  label: string;
  onCancel: (exportId: string) => void;
  cancelRef?: RefObject<HTMLButtonElement | null>;
}

/** Renders one export's progress bar, its count and a Cancel button. */
export function ExportRunProgress({ run, label, onCancel, cancelRef }: ExportRunProgressProps) {
  const counted = run.total === 0 ? 'selecting deliveries' : `${formatCount(run.done)} of ${formatCount(run.total)}`;
  return (
    <div className="export-run">
      <progress max={Math.max(run.total, 1)} value={run.done} aria-label={label}>
        {counted}
      </progress>
      <span>
        {run.format} to {exportDestination(run)}: {counted}
      </span>
      <button ref={cancelRef} type="button" disabled={run.cancelling} onClick={() => onCancel(run.exportId)}>
        {run.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}
