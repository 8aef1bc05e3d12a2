import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const CLOSED = 'The connection to hooktray ui closed';

describe('hooktray ui in Chromium after the server stopped', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-disconnect-');
    ui = await startUi(['--data-dir', `${dir}/data`]);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    expect(await postOrdered(ui.receiverUrl, '/before-stop', [['Content-Type', 'application/json']], '{"n":1}')).toBe(200);
    await waitUntil(async () => (await rows().count()) === 1, 'the delivery row');

    const exited = new Promise((resolve) => ui.child.once('exit', resolve));
    ui.child.kill('SIGINT');
    await exited;
    await page.getByRole('alert').filter({ hasText: 'Disconnected:' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the disconnect in the detail pane', async () => {
    await rows().first().click();
    const detail = page.getByRole('region', { name: 'Delivery', exact: true });
    await detail.getByRole('alert').filter({ hasText: CLOSED }).waitFor();
    expect(await detail.getByText('Loading…').count()).toBe(0);
  });

  it('shows the disconnect in the settings', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('alert').filter({ hasText: CLOSED }).waitFor();
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'the settings to close');
  });

  it('shows the disconnect in the list after a filter change', async () => {
    await page.getByRole('combobox', { name: /^Verdict/ }).selectOption('invalid');
    await page.getByRole('alert').filter({ hasText: `Loading deliveries failed: ${CLOSED}` }).waitFor();
  });

  it('shows the disconnect when sending a test delivery', async () => {
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test delivery' });
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('alert').filter({ hasText: CLOSED }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('ui-disconnected') });
  });
});
