import { randomUUID } from 'node:crypto';
import type { ExportCancelResult, ExportProgress, ExportRequest, ExportResult, ExportRun } from '../contract';
import type { ExportSink } from './sinks';

/** Thrown by a sink write after a cancel; the export reports it as a failed write, which `finish` replaces. */
class ExportCancelledError extends Error {
  override name = 'ExportCancelledError';
}

/**
 * Wraps a sink so that every write after a cancel fails. An export so stops at its next write,
 * which for every format, HAR and NDJSON included, comes with the next delivery. A cancel
 * while `finish` runs is up to the inner sink: a staged sink stops before it moves its files
 * into place, and a cancel after that no longer stops the export.
 */
class CancellableSink implements ExportSink {
  constructor(
    private readonly inner: ExportSink,
    private readonly signal: AbortSignal,
  ) {}

  get folder(): string | null {
    return this.inner.folder;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    if (this.signal.aborted) throw new ExportCancelledError(`cancelled before writing ${name}`);
    await this.inner.write(name, data);
  }

  async finish(): Promise<void> {
    if (this.signal.aborted) throw new ExportCancelledError('cancelled');
    await this.inner.finish();
  }

  files() {
    return this.inner.files();
  }
}

/** One running export: its pushed state and the means to cancel it. */
export class ExportRunHandle {
  private readonly abort = new AbortController();

  constructor(
    readonly run: ExportRun,
    private readonly publish: (run: ExportRun) => void,
  ) {}

  /** Aborted when the export is cancelled. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Returns a sink whose writes fail once the export is cancelled. */
  guard(sink: ExportSink): ExportSink {
    return new CancellableSink(sink, this.abort.signal);
  }

  /** Publishes the writer's count; its own `finished` report waits for `finish`, which adds the outcome. */
  progress(progress: ExportProgress): void {
    if (progress.finished) return;
    Object.assign(this.run, { done: progress.done, total: progress.total });
    this.publish({ ...this.run });
  }

  cancel(): void {
    this.run.cancelling = true;
    this.abort.abort();
    this.publish({ ...this.run });
  }

  /** Publishes the last push and returns the export's result, or the cancelled result after a cancel. */
  finish(result: ExportResult): ExportResult {
    const cancelled = this.abort.signal.aborted && !result.ok;
    const final: ExportResult = cancelled ? { ok: false, code: 'cancelled', message: this.cancelledMessage() } : result;
    this.run.finished = true;
    this.run.cancelling = false;
    this.run.outcome = result.ok ? 'exported' : 'failed';
    if (cancelled) this.run.outcome = 'cancelled';
    if (result.ok) this.run.done = this.run.total;
    this.publish({ ...this.run });
    return final;
  }

  private cancelledMessage(): string {
    const { exportId, done, total, folder } = this.run;
    const outcome = folder === null ? '' : `; removed the partial output and left ${folder} as it was`;
    return `Export ${exportId} was cancelled after ${done} of ${total} deliveries${outcome}.`;
  }
}

/** The exports in progress, by id, so a reloaded page can list and cancel them. */
export class ExportRuns {
  private readonly running = new Map<string, ExportRunHandle>();

  constructor(
    private readonly publish: (run: ExportRun) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Registers an export; fails when the request names the id of one still running. */
  start(request: ExportRequest): { ok: true; handle: ExportRunHandle } | { ok: false; result: ExportResult } {
    const exportId = request.exportId ?? randomUUID();
    if (this.running.has(exportId)) {
      return { ok: false, result: { ok: false, code: 'invalid-request', message: `Export ${exportId} is already running; start another export with a new exportId.` } };
    }

    const run: ExportRun = {
      exportId,
      format: request.format,
      folder: request.folder ?? null,
      startedAt: this.now().toISOString(),
      done: 0,
      total: 0,
      finished: false,
      cancelling: false,
    };
    const handle = new ExportRunHandle(run, this.publish);
    this.running.set(exportId, handle);
    this.publish({ ...run });
    return { ok: true, handle };
  }

  /** Publishes the outcome, removes the export from the running ones and returns its result. */
  finish(handle: ExportRunHandle, result: ExportResult): ExportResult {
    this.running.delete(handle.run.exportId);
    return handle.finish(result);
  }

  list(): ExportRun[] {
    return [...this.running.values()].map((handle) => ({ ...handle.run }));
  }

  cancel(exportId: string): ExportCancelResult {
    const handle = this.running.get(exportId);
    if (handle === undefined) return { ok: false, code: 'not-found', message: `No export ${exportId} is running; it may have finished already.` };
    handle.cancel();
    return { ok: true };
  }
}
