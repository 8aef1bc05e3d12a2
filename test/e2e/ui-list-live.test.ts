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

describe('hooktray ui list scrolled down while deliveries arrive', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-list-scroll-', {});
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  /** Returns the path of the row at the top edge of the list, or null while none is rendered there. */
  function topRowPath(list: Locator): Promise<string | null> {
    return list.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const row = element.ownerDocument.elementFromPoint(box.left + 10, box.top + 1)?.closest('[role="option"]');
      return row?.querySelector('.cell.path')?.getAttribute('title') ?? null;
    });
  }

  async function post(from: number, to: number): Promise<void> {
    for (let n = from; n <= to; n += 1) {
      expect(await postOrdered(session.ui.receiverUrl, `/hook/${n}`, [['Content-Type', 'application/json']], `{"n":${n}}`)).toBe(200);
    }
  }

  it('keeps the visible rows in place', async () => {
    const { list, summary } = listParts(page);
    await post(1, 100);
    await poll(summary).toBe('100 stored');
    await list.evaluate((element) => {
      element.scrollTop = 2000;
    });
    await poll(() => topRowPath(list)).not.toBeNull();
    const before = await topRowPath(list);

    await post(101, 130);
    await poll(summary).toBe('130 stored');
    await poll(() => topRowPath(list)).toBe(before);
    expect(await list.evaluate((element) => element.scrollTop)).toBe(2000 + 30 * 48);
  });

  it('shows new rows first when scrolled to the top', async () => {
    const { list, rows, summary } = listParts(page);
    await list.evaluate((element) => {
      element.scrollTop = 0;
    });
    await post(131, 131);
    await poll(summary).toBe('131 stored');
    await poll(() => topRowPath(list)).toBe('/hook/131');
    expect(await rows.first().locator('.cell.path').getAttribute('title')).toBe('/hook/131');
    expect(await list.evaluate((element) => element.scrollTop)).toBe(0);
  });
});

describe('hooktray ui new deliveries under a text filter', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-list-pending-', SPIKE_CONFIG, { E2E_SPIKE_KEY: FIRST_KEY });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  it('counts only the new deliveries that match', async () => {
    const { rows, summary } = listParts(page);
    const polar = (path: string): string => spikeBody(path, { provider_slug: 'polar' });
    await postSpike(session, '/spike/garmin-before', FIRST_KEY);
    await postSpike(session, '/spike/polar-before', FIRST_KEY, polar('/spike/polar-before'));
    await poll(summary).toBe('2 stored');
    await page.getByLabel('Verdict').selectOption('valid');
    await page.getByRole('searchbox', { name: 'Filter' }).fill('garmin');
    await poll(summary).toBe('1 matching');

    // Only the last one matches both the text and the verdict filter.
    await postSpike(session, '/spike/polar-after', FIRST_KEY, polar('/spike/polar-after'));
    await postSpike(session, '/spike/garmin-invalid', SECOND_KEY);
    await postSpike(session, '/spike/garmin-after', FIRST_KEY);
    await poll(() => page.getByTestId('delivery-count').textContent()).toBe('5 deliveries');
    const pending = page.locator('button.pending');
    await poll(() => pending.textContent()).toBe('1 new delivery arrived: show it');

    await pending.click();
    await poll(summary).toBe('2 matching');
    const paths = await rows.locator('.cell.path').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title')));
    expect(paths).toEqual(['/spike/garmin-after', '/spike/garmin-before']);
  });
});
