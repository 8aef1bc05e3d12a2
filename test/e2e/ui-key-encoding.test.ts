import { createHmac } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

/** Made-up keys: a text key the profiles start with, and the hex keys that replace it. */
const TEXT_KEY = 'e2e-made-up-text-key';
const HEX_KEYS = { one: '0a1b2c3d4e5f60718293', two: 'f0e1d2c3b4a596877869' };
const HEX_OPTIONS = '{"header":"X-Sig","keyEncoding":"hex"}';

describe('hooktray ui key encoding change', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    const profile = (name: string) => ({ name, scheme: 'hmac', pathPrefix: `/${name}`, keys: [{ env: 'E2E_TEXT_KEY' }], options: { header: 'X-Sig' } });
    session = await openUiSession('hooktray-e2e-key-encoding-', { profiles: [profile('one'), profile('two')] }, { E2E_TEXT_KEY: TEXT_KEY });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  async function openSettings(): Promise<Locator> {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Save settings' }).waitFor();
    return dialog;
  }

  /** Posts a delivery to the profile's path, signed with the bytes of its hex key, and returns its row. */
  async function postSignedWithHexKey(name: keyof typeof HEX_KEYS): Promise<Locator> {
    const body = `{"profile":"${name}"}`;
    const signature = createHmac('sha256', Buffer.from(HEX_KEYS[name], 'hex')).update(body).digest('hex');
    expect(await postOrdered(session.ui.receiverUrl, `/${name}/hook`, [['X-Sig', signature]], body)).toBe(200);
    const row = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').filter({ hasText: `/${name}/hook` });
    await row.locator('.badge', { hasText: /^invalid$/ }).waitFor();
    return row;
  }

  /** Expects the saved profile to read its one key as hex, as the reopened form shows it. */
  async function expectSavedAsHex(name: string): Promise<void> {
    const dialog = await openSettings();
    const profile = dialog.getByRole('group', { name: `Profile ${name}` });
    expect(JSON.parse(await profile.getByLabel('Options (JSON)').inputValue())).toMatchObject({ keyEncoding: 'hex' });
    expect(await profile.getByText('1 key', { exact: true }).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
  }

  it('replaces the key and its encoding at once', async () => {
    const row = await postSignedWithHexKey('one');
    const dialog = await openSettings();
    const one = dialog.getByRole('group', { name: 'Profile one' });

    await one.getByLabel('Options (JSON)').fill(HEX_OPTIONS);
    await one.getByLabel('New key for one').fill(HEX_KEYS.one);
    await one.getByRole('button', { name: 'Replace keys' }).click();
    const status = dialog.getByRole('status').filter({ hasText: 'Settings saved' });
    await status.waitFor();
    expect(await status.textContent()).toBe('Settings saved, and the typed key replaced the keys of profile "one".');
    const keyField = one.getByLabel('New key for one');
    expect(await keyField.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await row.locator('.badge', { hasText: /^valid$/ }).waitFor();
    await expectSavedAsHex('one');
    expect(session.ui.stderr()).not.toContain(HEX_KEYS.one);
  });

  it('replaces the key after the new encoding was rejected', async () => {
    const row = await postSignedWithHexKey('two');
    const dialog = await openSettings();
    const two = dialog.getByRole('group', { name: 'Profile two' });
    const options = two.getByLabel('Options (JSON)');

    await options.fill(HEX_OPTIONS);
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.getByText(/^Options of profile two: Key 1 of profile "two" is not valid hex/).waitFor();
    expect(await options.getAttribute('aria-invalid')).toBe('true');

    await two.getByLabel('New key for two').fill(HEX_KEYS.two);
    await two.getByRole('button', { name: 'Replace keys' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    expect(await options.getAttribute('aria-invalid')).toBeNull();
    expect(await dialog.getByText(/^Options of profile two:/).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await row.locator('.badge', { hasText: /^valid$/ }).waitFor();
    await expectSavedAsHex('two');
    expect(session.ui.stderr()).not.toContain(HEX_KEYS.two);
  });
});
