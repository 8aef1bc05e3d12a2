import { rmSync } from 'node:fs';
import http from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForRawHeaders, tempDir, writeConfig } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const KEY = 'e2e-spike-shared-key';
const TIMESTAMP = '2025-04-15T13:33:55.271331177Z';

function signedHeaders(body: string, extra: [string, string][] = []): [string, string][] {
  return [['Content-Type', 'application/json'], ...extra, ['X-Body-Signature', spikeSignature(KEY, body)]];
}

function rawGet(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Runs `hooktray ui` with one Spike profile without keys and a Chromium for the tests of a describe block. */
function useUiWithKeylessProfile(dirPrefix: string, profileName: string, ready: (ui: UiProcess, browser: BrowserContext) => void): void {
  let dir: string;
  let ui: UiProcess | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    dir = tempDir(dirPrefix);
    const config = writeConfig(dir, { profiles: [{ name: profileName, scheme: 'spike', pathPrefix: '/', keys: [] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config]);
    browser = await launchChromium();
    ready(ui, browser);
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
}

describe('hooktray ui in Chromium with a Spike key', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const list = () => page.getByRole('listbox', { name: 'Deliveries' });
  const rows = () => list().getByRole('option');
  const detail = () => page.getByRole('region', { name: 'Delivery' });

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-');
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'E2E_SPIKE_KEY' }] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config], { E2E_SPIKE_KEY: KEY });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(ui.uiUrl);
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('empty state shows a test command', async () => {
    const command = await page.locator('.command').textContent();
    expect(command).toContain('curl -X POST');
    expect(command).toContain(ui.receiverUrl);
    expect(page.url()).not.toContain('token=');
  });

  it('three signed Spike deliveries appear as valid rows', async () => {
    for (const user of ['user-a', 'user-b', 'user-c']) {
      const body = spikeBody(user);
      expect(await postOrdered(ui.receiverUrl, '/spike/webhook', signedHeaders(body), body)).toBe(200);
    }
    await waitUntil(async () => (await rows().count()) === 3, 'three rows');
    await waitUntil(async () => (await list().locator('.badge', { hasText: /^valid$/ }).count()) === 3, 'three valid badges');
    expect(await rows().first().textContent()).toContain('user-c');
    await page.screenshot({ path: screenshotPath('ui-three-valid') });
  });

  it('detail shows headers in received order and the timestamp verbatim', async () => {
    const body = spikeBody('user-headers');
    const headers = signedHeaders(body, [['X-Zeta-First', 'z'], ['x-lower-case', 'l'], ['X-Dup', 'one'], ['X-Dup', 'two']]);
    await postOrdered(ui.receiverUrl, '/spike/webhook', headers, body);
    await rows().filter({ hasText: 'user-headers' }).click();

    await detail().getByRole('tab', { name: 'Overview' }).click();
    await detail().getByText(TIMESTAMP, { exact: true }).first().waitFor();
    await detail().getByRole('tab', { name: 'Headers' }).click();
    const table = detail().getByRole('table', { name: 'Headers' });
    await table.waitFor();
    const names = await table.locator('td.header-name').allTextContents();
    const sent = headers.map(([name]) => name);
    expect(names.filter((name) => sent.includes(name))).toEqual(sent);
    expect(await table.locator('td.header-value').allTextContents()).toEqual(expect.arrayContaining(['one', 'two']));
    await page.screenshot({ path: screenshotPath('ui-headers') });
  });

  it('body view keeps big numbers and 1.0 unchanged', async () => {
    const body = `[{"application_user_id":"user-big","event_type":"record_change","timestamp":"${TIMESTAMP}","value":12345678901234567890,"ratio":1.0}]`;
    await postOrdered(ui.receiverUrl, '/spike/webhook', signedHeaders(body), body);
    await rows().filter({ hasText: 'user-big' }).click();
    await page.keyboard.press('3');
    await detail().getByRole('tab', { name: 'Body', selected: true }).waitFor();

    const pretty = detail().getByRole('group', { name: 'Body, pretty view' });
    await pretty.waitFor();
    const prettyText = (await pretty.textContent()) ?? '';
    expect(prettyText).toContain('"value": 12345678901234567890');
    expect(prettyText).toContain('"ratio": 1.0');
    expect(prettyText).toContain(`"${TIMESTAMP}"`);

    await detail().getByRole('radio', { name: 'Raw' }).click();
    const raw = (await detail().getByRole('group', { name: 'Body, raw view' }).textContent()) ?? '';
    expect(raw).toContain(body);
    await page.screenshot({ path: screenshotPath('ui-body') });
  });

  it('filter queries the store', async () => {
    await page.keyboard.press('/');
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Filter');
    await filter.fill('user-headers');
    await waitUntil(async () => (await rows().count()) === 1, 'one filtered row');
    expect(await rows().first().textContent()).toContain('user-headers');

    await filter.fill('no-such-text-anywhere');
    await page.getByText('No stored delivery matches the filter.').waitFor();
    await filter.fill('');
    await waitUntil(async () => (await rows().count()) === 5, 'all five rows again');
  });

  it('verdict filter and arrow keys work', async () => {
    await page.getByLabel('Verdict').selectOption('no-key');
    await page.getByText('No stored delivery matches the filter.').waitFor();
    await page.getByLabel('Verdict').selectOption('all');
    await waitUntil(async () => (await rows().count()) === 5, 'five rows');

    await list().focus();
    await page.keyboard.press('Home');
    await waitUntil(async () => (await rows().first().getAttribute('aria-selected')) === 'true', 'first row selected');
    await page.keyboard.press('ArrowDown');
    await waitUntil(async () => (await rows().nth(1).getAttribute('aria-selected')) === 'true', 'second row selected');
    await page.keyboard.press('2');
    await detail().getByRole('tab', { name: 'Headers', selected: true }).waitFor();
    await page.keyboard.press('1');
    await detail().getByRole('tab', { name: 'Overview', selected: true }).waitFor();
  });

  it('HTML in bodies and paths is shown as text and runs nothing', async () => {
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>window.__hooktrayPwned = true; alert(2)</script>';
    await postOrdered(ui.receiverUrl, '/xss-img', [['Content-Type', 'text/html']], img);
    await postOrdered(ui.receiverUrl, '/xss/<img%20src=x%20onerror=alert(3)>', [['Content-Type', 'text/html'], ['X-Html', script]], script);
    await waitUntil(async () => (await rows().count()) === 7, 'seven rows');

    for (const [rowText, expected] of [
      ['/xss-img', img],
      ['/xss/<img', script],
    ] as const) {
      await rows().filter({ hasText: rowText }).click();
      await page.keyboard.press('3');
      const raw = detail().getByRole('group', { name: 'Body, raw view' });
      await raw.waitFor();
      expect(await raw.textContent()).toContain(expected);
      await page.keyboard.press('2');
      await detail().getByRole('table', { name: 'Headers' }).waitFor();
    }
    expect(await detail().getByRole('table', { name: 'Headers' }).textContent()).toContain(script);

    expect(await page.evaluate('window.__hooktrayPwned')).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('body script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: screenshotPath('ui-html-as-text') });
  });

  it('hooktray ui rejects no token, a foreign Host and a foreign Origin', async () => {
    expect(await rawGet(ui.uiPort, '/', {})).toBe(401);
    const token = new URL(ui.uiUrl).searchParams.get('token') ?? '';
    expect(await rawGet(ui.uiPort, `/?token=${token}`, {})).toBe(303);
    expect(await rawGet(ui.uiPort, `/?token=${token}`, { Host: `attacker.example:${ui.uiPort}` })).toBe(403);
    expect(await rawGet(ui.uiPort, `/?token=${token}`, { Origin: 'http://attacker.example' })).toBe(403);
    const receiverPort = Number(new URL(ui.receiverUrl).port);
    expect(receiverPort).not.toBe(ui.uiPort);
  });
});

