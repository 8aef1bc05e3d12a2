import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, waitUntil } from '../support/ui-process';

describe('hooktray ui retention change', () => {
  let session: UiSession;
  let page: Page;
  let rows: Locator;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-retention-', {});
    page = session.page;
    rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    for (const n of [1, 2, 3, 4, 5]) expect(await postOrdered(session.ui.receiverUrl, `/kept/${n}`, [['Content-Type', 'application/json']], `{"n":${n}}`)).toBe(200);
    await waitUntil(async () => (await rows.count()) === 5, 'five delivery rows');
  });

  afterAll(async () => {
    await session?.close();
  });

  it('drops pruned deliveries from the list', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Maximum deliveries').fill('2');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await waitUntil(async () => (await rows.count()) === 2, 'the list to keep two rows');
    expect(await rows.nth(0).textContent()).toContain('/kept/5');
    expect(await rows.nth(1).textContent()).toContain('/kept/4');
    await page.locator('.list-summary').filter({ hasText: /^2 stored$/ }).waitFor();
    expect(await page.getByTestId('delivery-count').textContent()).toBe('2 deliveries');
  });
});
