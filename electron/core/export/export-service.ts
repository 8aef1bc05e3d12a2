import type { ExportCancelResult, ExportRequest, ExportResult, ExportRun, ImportRequest, ImportResult } from '../contract';
import { exportDeliveries } from '../fixtures';
import type { Logger } from '../logger';
import type { PushHub } from '../push-hub';
import type { Profile } from '../signatures/types';
import type { DeliveryStore } from '../store';
import { toSummary } from '../summary';
import { ExportRuns } from './export-runs';
import type { Analyze } from './import';
import { importDeliveries } from './import';
import type { ExportSink } from './sinks';
import { FolderSink, MemorySink } from './sinks';

export interface ExportServiceOptions {
  store: DeliveryStore;
  pushes: PushHub;
  logger: Logger;
  version: string;
  /** Returns the profiles and every configured key at call time, so exports follow settings changes. */
  signing: () => { profiles: readonly Profile[]; keys: string[] };
  analyze: Analyze;
}

/**
 * Serves the `export.run` and `import.run` channels. An export writes to the chosen folder or
 * returns the bytes, with progress on `export.progress`. An import adds to the store and
 * pushes the new deliveries like received ones.
 */
export class ExportService {
  private readonly runs: ExportRuns;

  constructor(private readonly options: ExportServiceOptions) {
    this.runs = new ExportRuns((run) => options.pushes.publish('export.progress', run));
  }

  async run(request: ExportRequest): Promise<ExportResult> {
    const started = this.runs.start(request);
    if (!started.ok) return started.result;
    const { handle } = started;
    const exportId = handle.run.exportId;
    const sink: ExportSink = handle.guard(request.folder === undefined ? new MemorySink() : new FolderSink(request.folder));
    const { logger } = this.options;
    logger.info('export: started', { exportId, format: request.format, ids: request.ids?.length ?? null, folder: request.folder ?? null });

    let result: ExportResult;
    try {
      result = await exportDeliveries(request, {
        source: this.options.store,
        sink,
        ...this.options.signing(),
        version: this.options.version,
        now: new Date(),
        onProgress: (progress) => handle.progress(progress),
      });
    } catch (error) {
      // The bridge or IPC adapter reports the error; the run must still end for the pages that watch it.
      this.runs.finish(handle, { ok: false, code: 'write-failed', message: String(error) });
      throw error;
    }
    result = this.runs.finish(handle, result);
    if (result.ok) logger.info('export: finished', { exportId, format: request.format, exported: result.exported, skipped: result.skipped.length });
    else logger.warn('export: failed', { exportId, format: request.format, code: result.code, message: result.message });
    return result;
  }

  /** Exports still running, for a page that reloaded during one. */
  running(): ExportRun[] {
    return this.runs.list();
  }

  cancel(exportId: string): ExportCancelResult {
    const result = this.runs.cancel(exportId);
    if (result.ok) this.options.logger.info('export: cancel requested', { exportId });
    return result;
  }

  async import(request: ImportRequest): Promise<ImportResult> {
    const { logger, store, pushes } = this.options;
    const result = await importDeliveries(request, store, this.options.analyze);
    if (!result.ok) {
      logger.warn('import: failed', { path: request.path ?? null, code: result.code, message: result.message });
      return result;
    }

    const added = result.ids.map((id) => store.get(id)).filter((delivery) => delivery !== null);
    for (const delivery of added) pushes.queueDelivery(toSummary(delivery));
    logger.info('import: finished', { path: request.path ?? null, imported: result.imported, renamed: result.renamed });
    return result;
  }
}
