import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

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
});
