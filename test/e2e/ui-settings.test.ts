import { rmSync } from 'node:fs';
import type { BrowserContext, ElementHandle, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiProcess, UiSession } from '../support/ui-process';
import { launchChromium, openUiSession, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const KEY = 'e2e-settings-made-up-key';

describe('hooktray ui settings', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    const profiles = [
      { name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'E2E_SETTINGS_KEY' }] },
      { name: 'gh', scheme: 'github', pathPrefix: '/gh', keys: [] },
    ];
    session = await openUiSession('hooktray-e2e-settings-', { profiles }, { E2E_SETTINGS_KEY: KEY });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  /** Opens the settings dialog and waits for its form. */
  async function openSettings(): Promise<Locator> {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Save settings' }).waitFor();
    return dialog;
  }

  /** Renames a profile in the open dialog and saves the settings. */
  async function renameProfile(dialog: Locator, from: string, to: string): Promise<void> {
    await dialog.getByRole('group', { name: `Profile ${from}` }).getByLabel('Name').fill(to);
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByText('Settings saved.').waitFor();
  }

  it('renaming a profile keeps its keys', async () => {
    const body = spikeBody('user-rename');
    await postOrdered(session.ui.receiverUrl, '/spike/hook', [['X-Body-Signature', spikeSignature(KEY, body)]], body);
    const row = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').first();
    await row.locator('.badge', { hasText: /^valid$/ }).waitFor();
    await row.click();
    const verdict = page.getByRole('region', { name: 'Verdict' });
    const profileFact = (name: string): Locator =>
      verdict
        .locator('dl > div')
        .filter({ has: page.locator('dt', { hasText: /^Profile$/ }) })
        .locator('dd', { hasText: new RegExp(`^${name}$`) });

    const dialog = await openSettings();
    await renameProfile(dialog, 'spike', 'spike-prod');
    await dialog.getByRole('group', { name: 'Profile spike-prod' }).getByText('1 key', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The verdict names the new profile once the stored delivery has been re-verified.
    await profileFact('spike-prod').waitFor();
    expect(await verdict.locator('.badge').textContent()).toBe('valid');

    const reopened = await openSettings();
    await renameProfile(reopened, 'spike-prod', 'spike');
    await reopened.getByRole('group', { name: 'Profile spike' }).getByText('1 key', { exact: true }).waitFor();
    await reopened.getByRole('button', { name: 'Close' }).click();
    await profileFact('spike').waitFor();
    expect(await verdict.locator('.badge').textContent()).toBe('valid');
    expect(session.ui.stderr()).not.toContain(KEY);
  });
  it('names, marks and focuses an invalid field', async () => {
    const dialog = await openSettings();
    const save = (): Promise<void> => dialog.getByRole('button', { name: 'Save settings' }).click();
    const isFocused = (handle: ElementHandle): Promise<boolean> => handle.evaluate((element) => element.ownerDocument.activeElement === element);
    const status = await dialog.getByLabel('Status', { exact: true }).elementHandle();
    const ghName = await dialog.getByRole('group', { name: 'Profile gh' }).getByLabel('Name').elementHandle();
    const spikeName = await dialog.getByRole('group', { name: 'Profile spike' }).getByLabel('Name').elementHandle();
    if (status === null || ghName === null || spikeName === null) throw new Error('The settings form lacks the Status or a profile Name field');

    await status.fill('0x1F4');
    await save();
    await dialog.getByText('Status: "0x1F4" is not a whole number. Enter digits only, such as 200.', { exact: true }).waitFor();
    expect(await status.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(status)).toBe(true);
    await page.screenshot({ path: screenshotPath('ui-settings-invalid-status') });

    await status.fill('42');
    await save();
    await dialog.getByText('Status: Enter an HTTP status code from 100 to 599.', { exact: true }).waitFor();
    expect(await status.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(status)).toBe(true);

    await status.fill('200');
    await ghName.fill('spike');
    await save();
    await dialog.getByText('Name of profile spike: The profile name "spike" is used twice: give each profile its own name.', { exact: true }).waitFor();
    expect(await ghName.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(ghName)).toBe(true);
    expect(await spikeName.getAttribute('aria-invalid')).toBeNull();
    expect(await status.getAttribute('aria-invalid')).toBeNull();

    await ghName.fill('gh');
    const ghPrefix = dialog.getByRole('group', { name: 'Profile gh' }).getByLabel('Path prefix');
    await ghPrefix.fill('/spike');
    await save();
    const samePrefix = 'Path prefix of profile gh: The path prefix "/spike" is profile "spike"\'s too, which verifies every delivery under it: give each profile its own path prefix.';
    await dialog.getByText(samePrefix, { exact: true }).waitFor();
    expect(await ghPrefix.getAttribute('aria-invalid')).toBe('true');

    await ghPrefix.fill('/gh');
    await save();
    await dialog.getByText('Settings saved.').waitFor();
    expect(await ghName.getAttribute('aria-invalid')).toBeNull();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('marks every invalid field after one save', async () => {
    const dialog = await openSettings();
    const save = (): Promise<void> => dialog.getByRole('button', { name: 'Save settings' }).click();
    const isFocused = (handle: ElementHandle): Promise<boolean> => handle.evaluate((element) => element.ownerDocument.activeElement === element);
    /** Returns the text of the element that the field's aria-describedby names. */
    const description = async (field: ElementHandle): Promise<string | null> => {
      const id = await field.getAttribute('aria-describedby');
      if (id === null) return null;
      return page.locator(`[id="${id}"]`).textContent();
    };
    // Handles, because the error text inside a label changes the label text that getByLabel matches.
    const status = await dialog.getByLabel('Status', { exact: true }).elementHandle();
    const delay = await dialog.getByLabel('Delay (ms)').elementHandle();
    const tunnelHost = await dialog.getByLabel(/^Tunnel host/).elementHandle();
    if (status === null || delay === null || tunnelHost === null) throw new Error('The settings form lacks the Status, Delay or Tunnel host field');
    const summary = dialog.getByRole('alert');

    // Both values parse, so the core checks them and rejects both. The host lacks http://, so the
    // browser's own URL check would also reject it and stop the save unless the form turns that check off.
    await status.fill('42');
    await tunnelHost.fill('127.0.0.1:3000');
    await save();
    const statusError = 'Status: Enter an HTTP status code from 100 to 599.';
    const tunnelHostError = 'Tunnel host: Enter an http or https URL.';
    await dialog.getByText(statusError, { exact: true }).waitFor();
    await dialog.getByText(tunnelHostError, { exact: true }).waitFor();
    expect(await status.getAttribute('aria-invalid')).toBe('true');
    expect(await tunnelHost.getAttribute('aria-invalid')).toBe('true');
    expect(await description(status)).toBe(statusError);
    expect(await description(tunnelHost)).toBe(tunnelHostError);
    expect(await isFocused(status)).toBe(true);
    expect(await summary.textContent()).toBe('2 fields need fixing: Status, Tunnel host. Nothing was saved.');
    expect(await delay.getAttribute('aria-invalid')).toBeNull();
    await page.screenshot({ path: screenshotPath('ui-settings-two-invalid-fields') });

    // Neither value parses, so the form reports both without asking the core.
    await status.fill('abc');
    await delay.fill('soon');
    await tunnelHost.fill('');
    await save();
    const delayError = 'Delay (ms): "soon" is not a whole number. Enter digits only, such as 0.';
    await dialog.getByText(delayError, { exact: true }).waitFor();
    expect(await description(status)).toBe('Status: "abc" is not a whole number. Enter digits only, such as 200.');
    expect(await description(delay)).toBe(delayError);
    expect(await tunnelHost.getAttribute('aria-invalid')).toBeNull();
    expect(await isFocused(status)).toBe(true);
    expect(await summary.textContent()).toBe('2 fields need fixing: Status, Delay (ms). Nothing was saved.');

    await status.fill('200');
    await delay.fill('0');
    await save();
    await dialog.getByText('Settings saved.').waitFor();
    expect(await dialog.locator('[aria-invalid="true"]').count()).toBe(0);
    expect(await summary.count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('rejects options the saved keys fail', async () => {
    const dialog = await openSettings();
    const spike = dialog.getByRole('group', { name: 'Profile spike' });
    const options = await spike.getByLabel('Options (JSON)').elementHandle();
    if (options === null) throw new Error('The profile spike lacks an Options field');

    await spike.getByLabel('Scheme').selectOption('hmac');
    await options.fill('{"header":"X-S","keyEncoding":"hex"}');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    const error = dialog.getByText(/^Options of profile spike: Key 1 of profile "spike" is not valid hex/);
    await error.waitFor();
    expect(await error.textContent()).toContain('change option "keyEncoding" back');
    expect(await options.getAttribute('aria-invalid')).toBe('true');
    expect(await options.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    expect(await dialog.getByText('Settings saved.').count()).toBe(0);

    // The rejected options are still in the form, so the first Close warns and the second discards them.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.getByText(/^The settings have changes that are not saved/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitUntil(async () => (await dialog.count()) === 0, 'the second Close to discard the changes');
    const reopened = await openSettings();
    const saved = reopened.getByRole('group', { name: 'Profile spike' });
    expect(await saved.getByLabel('Scheme').inputValue()).toBe('spike');
    expect(await saved.getByText('1 key', { exact: true }).count()).toBe(1);
    await reopened.getByRole('button', { name: 'Close' }).click();
    expect(session.ui.stderr()).not.toContain(KEY);
  });

  it('warns before Close discards changes', async () => {
    const dialog = await openSettings();
    const status = dialog.getByLabel('Status', { exact: true });
    await status.fill('201');
    await page.keyboard.press('Escape');
    const warning = dialog.getByRole('alert');
    await warning.waitFor();
    expect(await warning.textContent()).toBe('The settings have changes that are not saved. Choose Save settings to keep them, or Close again to discard them.');
    expect(await status.inputValue()).toBe('201');

    // A change after the warning warns again.
    await status.fill('202');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await dialog.count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitUntil(async () => (await dialog.count()) === 0, 'the second Close to discard the change');

    const reopened = await openSettings();
    expect(await reopened.getByLabel('Status', { exact: true }).inputValue()).toBe('200');
    await reopened.getByRole('button', { name: 'Close' }).click();
    await waitUntil(async () => (await reopened.count()) === 0, 'Close without changes to close at once');
  });

  it('explains a failed Copy URL', async () => {
    // Both ways of copying fail, as in a browser that denies clipboard access.
    await page.evaluate(() => {
      const browser = globalThis as unknown as { navigator: object; document: { execCommand: () => boolean } };
      Object.defineProperty(browser.navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) }, configurable: true });
      browser.document.execCommand = () => false;
    });
    await page.getByRole('button', { name: 'Copy URL' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'did not allow copying' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('The browser did not allow copying: select the URL and press Ctrl+C (⌘C on macOS).');
    expect(await page.getByRole('button', { name: 'Copied' }).count()).toBe(0);
  });

  it('adds a typed key when saving', async () => {
    const dialog = await openSettings();
    const gh = dialog.getByRole('group', { name: 'Profile gh' });
    const keyInput = await gh.getByLabel('New key for gh').elementHandle();
    if (keyInput === null) throw new Error('The profile gh lacks a key field');
    await gh.getByLabel('Scheme').selectOption('hmac');
    await gh.getByLabel('Options (JSON)').fill('{"header":"X-S","keyEncoding":"hex"}');

    await keyInput.fill('zzNOTHEXzz');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByText(/^New key of profile gh: The new key for profile "gh" is not valid hex/).waitFor();
    expect(await keyInput.getAttribute('aria-invalid')).toBe('true');
    expect(await keyInput.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    expect(await keyInput.inputValue()).toBe('zzNOTHEXzz');
    expect(await gh.getByText('0 keys', { exact: true }).count()).toBe(1);

    await keyInput.fill('00112233');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByText('Settings saved, and the typed key was added to profile "gh".', { exact: true }).waitFor();
    await gh.getByText('1 key', { exact: true }).waitFor();
    expect(await gh.getByLabel('New key for gh').inputValue()).toBe('');
    expect(session.ui.stderr()).not.toContain('00112233');
    expect(session.ui.stderr()).not.toContain('zzNOTHEXzz');
  });

  it('names a rejected added key as new', async () => {
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const gh = dialog.getByRole('group', { name: 'Profile gh' });
    await gh.getByLabel('New key for gh').fill('zzNOTHEXzz');
    await gh.getByRole('button', { name: 'Add key' }).click();

    await gh.getByText(/^New key of profile gh: The new key for profile "gh" is not valid hex/).waitFor();
    expect(await gh.getByLabel('New key for gh').getAttribute('aria-invalid')).toBe('true');
    expect(await gh.getByText('1 key', { exact: true }).count()).toBe(1);
    await gh.getByLabel('New key for gh').fill('');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});

describe('hooktray ui restarted with a key', () => {
  let dir: string;
  let ui: UiProcess | null = null;
  let browser: BrowserContext | null = null;

  beforeAll(() => {
    dir = tempDir('hooktray-e2e-restart-');
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts hooktray ui on the same data folder with a Spike profile whose keys are `keys`. */
  async function start(keys: object[], env: NodeJS.ProcessEnv = {}): Promise<UiProcess> {
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/', keys }] });
    return startUi(['--data-dir', `${dir}/data`, '--config', config], env);
  }

  it('re-verifies stored deliveries at start', async () => {
    // Different bodies, because the list groups deliveries with the same body as retries.
    const signed = (user: string): [[string, string][], string] => {
      const body = spikeBody(user);
      return [[['X-Body-Signature', spikeSignature(KEY, body)]], body];
    };
    const first = await start([]);
    expect(await postOrdered(first.receiverUrl, '/hook', ...signed('user-before-restart'))).toBe(200);
    await first.stop();

    ui = await start([{ env: 'E2E_RESTART_KEY' }], { E2E_RESTART_KEY: KEY });
    expect(await postOrdered(ui.receiverUrl, '/hook', ...signed('user-after-restart'))).toBe(200);
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(ui.uiUrl);

    const badges = page.getByRole('listbox', { name: 'Deliveries' }).locator('.badge', { hasText: /^valid$/ });
    await waitUntil(async () => (await badges.count()) === 2, 'both deliveries to show valid');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByText('1 key', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Re-verify all deliveries' }).click();
    await dialog.getByText('Stored deliveries are being re-verified').waitFor();
    expect(ui.stderr()).not.toContain(KEY);
  });
});
