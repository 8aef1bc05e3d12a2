import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, startUi, waitUntil } from '../support/ui-process';

/** Returns a port on 127.0.0.1 that was free a moment ago, for a UI that must keep its port across a restart. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolvePort(address.port);
        else reject(new Error(`Listening on port 0 returned no port number but ${String(address)}`));
      });
    });
  });
}

describe('hooktray ui restarted while the page is open', () => {
  let dir: string;
  let port: number;
  let ui: UiProcess | null = null;
  let browser: BrowserContext;
  let page: Page;

  const start = (): Promise<UiProcess> => startUi(['--data-dir', `${dir}/data`, '--port', String(port)]);

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-restart-page-');
    port = await freePort();
    ui = await start();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    expect(await postOrdered(ui.receiverUrl, '/before-restart', [['Content-Type', 'application/json']], '{"n":1}')).toBe(200);
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 1, 'the delivery row');
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells how to open the new URL', async () => {
    await ui?.stop();
    const alert = page.getByRole('banner').getByRole('alert').filter({ hasText: 'Disconnected:' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('start it again and open the new URL that it prints, because each start makes a new token');

    ui = await start();
    await page.reload();
    const text = await page.locator('body').textContent();
    expect(text).toContain('This page is from an earlier hooktray ui');
    expect(text).toContain('Open the URL that the running hooktray ui printed');

    await page.goto(ui.uiUrl);
    await page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').filter({ hasText: '/before-restart' }).waitFor();
  });
});