describe('hooktray ui in Chromium without a key', () => {
  let ui: UiProcess;
  let browser: BrowserContext;
  useUiWithKeylessProfile('hooktray-e2e-keys-', 'spike', (started, launched) => {
    ui = started;
    browser = launched;
  });

  it('adding a key in settings turns no-key into valid', async () => {
    const page = await browser.newPage();
    await page.goto(ui.uiUrl);
    const body = spikeBody('user-key');
    await postOrdered(ui.receiverUrl, '/webhook', signedHeaders(body), body);
    const row = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').first();
    await row.locator('.badge', { hasText: /^no-key$/ }).waitFor();

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const keyField = dialog.getByLabel('New key for spike');
    expect(await keyField.getAttribute('type')).toBe('password');
    await keyField.fill(KEY);
    await dialog.getByRole('button', { name: 'Add key' }).click();
    await dialog.getByText('Settings saved, and the typed key was added to profile "spike".', { exact: true }).waitFor();
    expect(await keyField.inputValue()).toBe('');
    expect(await dialog.textContent()).not.toContain(KEY);
    await page.screenshot({ path: screenshotPath('ui-settings-key') });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await row.locator('.badge', { hasText: /^valid$/ }).waitFor();
    expect(ui.stderr()).not.toContain(KEY);
  });
});

describe('hooktray ui in Chromium with a __proto__ profile', () => {
  let ui: UiProcess;
  let browser: BrowserContext;
  useUiWithKeylessProfile('hooktray-e2e-proto-', '__proto__', (started, launched) => {
    ui = started;
    browser = launched;
  });

  it('settings show the profile and its key count', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(ui.uiUrl);

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const profile = dialog.getByRole('group', { name: 'Profile __proto__' });
    await profile.getByText('0 keys', { exact: true }).waitFor();
    await profile.getByLabel('New key for __proto__').fill('proto-profile-key');
    await profile.getByRole('button', { name: 'Add key' }).click();
    await dialog.getByText('Settings saved, and the typed key was added to profile "__proto__".', { exact: true }).waitFor();
    await profile.getByText('1 key', { exact: true }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('saves response headers named like Object members', async () => {
    const headers: [string, string][] = [
      ['__proto__', 'proto-value'],
      ['constructor', 'constructor-value'],
      ['toString', 'to-string-value'],
    ];
    const headersText = headers.map(([name, value]) => `${name}: ${value}`).join('\n');
    const page = await browser.newPage();
    await page.goto(ui.uiUrl);

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Headers').fill(headersText);
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByText('Settings saved.').waitFor();

    const response = await postForRawHeaders(`${ui.receiverUrl}/hook`);
    expect(response.status).toBe(200);
    expect(response.rawHeaders.slice(0, headers.length)).toEqual(headers);

    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await page.getByRole('dialog', { name: 'Settings' }).getByLabel('Headers').inputValue()).toBe(headersText);
  });
});
