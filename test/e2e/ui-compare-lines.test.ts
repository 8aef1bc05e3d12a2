import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, screenshotPath, waitUntil } from '../support/ui-process';

/** Declares the page's getComputedStyle, which runs in Chromium, because the test's TypeScript has no DOM types. */
declare function getComputedStyle(element: unknown): { backgroundColor: string };

describe('hooktray ui compare body lines', () => {
  let session: UiSession;
  let page: Page;
  let compare: Locator;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const lineRows = () => compare.locator('.diff-lines tbody tr:not(.diff-hunk)');
  const background = (cell: Locator) => cell.evaluate((element: unknown) => getComputedStyle(element).backgroundColor);

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-compare-lines-', { profiles: [] });
    page = session.page;
    const text: [string, string][] = [['Content-Type', 'text/plain']];
    expect(await postOrdered(session.ui.receiverUrl, '/left', text, 'first\nsecond\nthird\n')).toBe(200);
    expect(await postOrdered(session.ui.receiverUrl, '/right', text, 'first\nsecond\u001b[1m\nthird\r\n')).toBe(200);
    await waitUntil(async () => (await rows().count()) === 2, 'two rows');

    await rows().filter({ hasText: '/left' }).click();
    await page.getByRole('button', { name: 'Compare…' }).click();
    await rows().filter({ hasText: '/right' }).click();
    await page.getByRole('button', { name: 'Compare with picked' }).click();
    compare = page.getByRole('dialog', { name: 'Compare deliveries' });
    await compare.locator('.diff-lines').waitFor();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('marks changed lines and not unchanged ones', async () => {
    expect(await lineRows().count()).toBe(3);
    const [unchanged, second, third] = await lineRows().all();
    if (unchanged === undefined || second === undefined || third === undefined) throw new Error('expected three line rows');

    // Screen readers get the words; the −/+ glyphs are hidden from them.
    expect(await unchanged.textContent()).toBe('firstfirst');
    for (const changed of [second, third]) {
      const markers = changed.locator('.diff-marker');
      expect(await markers.nth(0).textContent()).toBe('−Removed:');
      expect(await markers.nth(1).textContent()).toBe('+Added:');
      expect(await markers.nth(0).locator('[aria-hidden="true"]').textContent()).toBe('−');
      expect(await changed.locator('.visually-hidden').allTextContents()).toEqual(['Removed:', 'Added:']);
    }
    expect(await unchanged.locator('.diff-marker').allTextContents()).toEqual(['', '']);
    await page.screenshot({ path: screenshotPath('ui-compare-lines') });
  });

  it('colours changed lines in both schemes', async () => {
    const unchangedText = lineRows().nth(0).locator('td.line-text').nth(1);
    const added = lineRows().nth(1).locator('td.line-text').nth(1);
    const removed = lineRows().nth(1).locator('td.line-text').nth(0);
    const light = { unchanged: await background(unchangedText), added: await background(added), removed: await background(removed) };
    expect(light.added).not.toBe(light.unchanged);
    expect(light.removed).not.toBe(light.unchanged);
    expect(light.removed).not.toBe(light.added);

    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      const dark = { unchanged: await background(unchangedText), added: await background(added), removed: await background(removed) };
      expect(dark.added).not.toBe(dark.unchanged);
      expect(dark.removed).not.toBe(dark.unchanged);
      expect(dark.added).not.toBe(light.added);
      expect(dark.removed).not.toBe(light.removed);
      await page.screenshot({ path: screenshotPath('ui-compare-lines-dark') });
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('shows CR and ESC as escapes', async () => {
    const rightText = async (row: number) => lineRows().nth(row).locator('td.line-text').nth(1).textContent();
    expect(await rightText(1)).toBe('second\\x1b[1m');
    expect(await rightText(2)).toBe('third\\r');
    expect(await lineRows().nth(2).locator('td.line-text').nth(0).textContent()).toBe('third');
    expect(await lineRows().nth(1).locator('.invisible-char').getAttribute('title')).toBe('U+001B, a control character as received');
  });

  it('says text bodies are compared by lines', async () => {
    const note = compare.getByText(/^Not compared as JSON/);
    const text = await note.textContent();
    expect(text).toMatch(/^Not compared as JSON, so the bodies are compared by lines only\. Left \([0-9A-Z]+\): The body is not JSON \(/);
    expect(text).toContain('Right (');
  });
});

describe('hooktray ui compare JSON values', () => {
  let session: UiSession;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-compare-json-', { profiles: [] });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows invisible characters in values as escapes', async () => {
    const page = session.page;
    const json: [string, string][] = [['Content-Type', 'application/json']];
    expect(await postOrdered(session.ui.receiverUrl, '/json-left', json, '{"note":"plain"}')).toBe(200);
    expect(await postOrdered(session.ui.receiverUrl, '/json-right', json, '{"note":"zero\u200bwidth"}')).toBe(200);
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 2, 'two rows');

    await rows.filter({ hasText: '/json-left' }).click();
    await page.getByRole('button', { name: 'Compare…' }).click();
    await rows.filter({ hasText: '/json-right' }).click();
    await page.getByRole('button', { name: 'Compare with picked' }).click();
    const cells = page.getByRole('dialog', { name: 'Compare deliveries' }).locator('.diff-changes tbody tr').first().locator('td');
    await cells.first().waitFor();

    expect(await cells.nth(1).textContent()).toBe('/note');
    expect(await cells.nth(2).textContent()).toBe('"plain"');
    expect(await cells.nth(3).textContent()).toBe('"zero\\u200bwidth"');
  });
});
