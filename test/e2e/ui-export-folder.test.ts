import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, waitUntil } from '../support/ui-process';

const EDITED = '{"edited":"by hand"}\n';

describe('hooktray ui export into a folder', () => {
  let session: UiSession;
  let page: Page;
  let out: string;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-export-folder-', {});
    page = session.page;
    out = tempDir('hooktray-e2e-export-out-');
    for (const n of [1, 2]) expect(await postOrdered(session.ui.receiverUrl, `/hook/${n}`, [['Content-Type', 'application/json']], `{"n":${n}}`)).toBe(200);
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 2, 'both delivery rows');
  });

  afterAll(async () => {
    await session?.close();
    rmSync(out, { recursive: true, force: true });
  });

  /** Opens the export dialog for every stored delivery, with this format and folder. */
  async function openExport(format: string, folder: string): Promise<Locator> {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption(format);
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(folder);
    return dialog;
  }

  /** Runs the export and waits for its success message. */
  async function exportSucceeds(dialog: Locator, folder: string): Promise<void> {
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: `Exported 2 deliveries to ${folder}.` }).waitFor();
  }

  /** Runs the export and returns the text of its failure. */
  async function exportFails(dialog: Locator): Promise<string> {
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    return (await alert.textContent()) ?? '';
  }

  it('returns focus to Export after a keyboard export', async () => {
    const folder = join(out, 'keyboard');
    const dialog = await openExport('ndjson', folder);
    await dialog.getByRole('button', { name: 'Export', exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('status').filter({ hasText: `Exported 2 deliveries to ${folder}.` }).waitFor();

    // The expression is a string because the tests' Node tsconfig has no DOM types.
    await waitUntil(async () => (await page.evaluate('document.activeElement?.textContent')) === 'Export', 'Export to take the focus back');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('keeps an earlier fixture export until replacing is ticked', async () => {
    const folder = join(out, 'fixtures');
    const first = await openExport('fixture', folder);
    await exportSucceeds(first, folder);
    await first.getByRole('button', { name: 'Close' }).click();
    writeFileSync(join(folder, 'index.json'), EDITED);

    const second = await openExport('fixture', folder);
    const rejected = await exportFails(second);
    expect(rejected).toContain(folder);
    expect(rejected).toContain('index.json');
    expect(rejected).toContain('"Replace the files of an earlier export"');
    expect(readFileSync(join(folder, 'index.json'), 'utf8')).toBe(EDITED);

    await second.getByRole('checkbox', { name: 'Replace the files of an earlier export' }).check();
    await exportSucceeds(second, folder);
    expect(readFileSync(join(folder, 'index.json'), 'utf8')).not.toBe(EDITED);
    await second.getByRole('button', { name: 'Close' }).click();
  });

  it('clears replacing for another folder', async () => {
    const ticked = join(out, 'ticked');
    const other = join(out, 'other');
    for (const folder of [ticked, other]) {
      const first = await openExport('fixture', folder);
      await exportSucceeds(first, folder);
      await first.getByRole('button', { name: 'Close' }).click();
    }
    writeFileSync(join(other, 'index.json'), EDITED);

    const dialog = await openExport('fixture', ticked);
    await dialog.getByRole('checkbox', { name: 'Replace the files of an earlier export' }).check();
    await exportSucceeds(dialog, ticked);

    // Replacing was ticked for the first folder only, so the other one's export is kept.
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(other);
    expect(await dialog.getByRole('checkbox', { name: 'Replace the files of an earlier export' }).isChecked()).toBe(false);
    expect(await exportFails(dialog)).toContain(other);
    expect(readFileSync(join(other, 'index.json'), 'utf8')).toBe(EDITED);

    // A format with other file names clears the tick too.
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(ticked);
    await dialog.getByRole('checkbox', { name: 'Replace the files of an earlier export' }).check();
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('ndjson');
    expect(await dialog.getByRole('checkbox', { name: 'Replace the files of an earlier export' }).isChecked()).toBe(false);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('keeps an earlier HAR file', async () => {
    const folder = join(out, 'har');
    const first = await openExport('har', folder);
    await exportSucceeds(first, folder);
    await first.getByRole('button', { name: 'Close' }).click();
    writeFileSync(join(folder, 'deliveries.har'), EDITED);

    const second = await openExport('har', folder);
    expect(await exportFails(second)).toContain(join(folder, 'deliveries.har'));
    expect(readFileSync(join(folder, 'deliveries.har'), 'utf8')).toBe(EDITED);
    await second.getByRole('button', { name: 'Close' }).click();
  });

  it('asks for a folder for over 20 downloads', async () => {
    // Runs last: the 20 extra deliveries make 22 cURL files, over the browser's 20 downloads.
    for (let n = 3; n <= 22; n += 1) expect(await postOrdered(session.ui.receiverUrl, `/hook/${n}`, [['Content-Type', 'application/json']], `{"n":${n}}`)).toBe(200);
    await waitUntil(async () => (await page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').count()) === 22, 'all 22 delivery rows');
    const downloads: string[] = [];
    page.on('download', (download) => downloads.push(download.suggestedFilename()));

    const dialog = await openExport('curl', '');
    expect(await exportFails(dialog)).toContain('more than 20 files, too many to download one by one: choose a folder to export into');
    expect(downloads).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});
