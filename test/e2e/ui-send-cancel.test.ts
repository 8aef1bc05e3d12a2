import { rmSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawAnswerServer } from '../support/echo-server';
import { startRawAnswerServer } from '../support/echo-server';
import { tempDir, writeConfig } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, screenshotPath, startUi, waitUntil } from '../support/ui-process';

describe('hooktray ui cancels a test delivery', () => {
  let dir: string;
  let ui: UiProcess;
  let silent: RawAnswerServer;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-send-cancel-');
    // Accepts each connection, reads the request and never sends a response.
    silent = await startRawAnswerServer('');
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ env: 'E2E_SEND_CANCEL_KEY' }] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config], { E2E_SEND_CANCEL_KEY: 'made-up-e2e-send-cancel-key' });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the dialog and sends a test delivery to the silent target, which receives it. */
  async function sendToSilentTarget(): Promise<Locator> {
    const before = silent.requests();
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test delivery' });
    const target = dialog.getByLabel('Target URL');
    // The dialog fills in the profile's path once the settings load, so type after that to keep the typed target.
    await waitUntil(async () => (await target.inputValue()).endsWith('/webhooks/spike'), 'the target to include the profile path');
    await target.fill(`${silent.url}/webhooks/spike`);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitUntil(async () => silent.requests() === before + 1, 'the silent target to receive the test delivery');
    return dialog;
  }

  // The expression is a string because the tests' Node tsconfig has no DOM types.
  const focusedText = async (): Promise<string | null> => (await page.evaluate('document.activeElement?.textContent ?? null')) as string | null;

  it('stops the send when Cancel is clicked', async () => {
    const dialog = await sendToSilentTarget();
    const cancel = dialog.getByRole('button', { name: 'Cancel' });
    await cancel.waitFor();
    await cancel.click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`The request to ${silent.url}/webhooks/spike was cancelled before the target answered; the target may still have received it.`);
    expect(await cancel.count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('ui-send-cancel') });
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the dialog');
  });

  it('stops the send when the dialog closes', async () => {
    const dialog = await sendToSilentTarget();
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the dialog');
    // Without the cancel, the connection would stay open until the send's own timeout.
    await waitUntil(async () => silent.openConnections() === 0, 'the test delivery to close its connection');
  });

  it('moves focus to Cancel so Enter stops the send', async () => {
    const dialog = await sendToSilentTarget();
    await waitUntil(async () => (await focusedText()) === 'Cancel', 'Cancel to take the focus from the disabled Send');
    await page.keyboard.press('Enter');

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('was cancelled before the target answered');
    await waitUntil(async () => (await focusedText()) === 'Send', 'Send to take the focus back');
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the dialog');
  });
});
