import { readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServer } from '../support/echo-server';
import { postRaw, startEchoServer } from '../support/echo-server';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, startUi, waitUntil } from '../support/ui-process';

/** Every byte value once, so a body that is not exact shows. */
const BINARY_BODY = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

/** Returns a HAR 1.2 file as another tool writes it: one entry, no Hooktray fields. */
function harFile(): string {
  const request = {
    method: 'POST',
    url: 'https://hooks.example.test/har/orders?attempt=1',
    httpVersion: 'HTTP/1.1',
    headers: [{ name: 'Content-Type', value: 'application/json' }],
    postData: { mimeType: 'application/json', text: '{"order":"H-1","amount":12.50}' },
  };
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'e2e', version: '1' }, entries: [{ startedDateTime: '2025-04-15T13:33:55.271Z', request }] } });
}

describe('hooktray ui in Chromium: import and edited re-send', () => {
  let dir: string;
  let ui: UiProcess;
  let echo: EchoServer;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const importInput = () => page.getByLabel('Files to import');
  const importStatus = () => page.locator('.import-message').getByRole('status');
  const importAlert = () => page.locator('.import-message').getByRole('alert');

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-import-');
    echo = await startEchoServer();
    ui = await startUi(['--data-dir', join(dir, 'data')]);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    const host = new URL(ui.receiverUrl).host;
    const posted = await postRaw(`${ui.receiverUrl}/binary/original`, [['Host', host], ['Content-Type', 'application/octet-stream'], ['Content-Length', String(BINARY_BODY.length)]], BINARY_BODY);
    expect(posted.status).toBe(200);
    await waitUntil(async () => (await rows().count()) === 1, 'the posted row');
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await echo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Re-sends the row at `path` to the echo server, with `body` typed into the dialog when given. */
  async function resend(path: string, body?: string): Promise<Buffer> {
    const before = echo.requests.length;
    await rows().filter({ hasText: path }).first().click();
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    await dialog.getByLabel('Target URL').fill(`${echo.url}/echo`);
    if (body !== undefined) await dialog.getByRole('textbox', { name: /^Body/ }).fill(body);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitUntil(async () => echo.requests.length === before + 1, 'the echo server to receive the re-send');
    await dialog.getByRole('status').filter({ hasText: '200 in' }).waitFor();
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await dialog.count()) === 0, 'the re-send dialog to close');
    return echo.requests[before]?.body ?? Buffer.alloc(0);
  }

  it('imports its own fixture export with exact bytes', async () => {
    const folder = join(dir, 'fixtures');
    await rows().first().click();
    await page.getByRole('button', { name: 'Export selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(folder);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: `Exported 1 delivery to ${folder}` }).waitFor();
    await page.keyboard.press('Escape');

    // A copy with the same path and body would join the original's retry group, so the import gets a path of its own.
    const fixture = readdirSync(folder).find((name) => name.endsWith('.json') && name !== 'index.json') as string;
    const record = JSON.parse(readFileSync(join(folder, fixture), 'utf8')) as { path: string };
    writeFileSync(join(folder, fixture), JSON.stringify({ ...record, path: '/binary/imported' }));

    await importInput().setInputFiles(readdirSync(folder).map((name) => join(folder, name)));
    await importStatus().filter({ hasText: /^Imported 1 delivery from \d+ files, 1 with a new id because its id was already stored\.$/ }).waitFor();
    await rows().filter({ hasText: '/binary/imported' }).waitFor();
    expect(await resend('/binary/imported')).toEqual(BINARY_BODY);
  });

  it('imports a HAR file', async () => {
    const har = join(dir, 'orders.har');
    writeFileSync(har, harFile());
    await importInput().setInputFiles(har);
    await importStatus().filter({ hasText: 'Imported 1 delivery from orders.har.' }).waitFor();
    await rows().filter({ hasText: '/har/orders?attempt=1' }).waitFor();

    expect((await resend('/har/orders')).toString()).toBe('{"order":"H-1","amount":12.50}');
  });

  it('names the file of a failed import', async () => {
    const broken = join(dir, 'broken.har');
    writeFileSync(broken, '{"log": {"entries": [');
    await importInput().setInputFiles(broken);
    await importAlert().filter({ hasText: 'broken.har' }).waitFor();
    expect(await importAlert().textContent()).not.toContain('Uint8Array');
    await page.getByRole('button', { name: 'Dismiss the import message' }).click();
    await waitUntil(async () => (await importAlert().count()) === 0, 'the dismissed message to go');
  });

  it('asks for every file of a fixture folder', async () => {
    await importInput().setInputFiles(join(dir, 'fixtures', 'index.json'));
    await importAlert().filter({ hasText: 'is missing or unreadable; select all the files of the export folder together.' }).waitFor();
    await page.getByRole('button', { name: 'Dismiss the import message' }).click();
  });

  it('rejects files over the bridge limit before reading them', async () => {
    // A sparse file: 200 MiB as base64 is over the bridge's 256 MiB of request text, and reading it whole could crash the page.
    const big = join(dir, 'big.ndjson');
    writeFileSync(big, '');
    truncateSync(big, 200 * 1024 * 1024);
    await importInput().setInputFiles(big);
    await importAlert().filter({ hasText: 'big.ndjson is 200.0 MiB, over the browser bridge\'s limit of about 192.0 MiB of files for one import.' }).waitFor();
    expect(await importAlert().textContent()).toContain('"hooktray import PATH"');
    await page.getByRole('button', { name: 'Dismiss the import message' }).click();
  });

  it('re-sends an edited body byte for byte', async () => {
    const edited = '{"order":"H-1","amount":13.00,"note":"édité ☃ 😀"}';
    const received = await resend('/har/orders', edited);
    expect(received.equals(Buffer.from(edited, 'utf8'))).toBe(true);
  });
});
