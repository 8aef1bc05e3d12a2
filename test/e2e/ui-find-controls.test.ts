import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered, screenshotPath, waitUntil } from '../support/ui-process';

const TEXT_HEADERS: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']];
const JSON_HEADERS: [string, string][] = [['Content-Type', 'application/json']];
/** Plain text that keeps a body's share of control characters below the share that opens the hex view. */
const PADDING = 'plain text '.repeat(40);

/** Returns the rectangle of `target` in the page, or throws when it is not rendered. */
async function boxOf(target: Locator): Promise<{ left: number; right: number; top: number; bottom: number }> {
  const box = await target.boundingBox();
  if (box === null) throw new Error('expected a rendered element');
  return { left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height };
}

describe('hooktray ui control characters, Find keys and scrolling', () => {
  let session: UiSession;
  let page: Page;

  const rows = (): Locator => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const detail = (): Locator => page.getByRole('region', { name: 'Delivery', exact: true });
  const find = (): Locator => detail().getByRole('searchbox', { name: 'Find in body' });
  const matchCount = (): Locator => detail().locator('.match-count');
  const focusedLabel = (): Promise<unknown> => page.evaluate("document.activeElement?.getAttribute('aria-label') ?? null");

  /** Posts a body, opens it on the Body tab and waits for `view`. */
  async function openBody(path: string, headers: [string, string][], body: string, view: 'raw' | 'pretty'): Promise<Locator> {
    expect(await postOrdered(session.ui.receiverUrl, path, headers, body)).toBe(200);
    await rows().filter({ hasText: path }).click();
    await page.keyboard.press('3');
    const group = detail().getByRole('group', { name: `Body, ${view} view` });
    await group.waitFor();
    return group;
  }

  /** Types `needle` into an empty Find box and returns the match count line and the text of every mark. */
  async function findAll(needle: string): Promise<{ count: string; marks: string[] }> {
    await find().fill('');
    await matchCount().waitFor({ state: 'detached' });
    await find().fill(needle);
    await matchCount().waitFor();
    return { count: (await matchCount().textContent()) ?? '', marks: await detail().locator('mark').allTextContents() };
  }

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-find-controls-', {});
    page = session.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(session.ui.uiUrl).origin });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('raw view escapes control characters', async () => {
    const body = `${PADDING}\nbell\u0007 zero\u200bwidth del\u007f next\u0085 lone\rcr tab\tkept\r\nlast line`;
    const view = await openBody('/controls/raw', TEXT_HEADERS, body, 'raw');

    const lines = await view.locator('.line-text').allTextContents();
    expect(lines).toEqual([PADDING, 'bell\\x07 zero\\u200bwidth del\\x7f next\\x85 lone\\rcr tab\tkept', 'last line']);
    const titles = await view.locator('.invisible-char').evaluateAll((spans) => spans.map((span) => span.getAttribute('title')));
    expect(titles).toEqual([
      'U+0007, a control character as received',
      'U+200B, an invisible character as received',
      'U+007F, a control character as received',
      'U+0085, a control character as received',
      'U+000D, a control character as received',
    ]);

    await detail().getByRole('button', { name: 'Copy body' }).click();
    await detail().getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(body);
  });

  it('pretty view escapes DEL and C1 controls', async () => {
    // JSON strings may hold DEL and C1 controls unescaped, but not C0 controls.
    const view = await openBody('/controls/pretty', JSON_HEADERS, '{"text":"del\u007f next\u0085 csi\u009b"}', 'pretty');
    expect(await view.locator('.line-text').allTextContents()).toEqual(['{', '  "text": "del\\x7f next\\x85 csi\\x9b"', '}']);
  });

  it('find matches a control character by its escape', async () => {
    await openBody('/controls/find', TEXT_HEADERS, `${PADDING}\nring\u0007bell and the text \\u0007 as written`, 'raw');

    let found = await findAll('\\x07');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['\\x07']);

    // The escape's own text is found too, as Find does for invisible characters.
    found = await findAll('\\u0007');
    expect(found.count).toBe('2 matches');
    expect(found.marks).toEqual(['\\x07', '\\u0007']);

    found = await findAll('ring\\x07bell');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['ring\\x07bell']);
  });

  it('filter matches an invisible character by its escape', async () => {
    expect(await postOrdered(session.ui.receiverUrl, '/filter/zero-width', TEXT_HEADERS, `${PADDING} hidden\u200bspace`)).toBe(200);
    expect(await postOrdered(session.ui.receiverUrl, '/filter/bell', TEXT_HEADERS, `${PADDING} ring\u0007bell`)).toBe(200);
    const filter = page.getByRole('searchbox', { name: 'Filter' });

    try {
      await filter.fill('hidden\\u200bspace');
      await waitUntil(async () => (await rows().count()) === 1, 'one row for hidden\\u200bspace');
      expect(await rows().first().textContent()).toContain('/filter/zero-width');

      await filter.fill('\\x07');
      await waitUntil(async () => (await rows().filter({ hasText: '/filter/bell' }).count()) === 1, 'the row with a bell for \\x07');
      expect(await rows().filter({ hasText: '/filter/zero-width' }).count()).toBe(0);
    } finally {
      // Later tests open deliveries from an unfiltered list.
      await filter.fill('');
    }
  });

  it('Escape clears Find, then leaves it', async () => {
    await openBody('/escape/find', TEXT_HEADERS, 'one needle here', 'raw');
    expect((await findAll('needle')).count).toBe('1 match');

    await find().press('Escape');
    expect(await find().inputValue()).toBe('');
    await matchCount().waitFor({ state: 'detached' });
    expect(await focusedLabel()).toBe('Find in body');

    await find().press('Escape');
    await waitUntil(async () => (await focusedLabel()) === 'Delivery', 'the detail pane to have the focus');
    // The pane keeps the selection, so Escape there does not clear it as in the list.
    await page.keyboard.press('Escape');
    expect(await rows().filter({ hasText: '/escape/find' }).getAttribute('aria-selected')).toBe('true');
  });

  it('find scrolls a far match in a long line into view', async () => {
    const body = `${'x'.repeat(200 * 1024)} needle ${'y'.repeat(100)}`;
    const view = await openBody('/scroll/long-line', TEXT_HEADERS, body, 'raw');
    expect((await findAll('needle')).count).toBe('1 match');

    await find().press('Enter');
    const current = detail().locator('mark.current-match');
    await current.waitFor();
    const shown = await boxOf(view);
    const mark = await boxOf(current);
    expect(mark.left).toBeGreaterThanOrEqual(shown.left);
    expect(mark.right).toBeLessThanOrEqual(shown.right);
    // Centred rather than at an edge, so the text on both sides of the match shows too.
    const quarter = (shown.right - shown.left) / 4;
    expect(mark.left - shown.left).toBeGreaterThan(quarter);
    expect(shown.right - mark.right).toBeGreaterThan(quarter);
    expect(await view.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);

    // The line number stays at the left edge and does not cover the match.
    const lineNumber = await boxOf(view.locator('.line-number').first());
    expect(lineNumber.left).toBeGreaterThanOrEqual(shown.left);
    expect(lineNumber.right).toBeLessThanOrEqual(mark.left);
    expect(await view.locator('.line-number').first().textContent()).toBe('1');
    await page.screenshot({ path: screenshotPath('ui-find-long-line') });
  });
});
