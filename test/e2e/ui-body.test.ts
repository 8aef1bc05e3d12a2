import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const TEXT_HEADERS: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']];
const JSON_HEADERS: [string, string][] = [['Content-Type', 'application/json']];

describe('hooktray ui body view in Chromium', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const detail = () => page.getByRole('region', { name: 'Delivery', exact: true });
  const find = () => detail().getByRole('searchbox', { name: 'Find in body' });
  const matchCount = () => detail().locator('.match-count');

  /** Posts a body, opens it on the Body tab and waits for `view`. */
  async function openBody(path: string, headers: [string, string][], body: string, view: 'raw' | 'pretty'): Promise<void> {
    expect(await postOrdered(ui.receiverUrl, path, headers, body)).toBe(200);
    await rows().filter({ hasText: path }).click();
    await page.keyboard.press('3');
    await detail().getByRole('group', { name: `Body, ${view} view` }).waitFor();
  }

  /**
   * Types `needle` into Find, waits up to 10 s for the match count line to read `expectedCount`
   * and returns that line and the text of every mark.
   */
  async function findAll(needle: string, expectedCount: string): Promise<{ count: string; marks: string[] }> {
    await find().fill(needle);
    const countText = async (): Promise<string> => ((await matchCount().count()) === 0 ? '' : ((await matchCount().textContent()) ?? ''));
    await waitUntil(async () => (await countText()) === expectedCount, `"${expectedCount}" for ${needle}`).catch(() => undefined);
    return { count: await countText(), marks: await detail().locator('mark').allTextContents() };
  }

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-body-');
    ui = await startUi(['--data-dir', `${dir}/data`]);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(ui.uiUrl);
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('find marks the match after dotted capitals', async () => {
    await openBody('/find/dotted', TEXT_HEADERS, 'İİİİİİİİ abc target xyz', 'raw');

    let found = await findAll('target', '1 match');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['target']);

    found = await findAll('İİ', '4 matches');
    expect(found.count).toBe('4 matches');
    expect(found.marks).toEqual(['İİ', 'İİ', 'İİ', 'İİ']);
    await page.screenshot({ path: screenshotPath('ui-find-dotted') });
  });

  it('find handles sharp s and emoji', async () => {
    const body = '{"street":"İ Straße","upper":"STRAẞE","emoji":"😀 Target 👍🏽 target"}';
    await openBody('/find/sharp-s', JSON_HEADERS, body, 'pretty');

    let found = await findAll('straße', '2 matches');
    expect(found.count).toBe('2 matches');
    expect(found.marks).toEqual(['Straße', 'STRAẞE']);

    found = await findAll('TARGET', '2 matches');
    expect(found.count).toBe('2 matches');
    expect(found.marks).toEqual(['Target', 'target']);

    found = await findAll('👍🏽', '1 match');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['👍🏽']);
  });

  it('filter finds two characters in a body', async () => {
    expect(await postOrdered(ui.receiverUrl, '/filter/proto', JSON_HEADERS, '{"__proto__":{"polluted":true}}')).toBe(200);
    expect(await postOrdered(ui.receiverUrl, '/filter/plain', TEXT_HEADERS, 'no quotes here')).toBe(200);
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    expect(await page.locator(`#${await filter.getAttribute('aria-describedby')}`).textContent()).toBe('Searches the first 64 KiB of each body');

    await filter.fill('__');
    await waitUntil(async () => (await rows().count()) === 1, 'one row for __');
    expect(await rows().first().textContent()).toContain('/filter/proto');

    // A quote matches the quotes in JSON bodies, never the JSON that stores the headers.
    await filter.fill('"');
    await rows().filter({ hasText: '/filter/proto' }).waitFor();
    expect(await rows().filter({ hasText: '/filter/plain' }).count()).toBe(0);
    await filter.fill('');
  });

  it('find marks a match across JSON tokens', async () => {
    await openBody('/find/tokens', JSON_HEADERS, '{"amount":125}', 'pretty');
    const found = await findAll('"amount": 12', '1 match');
    expect(found.count).toBe('1 match');
    expect(found.marks.join('')).toBe('"amount": 12');
    expect(pageErrors).toEqual([]);
  });
});
