import type { ExportCancelResult, ExportRequest, ExportResult, ExportRun, ImportRequest, ImportResult } from '../contract';
import { join } from 'node:path';
import { exportDeliveries, HAR_FILE, NDJSON_FILE } from '../fixtures';
import type { Logger } from '../logger';
import type { PushHub } from '../push-hub';
import type { Profile } from '../signatures/types';
import type { DeliveryStore } from '../store';
import { toSummary } from '../summary';
import { earlierExportFiles } from './destination';
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

/** Label of the export dialog's checkbox that sets `force`, which the conflict message names. */
const REPLACE_EARLIER_EXPORT = 'Replace the files of an earlier export';

/**
 * Returns why an export may not write into `folder` without `force`, because files of an
 * earlier export there would be written over, or null when nothing would be.
 */
function earlierExportConflict(folder: string, format: ExportRequest['format']): string | null {
  let fileName: string | null = null;
  if (format === 'har') fileName = HAR_FILE;
  if (format === 'ndjson') fileName = NDJSON_FILE;
  const earlier = earlierExportFiles(folder, fileName);
  if (earlier.length === 0) return null;

  if (fileName !== null) {
    return `${join(folder, fileName)} already exists from an earlier export. Tick "${REPLACE_EARLIER_EXPORT}" to write over it, or choose another folder.`;
  }
  const example = earlier.includes('index.json') ? 'index.json' : earlier[0];
  return (
    `${folder} already holds an earlier export (${earlier.length} file${earlier.length === 1 ? '' : 's'} such as ${example}). ` +
    `Tick "${REPLACE_EARLIER_EXPORT}" to write over its files of the same name, or choose an empty or new folder.`
  );
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
    const conflict = request.folder === undefined || request.force === true ? null : earlierExportConflict(request.folder, request.format);
    if (conflict !== null) {
      this.options.logger.warn('export: rejected', { format: request.format, folder: request.folder ?? null, code: 'destination-exists' });
      return { ok: false, code: 'destination-exists', message: conflict };
    }

    const started = this.runs.start(request);
    if (!started.ok) return started.result;
    const { handle } = started;
    const exportId = handle.run.exportId;
    const sink: ExportSink = handle.guard(request.folder === undefined ? new MemorySink(request.maxFiles) : new FolderSink(request.folder));
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
