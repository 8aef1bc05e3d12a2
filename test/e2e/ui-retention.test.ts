import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from '../../electron/core/export/fixture';
import { tempDir } from '../support/listen-process';
import type { UiSession } from '../support/ui-process';
import { openUiSession, waitUntil } from '../support/ui-process';

/** Returns an NDJSON export of deliveries to /kept/1 to /kept/5, received on 2025-01-01, a second apart. */
function keptDeliveries(): string {
  const lines = [1, 2, 3, 4, 5].map((n) =>
    JSON.stringify({
      format: FIXTURE_FORMAT,
      version: FIXTURE_VERSION,
      id: `kept-${n}`,
      receivedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
      method: 'POST',
      path: `/kept/${n}`,
      headers: [['Content-Type', 'application/json']],
      body: { encoding: 'utf8', data: `{"n":${n}}` },
    }),
  );
  return `${lines.join('\n')}\n`;
}

describe('hooktray ui retention change', () => {
  let session: UiSession;
  let page: Page;
  let rows: Locator;
  let seedDir: string;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-retention-', {});
    page = session.page;
    rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    // Imported deliveries keep their old time, so an age limit deletes them at once.
    seedDir = tempDir('hooktray-e2e-retention-seed-');
    const seed = join(seedDir, 'kept.ndjson');
    writeFileSync(seed, keptDeliveries());
    await page.getByLabel('Files to import').setInputFiles(seed);
    await waitUntil(async () => (await rows.count()) === 5, 'five delivery rows');
  });

  afterAll(async () => {
    await session?.close();
    rmSync(seedDir, { recursive: true, force: true });
  });

  async function openSettings(): Promise<Locator> {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Save settings' }).waitFor();
    return dialog;
  }

  it('keeps deliveries when a typo is fixed', async () => {
    const dialog = await openSettings();
    const maxAge = dialog.getByLabel('Maximum age (days)');
    await maxAge.fill('1');
    await dialog.getByRole('button', { name: 'Save settings' }).click();

    await dialog.getByText('Maximum age (days): The new retention limits delete 5 stored deliveries at once. Choose "Delete and save" to delete them, or raise the limit to keep them.', { exact: true }).waitFor();
    expect(await maxAge.getAttribute('aria-invalid')).toBe('true');
    expect(await maxAge.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    expect(await rows.count()).toBe(5);

    await maxAge.fill('0');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await rows.count()).toBe(5);
    expect(await page.getByTestId('delivery-count').textContent()).toBe('5 deliveries');
  });

  it('drops pruned deliveries after a confirmed save', async () => {
    const dialog = await openSettings();
    const maxCount = dialog.getByLabel('Maximum deliveries');
    await maxCount.fill('2');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    const warning = dialog.getByText('Maximum deliveries: The new retention limits delete 3 stored deliveries at once. Choose "Delete and save" to delete them, or raise the limit to keep them.', { exact: true });
    await warning.waitFor();
    expect(await rows.count()).toBe(5);

    // Escape replaces the warning with the one about unsaved changes, which suggests saving.
    // Saving again, as that or a double click does, warns again instead of deleting.
    await page.keyboard.press('Escape');
    await dialog.getByText(/^The settings have changes that are not saved/).waitFor();
    await maxCount.press('Enter');
    await dialog.getByText(/^Maximum deliveries: The new retention limits|^Settings saved/).waitFor();
    expect(await warning.count()).toBe(1);
    expect(await rows.count()).toBe(5);

    // The button beside the limits confirms, and Tab reaches it from the field.
    await maxCount.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const confirm = dialog.getByRole('button', { name: 'Delete and save' });
    expect(await confirm.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    await page.keyboard.press('Enter');
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    // Delete and save goes away with the warning, so the focus moves to Save settings.
    const saveButton = dialog.getByRole('button', { name: 'Save settings' });
    expect(await saveButton.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await waitUntil(async () => (await rows.count()) === 2, 'the list to keep two rows');
    expect(await rows.nth(0).textContent()).toContain('/kept/5');
    expect(await rows.nth(1).textContent()).toContain('/kept/4');
    await page.locator('.list-summary').filter({ hasText: /^2 stored$/ }).waitFor();
    expect(await page.getByTestId('delivery-count').textContent()).toBe('2 deliveries');
  });

  it('names a selected delivery that retention deleted', async () => {
    await rows.filter({ hasText: '/kept/4' }).click();
    const detail = page.getByRole('region', { name: 'Delivery', exact: true });
    await detail.getByText('/kept/4', { exact: true }).waitFor();

    const dialog = await openSettings();
    await dialog.getByLabel('Maximum deliveries').fill('1');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByRole('button', { name: 'Delete and save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const notice = detail.getByRole('status');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/^Retention deleted the selected delivery, POST \/kept\/4 \(id \S+\)\. To keep more deliveries, raise Maximum deliveries or Maximum age \(days\) in Settings\.$/);
    expect(await page.getByRole('button', { name: 'Re-send…' }).isDisabled()).toBe(true);
    expect(await rows.count()).toBe(1);

    // Selecting another delivery replaces the notice.
    await rows.first().click();
    await detail.getByText('/kept/5', { exact: true }).waitFor();
    expect(await notice.count()).toBe(0);
  });
});
