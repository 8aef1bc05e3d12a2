import { rmSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServer, RawAnswerServer } from '../support/echo-server';
import { startEchoServer, startRawAnswerServer } from '../support/echo-server';
import { tempDir, writeConfig } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

describe('hooktray ui compare and re-send', () => {
  let dir: string;
  let ui: UiProcess;
  let echo: EchoServer;
  let failing: EchoServer;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-replay-');
    echo = await startEchoServer();
    failing = await startEchoServer(() => ({ status: 500, body: '{"error":"boom"}' }));
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ env: 'E2E_REPLAY_KEY' }] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config], { E2E_REPLAY_KEY: 'e2e-replay-key' });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    for (const amount of ['12345678901234567890', '12345678901234567891']) {
      const body = `{"order":{"id":"A-1","amount":${amount}},"note":"same"}`;
      expect(await postOrdered(ui.receiverUrl, '/orders', [['Content-Type', 'application/json']], body)).toBe(200);
    }
    await waitUntil(async () => (await rows().count()) === 2, 'two rows');
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await echo?.close();
    await failing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares two deliveries by path', async () => {
    await rows().nth(1).click();
    await page.getByRole('button', { name: 'Compare…' }).click();
    await rows().nth(0).click();
    await page.getByRole('button', { name: 'Compare with picked' }).click();

    const compare = page.getByRole('dialog', { name: 'Compare deliveries' });
    await compare.locator('.diff-changes').waitFor();
    const changes = await compare.locator('.diff-changes tbody tr').allTextContents();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toContain('/order/amount');
    expect(changes[0]).toContain('12345678901234567890');
    expect(changes[0]).toContain('12345678901234567891');
    await page.screenshot({ path: screenshotPath('ui-compare') });
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await compare.count()) === 0, 'the compare dialog to close');
  });

  it('marks the picked delivery until the pick is cancelled', async () => {
    await rows().nth(1).click();
    await page.getByRole('button', { name: 'Compare…' }).click();
    const picked = rows().filter({ hasText: 'picked to compare' });
    await waitUntil(async () => (await picked.count()) === 1, 'the picked row to be marked');
    expect(await rows().nth(1).textContent()).toContain('picked to compare');

    await page.getByRole('button', { name: 'Cancel compare' }).click();
    await waitUntil(async () => (await picked.count()) === 0, 'the mark to go');
    expect(await page.getByRole('button', { name: 'Compare…' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel compare' }).count()).toBe(0);
  });

  it('re-sends the exact body to a target', async () => {
    await rows().nth(0).click();
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    await dialog.getByLabel('Target URL').fill(`${echo.url}/hook`);
    await dialog.getByRole('button', { name: 'Send' }).click();

    await waitUntil(async () => echo.requests.length === 1, 'the echo server to receive the re-send');
    expect(echo.requests[0]?.body.toString()).toBe('{"order":{"id":"A-1","amount":12345678901234567891},"note":"same"}');
    await waitUntil(async () => (await dialog.locator('.facts-table tr').count()) === 1, 'the recorded response');
    expect(await dialog.locator('.facts-table').textContent()).toContain('200');
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the re-send dialog');
  });

  it('shows a 500 from the target as an error', async () => {
    await rows().nth(0).click();
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    await dialog.getByLabel('Target URL').fill(`${failing.url}/hook`);
    await dialog.getByRole('button', { name: 'Send' }).click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^500 in [\d.]+ ms\. The target reported an error; check its log\.$/);
    expect(failing.requests).toHaveLength(1);
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the re-send dialog');
  });

  it('shows redirect Location and response', async () => {
    // Enough text that one control character does not make the body count as binary.
    const body = `moved\u0007 here\n\u202eevil\n${'text '.repeat(40)}`;
    const redirect = await startRawAnswerServer(
      `HTTP/1.1 307 Temporary Redirect\r\nLocation: /moved?x=1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    try {
      await rows().nth(0).click();
      await page.getByRole('button', { name: 'Re-send…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
      await dialog.getByLabel('Target URL').fill(`${redirect.url}/hook`);
      await dialog.getByRole('button', { name: 'Send' }).click();

      const status = dialog.getByRole('status');
      await status.waitFor();
      expect(await status.textContent()).toContain(`the target redirects to ${redirect.url}/moved?x=1, so send to that URL`);

      // The newest response comes first, and its button opens it from the keyboard.
      const show = dialog.getByRole('button', { name: 'Show response' }).first();
      await show.focus();
      await page.keyboard.press('Enter');
      expect(await dialog.getByRole('button', { name: 'Hide response' }).first().getAttribute('aria-expanded')).toBe('true');
      const headers = dialog.getByRole('table', { name: /^Response headers of / });
      expect(await headers.textContent()).toContain('Location/moved?x=1');
      const shownBody = dialog.getByLabel(/^Response body of /);
      expect(await shownBody.textContent()).toBe(`moved\\x07 here\n\\u202eevil\n${'text '.repeat(40)}`);
      await page.screenshot({ path: screenshotPath('ui-resend-response') });
      await page.keyboard.press('Escape');
      await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the re-send dialog');
    } finally {
      await redirect.close();
    }
  });

  it('shows a binary response in hex and cuts a long one', async () => {
    const long = 'a'.repeat(70_000);
    const binary = await startRawAnswerServer('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\u0000\u0001\u0002\u0003');
    const text = await startRawAnswerServer(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${long.length}\r\n\r\n${long}`);
    try {
      await rows().nth(1).click();
      await page.getByRole('button', { name: 'Re-send…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
      const shows = dialog.getByRole('button', { name: 'Show response' });
      for (const [index, target] of [binary, text].entries()) {
        await dialog.getByLabel('Target URL').fill(`${target.url}/hook`);
        await dialog.getByRole('button', { name: 'Send', exact: true }).click();
        await waitUntil(async () => (await shows.count()) === index + 1, `recorded response ${index + 1}`);
      }

      // Newest first: the long text, then the binary body.
      await shows.nth(1).click();
      await shows.nth(0).click();
      const notes = await dialog.locator('.response-detail .note').allTextContents();
      expect(notes).toContain('Only the first 65,536 characters are shown here; the stored body is 68.4 KiB.');
      expect(notes).toContain('The body is binary (4 B stored), so all of it is shown in hex.');
      expect(await dialog.getByLabel(/^Response body of .* in hex$/).textContent()).toContain('00 01 02 03');
      expect((await dialog.getByLabel(/^Response body of [^ ]+$/).textContent())?.length).toBe(65_536);
      await page.keyboard.press('Escape');
      await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the re-send dialog');
    } finally {
      await binary.close();
      await text.close();
    }
  });

  /** Re-sends the newest row to a target that never responds, and returns the dialog once the target has the request. */
  async function resendTo(silent: RawAnswerServer): Promise<Locator> {
    await rows().nth(0).click();
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    await dialog.getByLabel('Target URL').fill(`${silent.url}/hook`);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitUntil(async () => silent.requests() === 1, 'the silent target to receive the re-send');
    return dialog;
  }

  it('cancels a re-send that waits for its target', async () => {
    const silent = await startRawAnswerServer('');
    try {
      const dialog = await resendTo(silent);

      await dialog.getByRole('button', { name: 'Cancel' }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('was cancelled before the target answered');
      expect(await dialog.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
      await page.keyboard.press('Escape');
      await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the re-send dialog');
    } finally {
      await silent.close();
    }
  });

  it('cancels a re-send when its dialog closes', async () => {
    const silent = await startRawAnswerServer('');
    try {
      const dialog = await resendTo(silent);

      await dialog.getByRole('button', { name: 'Close' }).click();
      await waitUntil(async () => (await dialog.count()) === 0, 'the re-send dialog to close');
      // Without the cancel, the connection would stay open until the send's own timeout.
      await waitUntil(async () => silent.openConnections() === 0, 'the re-send to close its connection');
    } finally {
      await silent.close();
    }
  });

  it('sends a signed test delivery under the profile path', async () => {
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test delivery' });
    const target = dialog.getByLabel('Target URL');
    await waitUntil(async () => (await target.inputValue()).endsWith('/webhooks/spike'), 'the target to include the profile path');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('status').filter({ hasText: 'signed with profile "spike"' }).waitFor();

    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'Escape to close the dialog');
    await waitUntil(async () => (await rows().count()) === 3, 'the test delivery row');
    expect(await rows().first().textContent()).toContain('valid');
  });
});
