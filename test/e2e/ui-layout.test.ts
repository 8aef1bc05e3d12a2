import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../support/listen-process';
import { spikeBody, spikeSignature } from '../support/spike';
import type { UiProcess } from '../support/ui-process';
import { launchChromium, postOrdered, screenshotPath, startUi, waitUntil } from '../support/ui-process';

const KEY = 'e2e-layout-made-up-key';
const HEIGHT = 900;
/** Paths that differ only at the end, as a flood of deliveries to one receiver does. */
const FLOOD_PATHS = ['/webhooks/spike/tenant-1/flood/1', '/webhooks/spike/tenant-1/flood/2', '/webhooks/spike/tenant-2/flood/3'];
const SPIKE_USER = 'user-7f3a9c21';

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** What the page reports about one element: its box and whether its content is cut off. */
interface Measured {
  name: string;
  box: Box;
  clipped: boolean;
  text: string;
}

/** The part of the DOM that `measure` uses; the tests compile without the DOM library. */
interface PageElement {
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect: () => Box;
}
declare const document: { querySelectorAll: (selector: string) => Iterable<PageElement> };

/** Measures every element that matches each named selector, in the page. */
function measure(page: Page, selectors: Record<string, string>): Promise<Measured[]> {
  return page.evaluate((named) => {
    const found: Measured[] = [];
    for (const [name, selector] of Object.entries(named)) {
      for (const element of document.querySelectorAll(selector)) {
        const { left, top, right, bottom } = element.getBoundingClientRect();
        found.push({ name, box: { left, top, right, bottom }, clipped: element.scrollWidth > element.clientWidth, text: element.textContent ?? '' });
      }
    }
    return found;
  }, selectors);
}

/** Returns whether two boxes share area; boxes that only touch at an edge do not overlap. */
function overlaps(a: Box, b: Box): boolean {
  const slack = 0.5;
  return a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
}

function inside(inner: Box, outer: Box): boolean {
  const slack = 0.5;
  return inner.left >= outer.left - slack && inner.right <= outer.right + slack && inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;
}

const one = (items: Measured[], name: string): Measured => {
  const found = items.find((item) => item.name === name);
  if (found === undefined) throw new Error(`No element measured as ${name}`);
  return found;
};

