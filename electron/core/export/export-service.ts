import type { ExportCancelResult, ExportRequest, ExportResult, ExportRun, ImportRequest, ImportResult } from '../contract';
import { join } from 'node:path';
import { exportDeliveries, HAR_FILE, NDJSON_FILE } from '../fixtures';
import type { Logger } from '../logger';
import type { PushHub } from '../push-hub';
import type { Profile } from '../signatures/types';
import type { DeliveryStore } from '../store';
import { toSummary } from '../summary';
import { earlierExportFiles, unwritableEntry } from './destination';
import { ExportRuns } from './export-runs';
import type { Analyze } from './import';
import { importDeliveries } from './import';
import { MemorySink } from './sinks';
import type { StagedSink } from './staged-output';
import { removeStaleStaging, StagedFileSink, StagedFolderSink } from './staged-output';

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

/** Returns the file name of a format whose output is one file; null for the other formats. */
function singleFileName(format: ExportRequest['format']): string | null {
  if (format === 'har') return HAR_FILE;
  if (format === 'ndjson') return NDJSON_FILE;
  return null;
}

/**
 * Returns why an export may not write into `folder` without `force`, because files of an
 * earlier export there would be written over, or null when nothing would be.
 */
function earlierExportConflict(folder: string, format: ExportRequest['format']): string | null {
  const fileName = singleFileName(format);
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
 * Returns why an export may not write into `folder`, even with `force`, or null. It may not when
 * the folder, or for HAR and NDJSON the file in it, is a symbolic link, a named pipe, a device
 * or anything else that is neither a folder nor a regular file.
 */
function unwritableDestination(folder: string, format: ExportRequest['format']): string | null {
  const folderEntry = unwritableEntry(folder, 'folder');
  if (folderEntry !== null) {
    const example = folderEntry.isLink ? ', such as the folder that the link points to' : '';
    return `${folder} is ${folderEntry.description}: choose another folder${example}.`;
  }
  const fileName = singleFileName(format);
  if (fileName === null) return null;
  const file = join(folder, fileName);
  const fileEntry = unwritableEntry(file, 'file');
  if (fileEntry === null) return null;
  return `${file} is ${fileEntry.description}: choose another folder, or move ${fileName} out of this one.`;
}

/**
 * Serves the `export.run` and `import.run` channels. An export writes to the chosen folder or
 * returns the bytes, with progress on `export.progress`. Into a folder, the files are staged
 * and appear only when the export is complete, so a failed or cancelled export leaves the
 * folder as it was. An import adds to the store and pushes the new deliveries like received
 * ones.
 */
export class ExportService {
  private readonly runs: ExportRuns;

  constructor(private readonly options: ExportServiceOptions) {
    this.runs = new ExportRuns((run) => options.pushes.publish('export.progress', run));
  }

  async run(request: ExportRequest): Promise<ExportResult> {
    const { folder } = request;
    const conflict = folder === undefined ? null : (unwritableDestination(folder, request.format) ?? (request.force === true ? null : earlierExportConflict(folder, request.format)));
    if (conflict !== null) {
      this.options.logger.warn('export: rejected', { format: request.format, folder: request.folder ?? null, code: 'destination-exists' });
      return { ok: false, code: 'destination-exists', message: conflict };
    }

    const started = this.runs.start(request);
    if (!started.ok) return started.result;
    const { handle } = started;
    const exportId = handle.run.exportId;
    const { logger } = this.options;
    const staged = request.folder === undefined ? null : this.stagedSink(request.folder, request.format, handle.signal);
    const sink = handle.guard(staged ?? new MemorySink(request.maxFiles));
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
      await this.discard(staged, exportId);
      this.runs.finish(handle, { ok: false, code: 'write-failed', message: String(error) });
      throw error;
    }
    if (!result.ok) await this.discard(staged, exportId);
    result = this.runs.finish(handle, result);
    if (result.ok) logger.info('export: finished', { exportId, format: request.format, exported: result.exported, skipped: result.skipped.length });
    else logger.warn('export: failed', { exportId, format: request.format, code: result.code, message: result.message });
    return result;
  }

  /**
   * Returns a sink that stages the export for `folder`, after removing staging copies that
   * earlier exports there left when their process was killed.
   */
  private stagedSink(folder: string, format: ExportRequest['format'], signal: AbortSignal): StagedSink {
    const fileName = singleFileName(format);
    const destination = fileName === null ? folder : join(folder, fileName);
    const { removed, failed } = removeStaleStaging(destination);
    const { logger } = this.options;
    if (removed.length > 0) logger.info('export: removed stale staging copies', { folder, removed });
    for (const { path, error } of failed) logger.warn('export: could not remove a stale staging copy', { path, error });
    return fileName === null ? new StagedFolderSink(destination, signal) : new StagedFileSink(destination, signal);
  }

  /** Removes what a failed or cancelled export staged; the destination stays as it was. */
  private async discard(staged: StagedSink | null, exportId: string): Promise<void> {
    try {
      await staged?.discard();
    } catch (error) {
      this.options.logger.warn('export: removing the partial output failed', { exportId, folder: staged?.folder ?? null, error: String(error) });
    }
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
    const result = await importDeliveries(request, store, this.options.analyze, this.options.signing().keys);
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
