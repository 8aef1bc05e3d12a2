import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/listen-process';
import type { ExportRun } from '../contract';
import { HooktrayCore } from '../hooktray-core';
import { silentLogger } from '../logger';
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

describe('export runs', () => {
  let dir: string;
  let core: HooktrayCore;
  const pushes: ExportRun[] = [];

  beforeAll(async () => {
    dir = tempDir('hooktray-export-runs-');
    core = await HooktrayCore.start({ version: 'test', dataDir: join(dir, 'data'), port: 0, profiles: [], vault: { keysFor: () => [] }, logger: silentLogger });
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

  it('lists a running export and cancels it', async () => {
    pushes.length = 0;
    const listed: ExportRun[][] = [];
    const folder = join(dir, 'cancelled');
    const unsubscribe = core.pushes.subscribe('export.progress', (run) => {
      // The first count report arrives while the export is running: list it, then cancel it.
      if (run.done === 0 || run.cancelling || run.finished) return;
      void core.handlers['export.running']().then((runs) => listed.push(runs));
      void core.handlers['export.cancel']({ exportId: run.exportId });
    });
    const result = await core.handlers['export.run']({ format: 'fixture', folder, exportId: 'export-cancelled' });
    unsubscribe();

    expect(listed[0]?.map((run) => run.exportId)).toEqual(['export-cancelled']);
    expect(result).toMatchObject({ ok: false, code: 'cancelled' });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(`the files written before the cancel stay in ${folder}`);
    expect(pushes.at(-1)).toMatchObject({ exportId: 'export-cancelled', finished: true, outcome: 'cancelled' });
    expect(readdirSync(folder).length).toBeLessThan(DELIVERIES * 2);
    expect(readdirSync(folder)).not.toContain('index.json');
    expect(await core.handlers['export.running']()).toEqual([]);
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