describe('hooktray ui layout at common widths', () => {
  let dir: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByRole('listbox', { name: 'Deliveries' }).getByRole('option');

  beforeAll(async () => {
    dir = tempDir('hooktray-e2e-layout-');
    const config = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ env: 'E2E_LAYOUT_KEY' }] }] });
    ui = await startUi(['--data-dir', `${dir}/data`, '--config', config], { E2E_LAYOUT_KEY: KEY });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(ui.uiUrl);
    for (const [index, path] of FLOOD_PATHS.entries()) {
      const body = spikeBody(SPIKE_USER, { sequence: index });
      // The last one has a signature header too short for a digest, which gives one of the longest badges.
      const signature = index === FLOOD_PATHS.length - 1 ? 'not-a-digest' : spikeSignature(KEY, body);
      expect(await postOrdered(ui.receiverUrl, path, [['Content-Type', 'application/json'], ['X-Body-Signature', signature]], body)).toBe(200);
    }
    expect(await postOrdered(ui.receiverUrl, '/unsigned', [['Content-Type', 'text/plain']], 'plain')).toBe(200);
    await waitUntil(async () => (await rows().count()) === FLOOD_PATHS.length + 1, 'four rows');
    await rows().filter({ hasText: FLOOD_PATHS[0] as string }).click();
    await page.getByRole('region', { name: 'Delivery' }).getByRole('table', { name: 'Delivery facts' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [1400, 800, 480]) {
    it(`keeps elements apart and badges whole at ${width} px`, async () => {
      await page.setViewportSize({ width, height: HEIGHT });
      await page.screenshot({ path: screenshotPath(`ui-layout-${width}`) });
      const items = await measure(page, {
        list: '.list-pane',
        listScroll: '.list-scroll',
        detail: '.detail-pane',
        filter: '.toolbar input[type="search"]',
        verdictFilter: '.verdict-filter select',
        action: '.list-actions button',
        badge: '.badge',
        detailHead: '.detail-head',
        rowTime: '.row .cell.time',
        rowMethod: '.row .cell.method',
        rowPath: '.row .cell.path',
        rowSize: '.row .cell.size',
        rowVerdict: '.row .cell.verdict',
        rowSpike: '.row .cell.spike',
      });
      const list = one(items, 'list');
      const listScroll = one(items, 'listScroll');
      const detail = one(items, 'detail');

      expect(overlaps(list.box, detail.box), 'list pane and detail pane overlap').toBe(false);
      for (const name of ['filter', 'verdictFilter', 'action']) {
        for (const item of items.filter((candidate) => candidate.name === name)) {
          expect(inside(item.box, list.box), `${name} "${item.text.slice(0, 20)}" leaves the list pane`).toBe(true);
        }
      }
      expect(overlaps(one(items, 'filter').box, one(items, 'verdictFilter').box), 'filter and verdict filter overlap').toBe(false);

      for (const badge of items.filter((item) => item.name === 'badge')) {
        expect(badge.clipped, `badge "${badge.text}" is cut off inside`).toBe(false);
        expect(badge.box.right - badge.box.left, `badge "${badge.text}" has no width`).toBeGreaterThan(0);
      }
      const rowCells = ['rowTime', 'rowMethod', 'rowPath', 'rowSize', 'rowVerdict', 'rowSpike'];
      for (const cell of items.filter((item) => rowCells.includes(item.name))) {
        expect(inside(cell.box, listScroll.box), `${cell.name} "${cell.text}" is cut off by the list`).toBe(true);
      }
      for (const cell of items.filter((item) => item.name === 'rowVerdict')) {
        expect(cell.clipped, `verdict cell "${cell.text}" is cut off`).toBe(false);
      }

      // Cells of one row: every pair stays apart. Rows are listed in the same order for each cell kind.
      const rowCount = items.filter((item) => item.name === 'rowTime').length;
      expect(rowCount).toBe(FLOOD_PATHS.length + 1);
      for (let row = 0; row < rowCount; row++) {
        const cells = rowCells.map((name) => items.filter((item) => item.name === name)[row] as Measured);
        for (const [index, a] of cells.entries()) {
          for (const b of cells.slice(index + 1)) {
            expect(overlaps(a.box, b.box), `row ${row + 1}: ${a.name} "${a.text}" overlaps ${b.name} "${b.text}"`).toBe(false);
          }
        }
      }
      expect(inside(one(items, 'detailHead').box, detail.box), 'detail head leaves the detail pane').toBe(true);
    });
  }

  it('shows each whole path at 1400 px', async () => {
    await page.setViewportSize({ width: 1400, height: HEIGHT });
    const parts = await measure(page, { part: '.row .path-head, .row .path-tail' });
    expect(parts.length).toBeGreaterThanOrEqual(FLOOD_PATHS.length * 2);
    for (const part of parts) expect(part.clipped, `path part "${part.text}" is cut off`).toBe(false);
  });

  it('shows the end of each path at 1400 px and 800 px', async () => {
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: HEIGHT });
      const tails = await measure(page, { tail: '.row .path-tail' });
      const shown = tails.filter((tail) => !tail.clipped).map((tail) => tail.text);
      for (const path of FLOOD_PATHS) {
        expect(
          shown.some((text) => path.endsWith(text) && text.endsWith(path.split('/').slice(-2).join('/'))),
          `the end of ${path} at ${width} px; shown: ${shown.join(', ')}`,
        ).toBe(true);
      }
      for (const path of FLOOD_PATHS) expect(await rows().filter({ hasText: path }).locator('.cell.path').getAttribute('title')).toBe(path);
    }
  });

  it('shows the whole Spike summary at 1400 px', async () => {
    await page.setViewportSize({ width: 1400, height: HEIGHT });
    const summaries = (await measure(page, { spike: '.row .cell.spike' })).filter((cell) => cell.text !== '');
    expect(summaries).toHaveLength(FLOOD_PATHS.length);
    for (const summary of summaries) {
      expect(summary.text).toContain(SPIKE_USER);
      expect(summary.text).toContain('garmin');
      expect(summary.clipped, `Spike summary "${summary.text}" is cut off`).toBe(false);
    }
  });

  it('stacks the list above a full-width detail at 480 px', async () => {
    await page.setViewportSize({ width: 480, height: HEIGHT });
    const items = await measure(page, { list: '.list-pane', detail: '.detail-pane' });
    const list = one(items, 'list').box;
    const detail = one(items, 'detail').box;
    expect(detail.top).toBeGreaterThanOrEqual(list.bottom - 0.5);
    expect(detail.right - detail.left).toBeGreaterThanOrEqual(470);
    expect(detail.bottom - detail.top).toBeGreaterThanOrEqual(300);
    expect(list.bottom - list.top).toBeGreaterThanOrEqual(200);
  });
});
