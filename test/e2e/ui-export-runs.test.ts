import { execFileSync } from 'node:child_process';
import type { FSWatcher } from 'node:fs';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from '../../electron/core/export/fixture';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const DELIVERIES = 600;

function ndjsonExport(count: number): string {
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
  return `${lines.join('\n')}\n`;
}

describe('hooktray ui in Chromium with two exports', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;
  let fifo: string | null = null;
  let fifoDrained = false;
  let watcher: FSWatcher | null = null;

  const exportDialog = () => page.getByRole('dialog', { name: 'Export deliveries' });
  const otherRuns = () => exportDialog().getByRole('region', { name: 'Other running exports' });

  async function openExport(folder: string, format = 'fixture'): Promise<void> {
    await page.getByRole('button', { name: 'Export…' }).click();
    await exportDialog().getByRole('combobox', { name: /^Format/ }).selectOption(format);
    await exportDialog().getByLabel('Folder (empty: download in the browser)').fill(folder);
  }

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-export-runs-');
    ui = await startUi(['--data-dir', join(dir, 'data')]);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);

    const seed = join(dir, 'seed.ndjson');
    writeFileSync(seed, ndjsonExport(DELIVERIES));
    await page.getByLabel('Files to import').setInputFiles(seed);
    await page.locator('.import-message').getByRole('status').filter({ hasText: `Imported ${DELIVERIES} deliveries` }).waitFor();

    // Folder A contains an earlier export, which the cancelled export must leave as it was.
    mkdirSync(join(dir, 'A'));
    writeFileSync(join(dir, 'A', 'index.json'), 'earlier index\n');
  });

  afterAll(async () => {
    watcher?.close();
    if (!fifoDrained && fifo !== null && existsSync(fifo)) {
      // Opening the read end lets a blocked writer go on, so hooktray ui can stop.
      closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
    }
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows an export started before a reload', async () => {
    const folderA = join(dir, 'A');
    // The export stages its files in a hidden folder inside A. A named pipe put there as its
    // index.json, which the export writes last, blocks the export until the test reads the pipe.
    watcher = watch(folderA, (_event, name) => {
      if (fifo !== null || name === null || !name.endsWith('.partial')) return;
      fifo = join(folderA, name, 'index.json');
      execFileSync('mkfifo', [fifo]);
    });
    await openExport(folderA);
    await exportDialog().getByRole('checkbox', { name: 'Replace the files of an earlier export' }).check();
    await exportDialog().getByRole('button', { name: 'Export', exact: true }).click();
    await exportDialog().getByRole('progressbar', { name: 'Export progress' }).waitFor();
    await waitUntil(async () => fifo !== null && existsSync(fifo), 'the named pipe in the staging folder of the export to A');

    await page.reload();
    await page.getByRole('button', { name: 'Export…' }).waitFor();
    await openExport(join(dir, 'B'), 'ndjson');
    await otherRuns().getByRole('progressbar', { name: `Progress of the export to ${folderA}` }).waitFor();
    expect(await otherRuns().textContent()).toContain(`fixture to ${folderA}`);
    await page.screenshot({ path: screenshotPath('ui-export-runs') });
  });

  it('keeps the progress of a second export apart', async () => {
    await exportDialog().getByRole('button', { name: 'Export', exact: true }).click();
    await exportDialog().getByRole('status').filter({ hasText: `Exported ${DELIVERIES} deliveries to ${join(dir, 'B')}` }).waitFor();

    expect(readdirSync(join(dir, 'B'))).toEqual(['deliveries.ndjson']);
    expect(await exportDialog().getByRole('progressbar', { name: 'Export progress' }).count()).toBe(0);
    expect(await otherRuns().getByRole('progressbar').count()).toBe(1);
  });

  it('cancels the earlier export', async () => {
    await otherRuns().getByRole('button', { name: 'Cancel' }).click();
    await otherRuns().getByRole('button', { name: 'Cancelling…' }).waitFor();

    const pipe = fifo;
    if (pipe === null) throw new Error('the export to A created no staging folder');
    await readFile(pipe);
    fifoDrained = true;
    await waitUntil(async () => (await otherRuns().count()) === 0, 'the cancelled export to leave the list');
    // The log file is written asynchronously, so its last line can land after the page updates.
    const log = (): string => readFileSync(join(dir, 'data', 'logs', 'hooktray.log'), 'utf8');
    await waitUntil(async () => /export: failed \{[^}]*code: 'cancelled'/.test(log()), 'the log line of the cancelled export');
    expect(log()).toContain('export: cancel requested');
    expect(log()).toMatch(/export: failed \{[^}]*code: 'cancelled'/);
    expect(log()).toContain(`removed the partial output and left ${join(dir, 'A')} as it was`);
    expect(readdirSync(join(dir, 'A'))).toEqual(['index.json']);
    expect(readFileSync(join(dir, 'A', 'index.json'), 'utf8')).toBe('earlier index\n');
  });
});
