import { createHmac } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServer } from '../support/echo-server';
import { startEchoServer } from '../support/echo-server';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, screenshotPath, waitUntil } from '../support/ui-process';

/** A test-only GitHub webhook secret, passed to hooktray ui through the environment. */
const GITHUB_SECRET = 'e2e-resend-edits-secret';
const CRLF_TEXT = 'a\r\nb\r\nc';
const MULTIPART = '--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello\r\n--XYZ--\r\n';
const SIGNED_JSON = '{"action":"opened","number":1}';

describe('hooktray ui re-send of an edited body', () => {
  let session: UiSession;
  let page: Page;
  let echo: EchoServer;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');

  beforeAll(async () => {
    echo = await startEchoServer();
    session = await openUiSession(
      'hooktray-e2e-resend-edits-',
      { profiles: [{ name: 'gh', scheme: 'github', pathPrefix: '/gh', keys: [{ env: 'E2E_RESEND_GITHUB_SECRET' }] }] },
      { E2E_RESEND_GITHUB_SECRET: GITHUB_SECRET },
    );
    page = session.page;
    const receiver = session.ui.receiverUrl;
    expect(await postOrdered(receiver, '/crlf', [['Content-Type', 'text/plain']], CRLF_TEXT)).toBe(200);
    expect(await postOrdered(receiver, '/multipart', [['Content-Type', 'multipart/form-data; boundary=XYZ']], MULTIPART)).toBe(200);
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(SIGNED_JSON).digest('hex')}`;
    const signedHeaders: [string, string][] = [
      ['Content-Type', 'application/json'],
      ['X-Hub-Signature-256', signature],
    ];
    expect(await postOrdered(receiver, '/gh/events', signedHeaders, SIGNED_JSON)).toBe(200);
    await waitUntil(async () => (await rows().count()) === 3, 'three rows');
  });

  afterAll(async () => {
    await session?.close();
    await echo?.close();
  });

  // A failed test can leave its dialog open, which would block the next test's clicks.
  afterEach(async () => {
    if ((await page.getByRole('dialog').count()) > 0) await page.keyboard.press('Escape');
  });

  /** Opens the Re-send dialog of the row at `path`, aimed at the echo server. */
  async function openResend(path: string): Promise<Locator> {
    await rows().filter({ hasText: path }).click();
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    await dialog.getByLabel('Target URL').fill(`${echo.url}/hook`);
    return dialog;
  }

  /** Sends from the dialog, closes it and returns the body the echo server received. */
  async function sendAndClose(dialog: Locator): Promise<Buffer> {
    const before = echo.requests.length;
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await waitUntil(async () => echo.requests.length === before + 1, 'the echo server to receive the re-send');
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'the re-send dialog to close');
    return echo.requests[before]?.body ?? Buffer.alloc(0);
  }

  it('keeps CRLF after an edit is undone', async () => {
    const dialog = await openResend('/crlf');
    expect.soft(await dialog.getByText('Line breaks are sent as CRLF, as received.').count()).toBe(1);
    await dialog.getByRole('textbox', { name: /^Body/ }).focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('x');
    await page.keyboard.press('Backspace');

    expect((await sendAndClose(dialog)).toString('latin1')).toBe(CRLF_TEXT);
  });

  it('sends an edited multipart body with CRLF', async () => {
    const dialog = await openResend('/multipart');
    const body = dialog.getByRole('textbox', { name: /^Body/ });
    await body.fill((await body.inputValue()).replace('hello', 'HELLO'));

    expect((await sendAndClose(dialog)).toString('latin1')).toBe(MULTIPART.replace('hello', 'HELLO'));
  });

  it('warns that an edited body breaks the signature', async () => {
    const dialog = await openResend('/gh/events');
    const note = dialog.getByText(/original signature header will not match/);
    expect(await note.count()).toBe(0);

    const body = dialog.getByRole('textbox', { name: /^Body/ });
    await body.fill(SIGNED_JSON.replace('1}', '2}'));
    await note.waitFor();
    expect(await note.textContent()).toBe(
      'The body is edited, so the original signature header will not match it. Tick "Sign again" to sign the edited body with profile "gh"\'s newest key.',
    );
    await page.screenshot({ path: screenshotPath('ui-resend-stale-signature') });

    await dialog.getByLabel(/^Sign again/).check();
    await waitUntil(async () => (await note.count()) === 0, 'the note to go once re-signing is on');
    await dialog.getByLabel(/^Sign again/).uncheck();
    await note.waitFor();

    await body.fill(SIGNED_JSON);
    await waitUntil(async () => (await note.count()) === 0, 'the note to go once the body is as received');
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'the re-send dialog to close');
  });
});
