import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexDump, hexLine } from '../../renderer/src/lib/bytes';
import { tempDir } from '../support/listen-process';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const TEXT_HEADERS: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']];
const JSON_HEADERS: [string, string][] = [['Content-Type', 'application/json']];
const BINARY_HEADERS: [string, string][] = [['Content-Type', 'application/octet-stream']];

/** About 12 MiB of JSON objects; the first of every 1,000 carries a marker. */
function largeJson(): { body: string; markers: number } {
  const items: string[] = [];
  let markers = 0;
  for (let index = 0; index < 140_000; index++) {
    const marker = index % 1000 === 0 ? ',"marker":"Find-Me"' : '';
    if (marker !== '') markers += 1;
    items.push(`{"id":${index},"name":"item ${index}","amount":12345678901234567890,"ratio":1.0,"tags":["a","b"]${marker}}`);
  }
  return { body: `[${items.join(',')}]`, markers };
}

describe('hooktray ui body view in Chromium', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');
  const detail = () => page.getByRole('region', { name: 'Delivery', exact: true });
  const find = () => detail().getByRole('searchbox', { name: 'Find in body' });
  const matchCount = () => detail().locator('.match-count');

  /** Posts a body, opens it on the Body tab and waits for `view`. */
  async function openBody(path: string, headers: [string, string][], body: string | Buffer, view: 'raw' | 'pretty' | 'hex'): Promise<void> {
    expect(await postOrdered(ui.receiverUrl, path, headers, body)).toBe(200);
    await rows().filter({ hasText: path }).click();
    await page.keyboard.press('3');
    await detail().getByRole('group', { name: `Body, ${view} view` }).waitFor({ timeout: 60_000 });
  }

  /**
   * Types `needle` into an empty Find box and returns the match count line and the text of every
   * mark. Find waits for typing to pause, so the count line appears only once `needle` is counted.
   */
  async function findAll(needle: string): Promise<{ count: string; marks: string[] }> {
    await find().fill('');
    await matchCount().waitFor({ state: 'detached' });
    await find().fill(needle);
    await matchCount().waitFor();
    return { count: (await matchCount().textContent()) ?? '', marks: await detail().locator('mark').allTextContents() };
  }

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-body-');
    ui = await startUi(['--data-dir', `${dir}/data`]);
    browser = await launchChromium();
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(ui.uiUrl).origin });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(ui.uiUrl);
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('find marks the match after dotted capitals', async () => {
    await openBody('/find/dotted', TEXT_HEADERS, 'İİİİİİİİ abc target xyz', 'raw');

    let found = await findAll('target');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['target']);

    found = await findAll('İİ');
    expect(found.count).toBe('4 matches');
    expect(found.marks).toEqual(['İİ', 'İİ', 'İİ', 'İİ']);
    await page.screenshot({ path: screenshotPath('ui-find-dotted') });
  });

  it('find moves through matches', async () => {
    // Line 2,500 lies beyond the first 2,000 lines rendered, so moving there renders more.
    const lines = Array.from({ length: 3000 }, (_, index) => ([10, 2500, 2999].includes(index + 1) ? `line ${index + 1} needle` : `line ${index + 1}`));
    await openBody('/find/jump', TEXT_HEADERS, lines.join('\n'), 'raw');
    expect((await findAll('needle')).count).toBe('3 matches, 2 in lines not shown yet');

    const current = detail().locator('mark.current-match');
    const currentLine = async (): Promise<string | null> => current.locator('xpath=ancestor::div[@data-line]').getAttribute('data-line');
    await find().press('Enter');
    await current.waitFor();
    expect(await matchCount().textContent()).toBe('1 of 3 matches, 2 in lines not shown yet');
    expect(await currentLine()).toBe('9');

    await detail().getByRole('button', { name: 'Next match' }).click();
    await waitUntil(async () => (await matchCount().textContent()) === '2 of 3 matches', 'the second match');
    expect(await currentLine()).toBe('2499');
    // Scrolled into the viewport, not only rendered.
    const box = await current.boundingBox();
    const viewport = page.viewportSize();
    expect(box).not.toBeNull();
    expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport?.height ?? 0);

    await find().press('Shift+Enter');
    await find().press('Shift+Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '3 of 3 matches', 'back to the last match');
    expect(await currentLine()).toBe('2998');
  });

  it('find moves on Enter right after typing', async () => {
    // Enter comes before Find has counted the text typed, so the move waits for the count.
    const lines = Array.from({ length: 50 }, (_, index) => (index % 10 === 0 ? `line ${index + 1} needle` : `line ${index + 1}`));
    await openBody('/find/typed', TEXT_HEADERS, lines.join('\n'), 'raw');
    const current = detail().locator('mark.current-match');
    const currentLine = async (): Promise<string | null> => current.locator('xpath=ancestor::div[@data-line]').getAttribute('data-line');

    await find().fill('');
    await find().pressSequentially('needle');
    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '1 of 5 matches', 'the first match');
    expect(await currentLine()).toBe('0');

    await find().fill('');
    await matchCount().waitFor({ state: 'detached' });
    await find().pressSequentially('needle');
    await find().press('Shift+Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '5 of 5 matches', 'the last match');
    expect(await currentLine()).toBe('40');
  });

  it('find marks the right match in a cut line', async () => {
    // The value is cut after 5,000 characters, so its second comma is not shown but the comma after it is.
    const body = `{"a":"x,${'y'.repeat(6000)},x","b":2}`;
    await openBody('/find/cut-line', JSON_HEADERS, body, 'pretty');
    expect((await findAll(',')).count).toBe('3 matches');
    const current = detail().locator('mark.current-match');

    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '1 of 3 matches', 'the first match');
    expect(await current.textContent()).toBe(',');

    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent())?.startsWith('2 of 3 matches') === true, 'the second match');
    expect(await matchCount().textContent()).toBe('2 of 3 matches (this one lies beyond the 5,000 characters shown of line 2; switch to Raw to see it)');
    expect(await current.count()).toBe(0);

    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '3 of 3 matches', 'the third match');
    const marks = detail().locator('[data-line="1"] mark');
    expect(await marks.count()).toBe(2);
    expect(await marks.nth(1).getAttribute('class')).toBe('current-match');
  });

  it('find shows a far match in a long raw line', async () => {
    // A minified body is one line in the raw view, and its first 5,000 characters are rendered.
    const body = `{"items":[${Array.from({ length: 2000 }, (_, index) => `{"n":${index}}`).join(',')}],"needle":"found"}`;
    await openBody('/find/long-line', JSON_HEADERS, body, 'pretty');
    await detail().getByRole('radio', { name: 'Raw' }).click();
    await detail().getByRole('group', { name: 'Body, raw view' }).waitFor();
    expect((await findAll('needle')).count).toBe('1 match');
    const line = detail().locator('[data-line="0"]');
    expect(await line.textContent()).toContain('more characters on this line (use Copy)');

    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '1 of 1 match', 'the match');
    expect(await detail().locator('mark.current-match').textContent()).toBe('needle');
    const notes = await line.locator('.note').allTextContents();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toBe(`${(body.length - 5000).toLocaleString('en-US')} earlier characters on this line … `);
  });

  it('find renders lines around a far match', async () => {
    // Rendering every line up to line 45,000 froze the page, so only the step around it is rendered.
    const lines = Array.from({ length: 60_000 }, (_, index) => ([10, 45_000].includes(index + 1) ? `line ${index + 1} needle` : `line ${index + 1}`));
    await openBody('/find/far', TEXT_HEADERS, lines.join('\n'), 'raw');
    expect((await findAll('needle')).count).toBe('2 matches, 1 in lines not shown yet');
    const current = detail().locator('mark.current-match');
    const currentLine = async (): Promise<string | null> => current.locator('xpath=ancestor::div[@data-line]').getAttribute('data-line');

    await find().press('Shift+Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '2 of 2 matches, 1 in lines not shown yet', 'the far match');
    expect(await currentLine()).toBe('44999');
    expect(await detail().locator('.code-line').count()).toBe(2000);
    const box = await current.boundingBox();
    expect(box).not.toBeNull();
    expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(page.viewportSize()?.height ?? 0);
    await detail().getByRole('button', { name: 'Show 2,000 earlier lines (44,000 not shown)' }).waitFor();
    await detail().getByRole('button', { name: 'Show 2,000 more lines (14,000 not shown)' }).waitFor();

    await find().press('Enter');
    await waitUntil(async () => (await matchCount().textContent()) === '1 of 2 matches, 1 in lines not shown yet', 'back to the first match');
    expect(await currentLine()).toBe('9');
    expect(await detail().locator('.code-line').count()).toBe(2000);
  });

  it('escapes every invisible character', async () => {
    // An Arabic letter mark, a soft hyphen, two tag characters and an isolate, while the emoji keeps its variation selector.
    const body = 'a\u061cb c\u00add e\u{e0041}\u{e0042}f g\u2066h \u2764\ufe0f';
    await openBody('/invisible/more', TEXT_HEADERS, body, 'raw');
    const view = detail().getByRole('group', { name: 'Body, raw view' });
    expect(await view.locator('.line-text').textContent()).toBe('a\\u061cb c\\u00add e\\u{e0041}\\u{e0042}f g\\u2066h \u2764\ufe0f');
    expect(await view.locator('.invisible-char').first().getAttribute('title')).toBe('U+061C, an invisible character as received');
  });

  it('find handles sharp s and emoji', async () => {
    const body = '{"street":"İ Straße","upper":"STRAẞE","emoji":"😀 Target 👍🏽 target"}';
    await openBody('/find/sharp-s', JSON_HEADERS, body, 'pretty');

    let found = await findAll('straße');
    expect(found.count).toBe('2 matches');
    expect(found.marks).toEqual(['Straße', 'STRAẞE']);

    found = await findAll('TARGET');
    expect(found.count).toBe('2 matches');
    expect(found.marks).toEqual(['Target', 'target']);

    found = await findAll('👍🏽');
    expect(found.count).toBe('1 match');
    expect(found.marks).toEqual(['👍🏽']);
  });

  it('filter finds two characters in a body', async () => {
    expect(await postOrdered(ui.receiverUrl, '/filter/proto', JSON_HEADERS, '{"__proto__":{"polluted":true}}')).toBe(200);
    expect(await postOrdered(ui.receiverUrl, '/filter/plain', TEXT_HEADERS, 'no quotes here')).toBe(200);
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    expect(await page.locator(`#${await filter.getAttribute('aria-describedby')}`).textContent()).toBe('Searches paths, headers and the first 64 KiB of each text body');

    await filter.fill('__');
    await waitUntil(async () => (await rows().count()) === 1, 'one row for __');
    expect(await rows().first().textContent()).toContain('/filter/proto');

    // A quote matches the quotes in JSON bodies, never the JSON that stores the headers.
    await filter.fill('"');
    await rows().filter({ hasText: '/filter/proto' }).waitFor();
    expect(await rows().filter({ hasText: '/filter/plain' }).count()).toBe(0);
    await filter.fill('');
  });

  it('find marks a match across JSON tokens', async () => {
    await openBody('/find/tokens', JSON_HEADERS, '{"amount":125}', 'pretty');
    const found = await findAll('"amount": 12');
    expect(found.count).toBe('1 match');
    expect(found.marks.join('')).toBe('"amount": 12');
    expect(pageErrors).toEqual([]);
  });
  it('large JSON formats with progress and Cancel', async () => {
    const { body, markers } = largeJson();
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    await openBody('/large/json', JSON_HEADERS, body, 'raw');

    // Over 2 MiB the body opens raw. Formatting it runs in a worker and can be canceled.
    await detail().getByRole('radio', { name: 'Pretty' }).click();
    const formatting = detail().getByRole('status').filter({ hasText: 'Formatting the JSON' });
    await formatting.getByRole('button', { name: 'Cancel' }).click();
    await detail().getByText('Formatting the JSON was canceled, so the raw text is shown.').waitFor();
    expect(await detail().getByRole('radio', { name: 'Raw' }).getAttribute('aria-checked')).toBe('true');
    await detail().getByRole('group', { name: 'Body, raw view' }).waitFor();

    await detail().getByRole('radio', { name: 'Pretty' }).click();
    const pretty = detail().getByRole('group', { name: 'Body, pretty view' });
    await pretty.waitFor({ timeout: 60_000 });
    const firstLines = await pretty.locator('.code-line').evaluateAll((lines) => lines.slice(0, 8).map((line) => line.querySelector('.line-text')?.textContent ?? ''));
    expect(firstLines).toEqual(['[', '  {', '    "id": 0,', '    "name": "item 0",', '    "amount": 12345678901234567890,', '    "ratio": 1.0,', '    "tags": [', '      "a",']);
    await detail().getByRole('button', { name: /^Show 2,000 more lines/ }).waitFor();

    // Only item 0 of the first 2,000 lines has a marker.
    const found = await findAll('FIND-ME');
    expect(found.count).toBe(`${markers} matches, ${markers - 1} in lines not shown yet`);
    expect(found.marks).toEqual(['Find-Me']);
    expect(pageErrors).toEqual([]);
  });

  it('large text finds matches beyond the lines shown', async () => {
    const lines = Array.from({ length: 40_000 }, (_, index) => (index % 100 === 0 ? `line ${index} has a Needle here` : `line ${index} is plain`));
    await openBody('/large/text', TEXT_HEADERS, lines.join('\r\n'), 'raw');

    const found = await findAll('needle');
    expect(found.count).toBe('400 matches, 380 in lines not shown yet');
    expect(found.marks).toHaveLength(20);
    expect(new Set(found.marks)).toEqual(new Set(['Needle']));
  });

  it('large binary shows and copies exact hex', async () => {
    const bytes = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, index) => (index * 2654435761) >>> 24));
    await openBody('/large/binary', BINARY_HEADERS, bytes, 'hex');

    const hex = detail().getByRole('group', { name: 'Body, hex view' });
    const firstRows = await hex.locator('.line-text').evaluateAll((lines) => [lines[0]?.textContent, lines[1]?.textContent, lines.length]);
    expect(firstRows).toEqual([hexLine(bytes, 0), hexLine(bytes, 1), 2000]);
    await detail().getByRole('button', { name: 'Show 2,000 more lines (63,536 not shown)' }).waitFor();

    await detail().getByRole('button', { name: 'Copy body' }).click();
    await detail().getByRole('button', { name: 'Copied' }).waitFor({ timeout: 60_000 });
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copied.length).toBe(hexDump(bytes).length);
    expect(copied === hexDump(bytes)).toBe(true);
  });

  it('compare of two long bodies can be canceled', async () => {
    const left = Array.from({ length: 30_000 }, (_, index) => `left line ${index}`).join('\n');
    const right = Array.from({ length: 30_000 }, (_, index) => `right line ${index}`).join('\n');
    expect(await postOrdered(ui.receiverUrl, '/compare/left', TEXT_HEADERS, left)).toBe(200);
    expect(await postOrdered(ui.receiverUrl, '/compare/right', TEXT_HEADERS, right)).toBe(200);
    await rows().filter({ hasText: '/compare/left' }).click();
    await page.getByRole('button', { name: 'Compare…' }).click();
    await rows().filter({ hasText: '/compare/right' }).click();
    await page.getByRole('button', { name: 'Compare with picked' }).click();

    const compare = page.getByRole('dialog', { name: 'Compare deliveries' });
    await compare.getByRole('status').filter({ hasText: 'Comparing…' }).getByRole('button', { name: 'Cancel' }).click();
    await compare.getByText('The comparison was canceled.').waitFor();
    await compare.getByRole('button', { name: 'Compare again' }).waitFor();
    await compare.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
  });
});
