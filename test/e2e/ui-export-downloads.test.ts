import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, waitUntil } from '../support/ui-process';

describe('hooktray ui export as browser downloads', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-export-downloads-', {});
    page = session.page;
    for (let n = 1; n <= 10; n += 1) expect(await postOrdered(session.ui.receiverUrl, `/hook/${n}`, [['Content-Type', 'application/json']], `{"n":${n}}`)).toBe(200);
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 10, 'all ten delivery rows');
  });

  afterAll(async () => {
    await session?.close();
  });

  it('downloads all 20 files', async () => {
    // Ten cURL deliveries make 20 files, a .sh and a .body each, and Chromium dropped ten of them when all started at once.
    const downloads: string[] = [];
    page.on('download', (started) => downloads.push(started.suggestedFilename()));
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('curl');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();

    await dialog.getByRole('status').filter({ hasText: 'Exported 10 deliveries to downloads.' }).waitFor();
    await waitUntil(async () => downloads.length === 20, 'all 20 downloads');
    expect(downloads.filter((name) => name.endsWith('.sh'))).toHaveLength(10);
    expect(downloads.filter((name) => name.endsWith('.body'))).toHaveLength(10);
  });
});
