import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

/** Made-up keys: the profile starts with the first, and the settings replace it with the second. */
const FIRST_KEY = 'e2e-made-up-first-key';
const SECOND_KEY = 'e2e-made-up-second-key';
const SPIKE_CONFIG = { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'E2E_SPIKE_KEY' }] }] };

/** Posts a Spike delivery to `path`, signed with `key`, and expects status 200. */
async function postSpike(session: UiSession, path: string, key: string, body = spikeBody(path)): Promise<void> {
  const headers: [string, string][] = [
    ['Content-Type', 'application/json'],
    ['X-Body-Signature', spikeSignature(key, body)],
  ];
  expect(await postOrdered(session.ui.receiverUrl, path, headers, body)).toBe(200);
}

/** Polls `read` until the assertion after it passes, for up to 10 s as the other UI waits do. */
function poll<T>(read: () => Promise<T>) {
  return expect.poll(read, { timeout: 10_000 });
}

function listParts(page: Page): { list: Locator; rows: Locator; summary: () => Promise<string | null> } {
  const list = page.getByRole('listbox', { name: 'Deliveries' });
  return { list, rows: list.getByRole('option'), summary: () => page.locator('.list-summary').textContent() };
}

describe('hooktray ui verdict filter after re-verification', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-list-verdicts-', SPIKE_CONFIG, { E2E_SPIKE_KEY: FIRST_KEY });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  it('refilters rows and count after re-verification', async () => {
    const { rows, summary } = listParts(page);
    for (let n = 1; n <= 15; n += 1) await postSpike(session, `/spike/first-key/${n}`, FIRST_KEY);
    for (let n = 1; n <= 5; n += 1) await postSpike(session, `/spike/second-key/${n}`, SECOND_KEY);
    await poll(summary).toBe('20 stored');

    await page.getByLabel('Verdict').selectOption('valid');
    await poll(summary).toBe('15 matching');

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const profile = dialog.getByRole('group', { name: 'Profile spike' });
    await profile.getByLabel('New key for spike').fill(SECOND_KEY);
    await profile.getByRole('button', { name: 'Replace keys' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await poll(summary).toBe('5 matching');
    const paths = await rows.locator('.cell.path').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title')));
    expect(paths).toEqual([5, 4, 3, 2, 1].map((n) => `/spike/second-key/${n}`));
    expect(await rows.locator('.badge').allTextContents()).toEqual(['valid', 'valid', 'valid', 'valid', 'valid']);
  });
});
