import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  let fifo: string;
  let fifoDrained = false;

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

    // The export to folder A blocks on its last file, a named pipe, until the test reads it.
    mkdirSync(join(dir, 'A'));
    fifo = join(dir, 'A', 'index.json');
    execFileSync('mkfifo', [fifo]);
  });

  afterAll(async () => {
    if (!fifoDrained && fifo !== undefined) {
      // Opening the read end lets a blocked writer go on, so hooktray ui can stop.
      closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
    }
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows an export started before a reload', async () => {
    const folderA = join(dir, 'A');
    await openExport(folderA);
    // The pipe has the name of an earlier export's index.json, which the export must write over.
    await exportDialog().getByRole('checkbox', { name: 'Replace the files of an earlier export' }).check();
    await exportDialog().getByRole('button', { name: 'Export', exact: true }).click();
    await exportDialog().getByRole('progressbar', { name: 'Export progress' }).waitFor();

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

    await readFile(fifo);
    fifoDrained = true;
    await waitUntil(async () => (await otherRuns().count()) === 0, 'the cancelled export to leave the list');
    // The log file is written asynchronously, so its last line can land after the page updates.
    const log = (): string => readFileSync(join(dir, 'data', 'logs', 'hooktray.log'), 'utf8');
    await waitUntil(async () => /export: failed \{[^}]*code: 'cancelled'/.test(log()), 'the log line of the cancelled export');
    expect(log()).toContain('export: cancel requested');
    expect(log()).toMatch(/export: failed \{[^}]*code: 'cancelled'/);
  });
});
