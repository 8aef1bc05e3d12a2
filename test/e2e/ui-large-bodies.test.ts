import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, startUi, waitUntil } from '../support/ui-process';

const BODY_BYTES = 20 * 1024 * 1024;
const COUNT = 4;

/** Returns a JSON body of exactly BODY_BYTES bytes whose text differs per delivery. */
function largeBody(index: number): string {
  const head = `{"delivery":${index},"pad":"`;
  const tail = '"}';
  return `${head}${String(index).repeat(BODY_BYTES - head.length - tail.length)}${tail}`;
}

describe('hooktray ui in Chromium with 20 MiB bodies', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const facts = () => page.getByRole('table', { name: 'Delivery facts' });

  /** Waits until the detail pane shows `request`; fails at once when the page shows a disconnect. */
  async function waitForDetail(request: string): Promise<void> {
    const disconnected = page.getByRole('alert').filter({ hasText: 'Disconnected' });
    await waitUntil(
      async () => {
        if ((await disconnected.count()) > 0) throw new Error(`The page disconnected: ${await disconnected.first().textContent()}`);
        return (await facts().count()) === 1 && ((await facts().textContent()) ?? '').includes(request);
      },
      `the detail of ${request}`,
      40_000,
    );
  }

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-large-');
    ui = await startUi(['--data-dir', join(dir, 'data')]);
    for (let index = 0; index < COUNT; index++) {
      expect(await postOrdered(ui.receiverUrl, `/large/${index}`, [['Content-Type', 'application/json']], largeBody(index))).toBe(200);
    }
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    await waitUntil(async () => (await rows().count()) === COUNT, 'four rows');
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays connected while arrow keys move through them', async () => {
    await rows().first().click();
    for (let press = 0; press < 5; press++) {
      await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(150);
    }

    // The list is newest first, so the last row is the first delivery posted.
    await waitForDetail('POST /large/0 ');
    expect(await facts().textContent()).toContain(`${BODY_BYTES} bytes`);

    const log = readFileSync(join(dir, 'data', 'logs', 'hooktray.log'), 'utf8');
    expect(log).not.toContain('not reading its messages');
    expect(ui.stderr()).not.toContain('not reading its messages');
  });

  it('still answers after the moves', async () => {
    await page.keyboard.press('ArrowUp');
    await waitForDetail('POST /large/1 ');
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
