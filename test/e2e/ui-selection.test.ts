import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, waitUntil } from '../support/ui-process';

/** Deliveries to /seq/00 to /seq/29, posted in that order, so /seq/00 is the oldest and the last row. */
const SEQUENCE = 30;
/** Headers of the newest delivery: far more than the detail pane shows without scrolling. */
const LONG_HEADER_COUNT = 150;

const isFocused = (target: Locator): Promise<boolean> => target.evaluate((element) => element.ownerDocument.activeElement === element);

describe('hooktray ui selection and keyboard', () => {
  let session: UiSession;
  let page: Page;

  const list = (): Locator => page.getByRole('listbox', { name: 'Deliveries' });
  const selectedRow = (): Locator => list().getByRole('option', { selected: true });
  const detail = (): Locator => page.getByRole('region', { name: 'Delivery', exact: true });
  const scrollTop = (): Promise<number> => detail().evaluate((element) => element.scrollTop);
  const scrolledToEnd = (): Promise<boolean> => detail().evaluate((element) => element.scrollTop + element.clientHeight >= element.scrollHeight - 1);

  /** Returns the path shown in the selected row, or null when no row is selected. */
  async function selectedPath(): Promise<string | null> {
    if ((await selectedRow().count()) === 0) return null;
    return selectedRow().locator('.cell.path').getAttribute('title');
  }

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-selection-', {});
    page = session.page;
    for (let index = 0; index < SEQUENCE; index++) {
      const path = `/seq/${String(index).padStart(2, '0')}`;
      expect(await postOrdered(session.ui.receiverUrl, path, [['Content-Type', 'application/json']], `{"n":${index}}`)).toBe(200);
    }
    const headers: [string, string][] = Array.from({ length: LONG_HEADER_COUNT }, (_, index) => [`X-Long-${index}`, `value ${index}`]);
    expect(await postOrdered(session.ui.receiverUrl, '/long-headers', headers, 'long')).toBe(200);
  });

  afterAll(async () => {
    await session?.close();
  });

  // A fresh page per test, so each starts with no selection and no filter.
  beforeEach(async () => {
    await page.reload();
    await page.locator('.list-summary').filter({ hasText: `${SEQUENCE + 1} stored` }).waitFor();
  });

  it('detail pane keeps the list keys', async () => {
    await list().getByRole('option').filter({ hasText: '/long-headers' }).click();
    await page.keyboard.press('2');
    await detail().getByRole('table', { name: 'Headers' }).waitFor();
    const copyHeaders = detail().getByRole('button', { name: 'Copy headers' });
    await copyHeaders.focus();

    for (const key of ['PageDown', 'ArrowDown', 'End']) {
      await page.keyboard.press(key);
      expect(await selectedPath(), `selection after ${key}`).toBe('/long-headers');
      expect(await isFocused(copyHeaders), `focus after ${key}`).toBe(true);
    }
    // Without a handler of its own, the browser scrolls the pane that contains the focused button.
    await waitUntil(async () => (await scrollTop()) > 0, 'the detail pane to scroll');
    expect(await selectedPath()).toBe('/long-headers');
  });

  it('detail pane scrolls from the keyboard', async () => {
    await list().getByRole('option').filter({ hasText: '/long-headers' }).click();
    await page.keyboard.press('2');
    await detail().getByRole('table', { name: 'Headers' }).waitFor();
    expect(await detail().getAttribute('tabindex')).toBe('0');

    await detail().focus();
    await page.keyboard.press('End');
    await waitUntil(scrolledToEnd, 'the detail pane to scroll to its end');
    await page.keyboard.press('Home');
    await waitUntil(async () => (await scrollTop()) === 0, 'the detail pane to scroll to its start');
    expect(await selectedPath()).toBe('/long-headers');
  });

  it('tab shortcut in the pane keeps focus', async () => {
    await list().getByRole('option').filter({ hasText: '/long-headers' }).click();
    await page.keyboard.press('2');
    await detail().getByRole('button', { name: 'Copy headers' }).focus();

    // Copy headers goes away with the Headers tab, so the pane takes the focus.
    await page.keyboard.press('1');
    await detail().getByRole('tab', { name: 'Overview', selected: true }).waitFor();
    expect(await isFocused(detail())).toBe(true);
    await page.keyboard.press('PageDown');
    expect(await selectedPath()).toBe('/long-headers');
  });

  it('tabs and body views are one Tab stop each', async () => {
    await list().getByRole('option').filter({ hasText: '/seq/29' }).click();
    const tabs = detail().getByRole('tablist', { name: 'Delivery views' });
    await tabs.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    const headersTab = tabs.getByRole('tab', { name: 'Headers' });
    expect(await headersTab.getAttribute('aria-selected')).toBe('true');
    expect(await isFocused(headersTab)).toBe(true);
    expect(await tabs.getByRole('tab', { name: 'Overview' }).getAttribute('tabindex')).toBe('-1');

    await page.keyboard.press('End');
    const bodyTab = tabs.getByRole('tab', { name: 'Body' });
    expect(await bodyTab.getAttribute('aria-selected')).toBe('true');
    const views = detail().getByRole('radiogroup', { name: 'Body view' });
    await views.waitFor();
    // Tab leaves the tab list at once and lands on the chosen body view, not on the other tabs.
    await page.keyboard.press('Tab');
    const chosen = views.getByRole('radio', { checked: true });
    expect(await isFocused(chosen)).toBe(true);
    const before = await chosen.textContent();
    await page.keyboard.press('ArrowRight');
    const after = views.getByRole('radio', { checked: true });
    expect(await after.textContent()).not.toBe(before);
    expect(await isFocused(after)).toBe(true);
    expect(await selectedPath()).toBe('/seq/29');
  });

  it('list keys still move the selection', async () => {
    await list().focus();
    await page.keyboard.press('ArrowDown');
    await waitUntil(async () => (await selectedPath()) === '/long-headers', 'the first row to be selected');
    await page.keyboard.press('ArrowDown');
    await waitUntil(async () => (await selectedPath()) === '/seq/29', 'the second row to be selected');
    await page.keyboard.press('PageDown');
    await waitUntil(async () => (await selectedPath()) === '/seq/09', 'the row 20 further down to be selected');
    await page.keyboard.press('3');
    await detail().getByRole('tab', { name: 'Body', selected: true }).waitFor();
  });

  it('End and Home jump at once', async () => {
    // No element has focus after the reload, and the list keys act then too.
    await page.keyboard.press('End');
    await waitUntil(async () => (await selectedPath()) !== null, 'a row to be selected');
    expect(await selectedPath()).toBe('/seq/00');
    await page.keyboard.press('Home');
    await waitUntil(async () => (await selectedPath()) === '/long-headers', 'the first row to be selected');

    await page.reload();
    await page.locator('.list-summary').filter({ hasText: `${SEQUENCE + 1} stored` }).waitFor();
    await list().focus();
    await page.keyboard.press('Home');
    await waitUntil(async () => (await selectedPath()) !== null, 'a row to be selected');
    expect(await selectedPath()).toBe('/long-headers');
  });

  it('filter hiding the selection clears it', async () => {
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    const resend = page.getByRole('button', { name: 'Re-send…' });
    await list().getByRole('option').filter({ hasText: '/seq/05' }).click();
    await page.getByRole('button', { name: 'Export selected…' }).waitFor();

    await filter.fill('no-such-text-anywhere');
    await page.getByText('No stored delivery matches the filter.').waitFor();
    expect(await resend.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Compare…' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Export…' }).count()).toBe(1);
    expect(await detail().getByText('Select a delivery to see its verdict, headers and body.').count()).toBe(1);

    // The selection stays cleared when the filter no longer hides its row.
    await filter.fill('');
    await page.locator('.list-summary').filter({ hasText: `${SEQUENCE + 1} stored` }).waitFor();
    await list().getByRole('option').filter({ hasText: '/seq/29' }).waitFor();
    expect(await selectedRow().count()).toBe(0);
    expect(await resend.isDisabled()).toBe(true);
  });

  it('filter showing the selection keeps it', async () => {
    await list().getByRole('option').filter({ hasText: '/seq/05' }).click();
    await page.getByRole('searchbox', { name: 'Filter' }).fill('/seq/05');
    await page.locator('.list-summary').filter({ hasText: '1 matching' }).waitFor();
    await waitUntil(async () => (await list().getByRole('option').count()) === 1, 'one row');
    expect(await selectedPath()).toBe('/seq/05');
    expect(await page.getByRole('button', { name: 'Re-send…' }).isDisabled()).toBe(false);
  });

  it('Escape in the list clears it', async () => {
    await list().getByRole('option').filter({ hasText: '/seq/05' }).click();
    await page.getByRole('button', { name: 'Export selected…' }).waitFor();

    await page.keyboard.press('Escape');
    await waitUntil(async () => (await selectedRow().count()) === 0, 'no row to be selected');
    expect(await page.getByRole('button', { name: 'Re-send…' }).isDisabled()).toBe(true);
    expect(await detail().getByText('Select a delivery to see its verdict, headers and body.').count()).toBe(1);
    expect(await page.locator('footer').textContent()).toContain('Esc clear selection');

    // Export now takes every delivery the list shows.
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    await dialog.getByRole('heading', { name: 'Export matching deliveries' }).waitFor();
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'the export dialog to close');
  });

  it('Escape in the filter returns to the list', async () => {
    await list().getByRole('option').filter({ hasText: '/seq/05' }).click();
    await page.keyboard.press('/');
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    await filter.pressSequentially('seq');
    await page.keyboard.press('Escape');

    expect(await filter.inputValue()).toBe('');
    await waitUntil(async () => (await page.evaluate("document.activeElement?.closest('[role=listbox]') !== null")) === true, 'the list to have the focus');
    await page.keyboard.press('ArrowDown');
    await waitUntil(async () => (await selectedPath()) !== '/seq/05', 'the selection to move');
  });

  it('digit keys on a tab move the focus with it', async () => {
    await list().getByRole('option').filter({ hasText: '/seq/05' }).click();
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.keyboard.press('3');

    await waitUntil(async () => (await page.evaluate('document.activeElement?.id')) === 'tab-Body', 'the Body tab to have the focus');
    expect(await page.getByRole('tab', { name: 'Body' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await waitUntil(async () => (await page.evaluate('document.activeElement?.id')) === 'tab-Headers', 'the Headers tab to have the focus');
  });
});
