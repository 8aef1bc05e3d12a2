import { rmSync } from 'node:fs';
import type { BrowserContext, ElementHandle, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, startUi, waitUntil } from '../support/ui-process';

const KEY = 'e2e-dialogs-made-up-key';
/** More Tab presses than any dialog has controls, so focus has to wrap at least once. */
const TAB_PRESSES = 40;

interface DialogCase {
  name: string;
  /** Returns the control that opens the dialog. */
  opener: (page: Page) => Promise<Locator>;
  /** The field that should hold focus once the dialog is open and loaded. */
  firstField: (dialog: Locator) => Locator;
}

const CASES: DialogCase[] = [
  {
    name: 'Export deliveries',
    opener: async (page) => page.getByRole('button', { name: /^Export/ }),
    firstField: (dialog) => dialog.getByLabel(/^Format/),
  },
  {
    name: 'Settings',
    opener: async (page) => page.getByRole('button', { name: 'Settings' }),
    firstField: (dialog) => dialog.getByLabel('Name', { exact: true }).first(),
  },
  {
    name: 'Re-send delivery',
    opener: async (page) => page.getByRole('button', { name: 'Re-send…' }),
    firstField: (dialog) => dialog.getByLabel('Target URL'),
  },
  {
    name: 'Send test delivery',
    opener: async (page) => page.getByRole('button', { name: 'Send test delivery' }),
    firstField: (dialog) => dialog.getByLabel('Kind'),
  },
  {
    name: 'Compare deliveries',
    opener: async (page) => {
      const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
      await rows.nth(1).click();
      await page.getByRole('button', { name: 'Compare…' }).click();
      await rows.nth(0).click();
      return page.getByRole('button', { name: 'Compare with picked' });
    },
    firstField: (dialog) => dialog.getByLabel('Ignore timestamps, ids and signature headers'),
  },
];

/** The part of the DOM that the page-side functions below use; the tests compile without the DOM library. */
interface PageElement {
  tagName: string;
  textContent: string | null;
  getAttribute: (name: string) => string | null;
  closest: (selector: string) => PageElement | null;
  focus: () => void;
}
declare const document: { activeElement: PageElement | null };

async function isFocused(target: Locator | ElementHandle): Promise<boolean> {
  const handle = 'elementHandle' in target ? await target.elementHandle() : target;
  return handle.evaluate((element: unknown) => element === document.activeElement);
}

/** Describes the focused element for failure messages: tag, label or text, and whether it is inside an open dialog. */
function describeFocus(page: Page): Promise<{ inDialog: boolean; text: string }> {
  return page.evaluate(() => {
    const active = document.activeElement;
    if (active === null) return { inDialog: false, text: '(none)' };
    const label = active.getAttribute('aria-label') ?? active.textContent?.trim().slice(0, 40) ?? '';
    return { inDialog: active.closest('dialog[open]') !== null, text: `${active.tagName.toLowerCase()} "${label}"` };
  });
}

describe('hooktray ui dialogs with the keyboard', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-dialogs-');
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'E2E_DIALOGS_KEY' }] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config], { E2E_DIALOGS_KEY: KEY });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    for (const user of ['user-one', 'user-two']) {
      const body = spikeBody(user);
      const headers: [string, string][] = [['Content-Type', 'application/json'], ['X-Body-Signature', spikeSignature(KEY, body)]];
      expect(await postOrdered(ui.receiverUrl, '/spike/hook', headers, body)).toBe(200);
    }
  });

  // A fresh page per dialog, so a dialog left open by a failed test does not fail the next ones.
  beforeEach(async () => {
    await page.reload();
    const rows = page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
    await waitUntil(async () => (await rows.count()) === 2, 'two rows');
    await rows.first().click();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const dialogCase of CASES) {
    it(`${dialogCase.name} keeps focus inside and returns it`, async () => {
      const dialog = page.getByRole('dialog', { name: dialogCase.name });
      // A handle, unlike a locator, stays on the same element when the button's label changes.
      const opener = await (await dialogCase.opener(page)).elementHandle();
      await opener.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor();

      const firstField = dialogCase.firstField(dialog);
      await waitUntil(() => isFocused(firstField), `focus on the first field of ${dialogCase.name}`);
      expect(await isFocused(dialog.getByRole('button', { name: 'Close' }))).toBe(false);

      for (const key of ['Tab', 'Shift+Tab']) {
        for (let press = 1; press <= TAB_PRESSES; press++) {
          await page.keyboard.press(key);
          const focus = await describeFocus(page);
          expect(focus.inDialog, `${key} press ${press} moved focus to ${focus.text}`).toBe(true);
        }
      }

      // The page behind is inert: a control there cannot take focus, even from a script.
      const copyUrl = page.getByRole('button', { name: 'Copy URL', includeHidden: true });
      await copyUrl.evaluate((element) => (element as unknown as PageElement).focus());
      expect(await isFocused(copyUrl)).toBe(false);

      await page.keyboard.press('Escape');
      await waitUntil(async () => (await dialog.count()) === 0, `Escape to close ${dialogCase.name}`);
      const focusAfterEscape = await describeFocus(page);
      expect(await isFocused(opener), `focus after Escape is on ${focusAfterEscape.text}`).toBe(true);

      if (dialogCase.name === 'Compare deliveries') return;
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await waitUntil(() => isFocused(firstField), `focus on the first field of ${dialogCase.name} again`);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await waitUntil(async () => (await dialog.count()) === 0, `Close to close ${dialogCase.name}`);
      const focusAfterClose = await describeFocus(page);
      expect(await isFocused(opener), `focus after Close is on ${focusAfterClose.text}`).toBe(true);
    });
  }
});
