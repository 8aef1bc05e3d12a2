import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeaderPair } from '../../electron/core/contract';
import { postRaw } from '../support/echo-server';
import { tempDir } from '../support/listen-process';
import type { UiSession } from '../support/ui-process';
import { openUiSession, waitUntil } from '../support/ui-process';

describe('hooktray ui export that skips deliveries', () => {
  let session: UiSession;
  let page: Page;
  let binaryId: string;
  let gzipIds: string[];

  /** Posts one delivery and returns its id. */
  async function post(path: string, headers: HeaderPair[], body: Buffer): Promise<string> {
    const posted = await postRaw(`${session.ui.receiverUrl}${path}`, [['Host', new URL(session.ui.receiverUrl).host], ...headers], body);
    expect(posted.status).toBe(200);
    return posted.deliveryId as string;
  }

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-export-skips-', {});
    page = session.page;
    const gzipped = gzipSync(Buffer.from('{"n":1}'));
    await post('/text', [['Content-Type', 'application/json']], Buffer.from('{"n":0}'));
    binaryId = await post('/binary', [['Content-Type', 'application/octet-stream']], Buffer.from([0xff, 0xfe, 0x00]));
    gzipIds = [await post('/gzip/1', [['Content-Encoding', 'gzip']], gzipped), await post('/gzip/2', [['Content-Encoding', 'gzip']], gzipped)];
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 4, 'all four delivery rows');
  });

  afterAll(async () => {
    await session?.close();
  });

  it('names each reason and advice in the dialog\'s words', async () => {
    const folder = join(tempDir('hooktray-e2e-export-skips-out-'), 'snippets');
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('snippet');
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(folder);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();

    const status = dialog.getByRole('status').filter({ hasText: 'Exported 1 delivery' });
    await status.waitFor();
    expect(await status.textContent()).toBe(
      `Exported 1 delivery to ${folder}. Skipped 3: 1 with a body that is not valid UTF-8 (${binaryId}), 2 gzip-encoded (${gzipIds.join(', ')}). ` +
        'Export those in the "cURL script per delivery" or "Fixture folder" format, which keep the body bytes.',
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});
