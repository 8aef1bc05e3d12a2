import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const JSON_HEADERS: [string, string][] = [['Content-Type', 'application/json']];
const ESC = '\u001b';

describe('hooktray ui in Chromium under reloads and hostile bodies', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const list = () => page.getByRole('listbox', { name: 'Deliveries' });
  const rows = () => list().getByRole('option');
  const detail = () => page.getByRole('region', { name: 'Delivery', exact: true });

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-reliability-');
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

  it('reload resumes without gaps or duplicates', async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
    for (const name of names.slice(0, 5)) expect(await postOrdered(ui.receiverUrl, `/reload/${name}`, JSON_HEADERS, '{}')).toBe(200);
    await waitUntil(async () => (await rows().count()) === 5, 'five rows before the reload');

    // Deliveries posted while the page reloads must appear once, from the store or from a push.
    const reloading = page.reload();
    for (const name of names.slice(5, 8)) expect(await postOrdered(ui.receiverUrl, `/reload/${name}`, JSON_HEADERS, '{}')).toBe(200);
    await reloading;
    for (const name of names.slice(8)) expect(await postOrdered(ui.receiverUrl, `/reload/${name}`, JSON_HEADERS, '{}')).toBe(200);

    await waitUntil(async () => (await rows().count()) >= 10, 'ten rows after the reload');
    await page.waitForTimeout(300);
    expect(await rows().count()).toBe(10);
    for (const name of names) expect(await rows().filter({ hasText: `/reload/${name}` }).count(), name).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('hostile bodies show as text', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const ansi = `{"user":"${ESC}[31mred${ESC}[0m","bell":"\u0007"}`;
    expect(await postOrdered(ui.receiverUrl, '/hostile/nested', JSON_HEADERS, nested)).toBe(200);
    expect(await postOrdered(ui.receiverUrl, '/hostile/ansi', JSON_HEADERS, ansi)).toBe(200);
    await waitUntil(async () => (await rows().count()) === 12, 'twelve rows');

    for (const [path, expected] of [
      ['/hostile/nested', '[[[['],
      ['/hostile/ansi', 'red'],
    ] as const) {
      await rows().filter({ hasText: path }).click();
      await page.keyboard.press('3');
      await detail().getByRole('tab', { name: 'Body', selected: true }).waitFor();
      // The page runs script again within the waitUntil bound, so the pretty view did not hang it.
      await waitUntil(async () => (await page.evaluate(() => 1 + 1)) === 2, `the page to respond after opening ${path}`);
      await detail().getByRole('radio', { name: 'Raw' }).click();
      const raw = detail().getByRole('group', { name: 'Body, raw view' });
      await raw.waitFor();
      expect(await raw.textContent(), path).toContain(expected);
    }
    expect(await page.locator('body script').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: screenshotPath('ui-hostile-bodies') });
  });
});
