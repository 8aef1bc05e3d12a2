import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

describe('hooktray ui dialogs with an invalid URL or folder', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-field-checks-', {});
    page = session.page;
    expect(await postOrdered(session.ui.receiverUrl, '/hook', [['Content-Type', 'application/json']], '{"n":1}')).toBe(200);
    await page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option').first().click();
  });

  afterAll(async () => {
    await session?.close();
  });

  /** Expects the field to be marked invalid, described by the alert with `text`, and focused. */
  async function expectInvalid(dialog: Locator, field: Locator, text: string): Promise<void> {
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(text);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    expect(await field.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
  }

  it('names a re-send target without a scheme', async () => {
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    const target = dialog.getByLabel('Target URL');
    await target.fill('localhost:3000/hook');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();

    await expectInvalid(dialog, target, 'Target URL "localhost:3000/hook" is invalid: it does not start with http:// or https://; use http://localhost:3000/hook for a local server.');
    expect(await dialog.getByText('None yet.').count()).toBe(1);
    await page.keyboard.press('Escape');
  });

  it('names a test delivery target', async () => {
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test delivery' });
    const target = dialog.getByLabel('Target URL');
    await target.fill('ftp://127.0.0.1/hook');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();

    await expectInvalid(dialog, target, 'Target URL "ftp://127.0.0.1/hook" is invalid: the scheme must be http or https, not ftp.');
    await page.keyboard.press('Escape');
  });

  it('names a re-send header line the core rejects', async () => {
    await page.getByRole('button', { name: 'Re-send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send delivery' });
    const headers = dialog.getByLabel(/^Headers/);
    const cases = [
      {
        text: 'Host: 127.0.0.1\nContent-Type: application/json\n\nX-Uni: café ✓',
        message: 'Header line 4 (X-Uni) has "✓" (U+2713) in its value, but a header value may contain only printable ASCII, Latin-1 characters and tabs. Remove or replace that character, or restore the received headers.',
        line: 'X-Uni: café ✓',
      },
      {
        text: 'Host: 127.0.0.1\nBad Name: x',
        message: 'Header line 2 has the name "Bad Name" with a space in it, but a header name may contain only letters, digits and !#$%&\'*+-.^_`|~. Fix the name or restore the received headers.',
        line: 'Bad Name: x',
      },
    ];
    for (const testCase of cases) {
      await headers.fill(testCase.text);
      await dialog.getByRole('button', { name: 'Send', exact: true }).click();
      await expectInvalid(dialog, headers, testCase.message);
      // The line at fault is selected, ready to be retyped.
      const selected = await headers.evaluate((element) => {
        const area = element as unknown as { value: string; selectionStart: number; selectionEnd: number };
        return area.value.slice(area.selectionStart, area.selectionEnd);
      });
      expect(selected).toBe(testCase.line);
    }
    expect(await dialog.getByText('None yet.').count()).toBe(1);
    await page.keyboard.press('Escape');
  });

  it('names an empty Users field', async () => {
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test delivery' });
    await dialog.getByLabel('Target URL').fill(`${session.ui.receiverUrl}/hook`);
    const users = dialog.getByLabel('Users');
    await users.fill(' , ');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();

    await expectInvalid(dialog, users, 'Users is empty. Enter at least one application user id, and separate several with commas.');
    await page.keyboard.press('Escape');
  });

  it('names a relative export folder', async () => {
    await page.getByRole('button', { name: 'Export selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    const folder = dialog.getByLabel('Folder (empty: download in the browser)');
    await folder.fill('fixtures');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();

    await expectInvalid(dialog, folder, 'Folder "fixtures" is not an absolute path. Enter the full path, such as /home/me/project/test/fixtures.');
    await page.keyboard.press('Escape');
  });
});
