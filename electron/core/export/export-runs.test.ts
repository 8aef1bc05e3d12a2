import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/listen-process';
import type { ExportRequest, ExportResult, ExportRun } from '../contract';
import { HooktrayCore } from '../hooktray-core';
import type { Logger } from '../logger';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from './fixture';

const DELIVERIES = 600;

/** Returns an NDJSON export of `count` small deliveries, as `hooktray export --format ndjson` writes it. */
function ndjsonExport(count: number): Uint8Array {
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      format: FIXTURE_FORMAT,
      version: FIXTURE_VERSION,
      id: `seed-${index}`,
      receivedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(),
      method: 'POST',
      path: `/runs/${index}`,
      headers: [['Content-Type', 'application/json']],
      body: { encoding: 'utf8', data: `{"n":${index}}` },
    }),
  );
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Log lines as `level message`, with each line's context. */
const logged: { line: string; context: Record<string, unknown> | undefined }[] = [];
const record =
  (level: string) =>
  (message: string, context?: Record<string, unknown>): void => {
    logged.push({ line: `${level} ${message}`, context });
  };
const recordingLogger: Logger = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') };

describe('export runs', () => {
  let dir: string;
  let core: HooktrayCore;
  const pushes: ExportRun[] = [];

  beforeAll(async () => {
    dir = tempDir('hooktray-export-runs-');
    core = await HooktrayCore.start({ version: 'test', dataDir: join(dir, 'data'), port: 0, profiles: [], vault: { keysFor: () => [] }, logger: recordingLogger });
    const imported = await core.handlers['import.run']({ files: [{ name: 'seed.ndjson', data: ndjsonExport(DELIVERIES) }] });
    expect(imported).toMatchObject({ ok: true, imported: DELIVERIES });
    core.pushes.subscribe('export.progress', (run) => pushes.push(run));
  });

  afterAll(async () => {
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tags every push with the export id', async () => {
    pushes.length = 0;
    const result = await core.handlers['export.run']({ format: 'fixture', folder: join(dir, 'tagged'), exportId: 'export-tagged' });

    expect(result).toMatchObject({ ok: true, exported: DELIVERIES });
    expect(pushes.length).toBeGreaterThan(2);
    expect(pushes.every((run) => run.exportId === 'export-tagged' && run.format === 'fixture' && run.folder === join(dir, 'tagged'))).toBe(true);
    expect(pushes.at(-1)).toMatchObject({ finished: true, outcome: 'exported', done: DELIVERIES, total: DELIVERIES });
    expect(await core.handlers['export.running']()).toEqual([]);
  });

  /** Runs an export and cancels it at its first count report, after listing the running exports. */
  async function exportCancelled(request: ExportRequest): Promise<{ result: ExportResult; listed: ExportRun[][] }> {
    const listed: ExportRun[][] = [];
    const unsubscribe = core.pushes.subscribe('export.progress', (run) => {
      if (run.exportId !== request.exportId || run.done === 0 || run.cancelling || run.finished) return;
      void core.handlers['export.running']().then((runs) => listed.push(runs));
      void core.handlers['export.cancel']({ exportId: run.exportId });
    });
    try {
      return { result: await core.handlers['export.run'](request), listed };
    } finally {
      unsubscribe();
    }
  }

  /** Returns every file in `folder`, hidden ones included, with its content. */
  function folderContents(folder: string): Map<string, string> {
    return new Map(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name), 'utf8')]));
  }

  it('lists a running export and cancels it', async () => {
    pushes.length = 0;
    const folder = join(dir, 'cancelled');
    const { result, listed } = await exportCancelled({ format: 'fixture', folder, exportId: 'export-cancelled' });

    expect(listed[0]?.map((run) => run.exportId)).toEqual(['export-cancelled']);
    expect(result).toMatchObject({ ok: false, code: 'cancelled' });
    expect(result.ok ? '' : result.message).toContain(`removed the partial output and left ${folder} as it was`);
    expect(pushes.at(-1)).toMatchObject({ exportId: 'export-cancelled', finished: true, outcome: 'cancelled' });
    expect(existsSync(folder)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect(await core.handlers['export.running']()).toEqual([]);
  });

  it('keeps an earlier fixture export on cancel', async () => {
    const folder = join(dir, 'earlier-fixture');
    expect(await core.handlers['export.run']({ format: 'fixture', folder, pathPrefix: '/runs/1' })).toMatchObject({ ok: true });
    writeFileSync(join(folder, 'notes.txt'), 'kept\n');
    const before = folderContents(folder);

    const { result } = await exportCancelled({ format: 'fixture', folder, force: true, exportId: 'export-cancel-fixture' });

    expect(result).toMatchObject({ ok: false, code: 'cancelled' });
    expect(folderContents(folder)).toEqual(before);
  });

  it.each([
    ['har', 'deliveries.har'],
    ['ndjson', 'deliveries.ndjson'],
  ] as const)('keeps an earlier %s file on cancel', async (format, name) => {
    const folder = join(dir, `earlier-${format}`);
    mkdirSync(folder);
    writeFileSync(join(folder, name), 'earlier export\n');

    const { result } = await exportCancelled({ format, folder, force: true, exportId: `export-cancel-${format}` });

    expect(result).toMatchObject({ ok: false, code: 'cancelled' });
    expect(result.ok ? '' : result.message).toContain(`left ${folder} as it was`);
    expect(folderContents(folder)).toEqual(new Map([[name, 'earlier export\n']]));
  });

  it('removes a stale staging copy and logs it', async () => {
    const folder = join(dir, 'stale');
    mkdirSync(folder);
    // The pid of a process that has exited stands for an export killed with SIGKILL.
    const stale = join(folder, `.deliveries.ndjson.${spawnSync(process.execPath, ['-e', '']).pid}-0123abcd.partial`);
    writeFileSync(stale, 'partial');
    logged.length = 0;

    const result = await core.handlers['export.run']({ format: 'ndjson', folder, pathPrefix: '/runs/1' });

    expect(result).toMatchObject({ ok: true });
    expect(readdirSync(folder)).toEqual(['deliveries.ndjson']);
    expect(logged).toContainEqual({ line: 'info export: removed stale staging copies', context: { folder, removed: [stale] } });
  });

  it('rejects an id that is already running', async () => {
    const first = core.handlers['export.run']({ format: 'ndjson', exportId: 'export-twice' });
    const second = await core.handlers['export.run']({ format: 'ndjson', exportId: 'export-twice' });
    expect(second).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await first).toMatchObject({ ok: true, exported: DELIVERIES });
  });

  it('reports an unknown id to cancel', async () => {
    expect(await core.handlers['export.cancel']({ exportId: 'export-none' })).toMatchObject({ ok: false, code: 'not-found' });
  });
});
