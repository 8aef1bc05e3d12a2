import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import { spikeBody } from '../support/spike';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

describe('hooktray ui overview', () => {
  let session: UiSession;
  let page: Page;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-overview-', { bodyLimit: 16, profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [] }] });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  /** Returns the rows of the selected delivery's facts table as name and value pairs. */
  async function facts(path: string): Promise<Map<string, string>> {
    await page.getByRole('option').filter({ hasText: path }).click();
    const table = page.getByRole('table', { name: 'Delivery facts' });
    await table.waitFor();
    const rows = await table.locator('tr').evaluateAll((elements) => elements.map((row) => [row.querySelector('th')?.textContent ?? '', row.querySelector('td')?.textContent ?? '']));
    return new Map(rows as [string, string][]);
  }

  it('shows no body digest for a body it did not store', async () => {
    expect(await postOrdered(session.ui.receiverUrl, '/small', [['Content-Type', 'text/plain']], 'fits')).toBe(200);
    expect(await postOrdered(session.ui.receiverUrl, '/too-big', [['Content-Type', 'text/plain']], 'x'.repeat(64))).toBe(413);
    await page.getByRole('option').filter({ hasText: '/too-big' }).waitFor();

    const big = await facts('/too-big');
    expect(big.get('Size')).toContain('over the body limit: not stored, answered 413');
    expect(big.has('Body SHA-256')).toBe(false);

    const small = await facts('/small');
    expect(small.get('Body SHA-256')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says a busy receiver did not store a body', async () => {
    // A fixture of a request that got 503 because the receiver held its maximum of bodies in memory.
    const folder = tempDir('hooktray-e2e-busy-fixture-');
    const fixture = {
      format: 'hooktray-fixture',
      version: 1,
      id: 'busy-upload',
      receivedAt: '2025-04-15T13:33:55.271Z',
      method: 'POST',
      path: '/busy-upload',
      httpVersion: '1.1',
      headers: [['Content-Type', 'application/json']],
      body: { encoding: 'utf8', data: '' },
      size: 5000,
      truncated: true,
      truncatedReason: 'memory-cap',
    };
    writeFileSync(join(folder, 'busy-upload.json'), JSON.stringify(fixture));
    try {
      await page.getByLabel('Files to import').setInputFiles(join(folder, 'busy-upload.json'));
      await page.getByRole('option').filter({ hasText: '/busy-upload' }).waitFor();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    const busy = await facts('/busy-upload');
    expect(busy.get('Size')).toContain('busy receiving other deliveries: not stored, answered 503');
    expect(busy.get('Size')).not.toContain('413');
    expect(busy.has('Body SHA-256')).toBe(false);
    await page.getByText('No setting needs to change', { exact: false }).first().waitFor();

    await page.getByRole('tab', { name: 'Body' }).click();
    const hint = page.getByText('was not stored, because Hooktray already held its maximum of request bodies in memory', { exact: false });
    await hint.waitFor();
    expect(await hint.textContent()).not.toContain('bodyLimit');
    await page.getByRole('tab', { name: 'Overview' }).click();
  });

  it('says an empty Spike array has no events', async () => {
    expect(await postOrdered(session.ui.receiverUrl, '/spike/empty', [['Content-Type', 'application/json']], '[]')).toBe(200);
    await page.getByRole('option').filter({ hasText: '/spike/empty' }).click();
    const events = page.getByRole('region', { name: 'Spike events' });
    await events.getByText('The body is an empty array, so there are no events to list.').waitFor();
    expect(await events.getByRole('table').count()).toBe(0);
  });

  it('gives an object body one reason', async () => {
    expect(await postOrdered(session.ui.receiverUrl, '/spike/object', [['Content-Type', 'application/json']], '{"a":1}')).toBe(200);
    await page.getByRole('option').filter({ hasText: '/spike/object' }).click();
    const events = page.getByRole('region', { name: 'Spike events' });
    await events.getByText('The body is not a JSON array of events.').waitFor();
    expect(await events.getByText('empty array', { exact: false }).count()).toBe(0);
  });
});

describe('hooktray ui Spike summary', () => {
  let session: UiSession;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-bidi-', { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [] }] });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows bidirectional and invisible characters escaped', async () => {
    const { page } = session;
    // U+202E reverses the text after it, so "user-\u202Eevil" would read as "user-live". U+200B is invisible.
    const body = spikeBody('user-\u202Eevil', { provider_slug: 'gar\u200Bmin', metrics: ['st\u0007eps'] });
    // The value's UTF-8 bytes arrive as latin1 text, so its last byte becomes U+0085, a C1 control that shows nothing.
    expect(await postOrdered(session.ui.receiverUrl, '/spike/bidi', [['Content-Type', 'application/json'], ['X-Trick', 'a\u0085b']], body)).toBe(200);
    const row = page.getByRole('option').filter({ hasText: '/spike/bidi' });
    await row.click();
    const events = page.getByRole('region', { name: 'Spike events' });
    await events.getByRole('table').waitFor();

    const summary = (await row.locator('.cell.spike').textContent()) ?? '';
    const table = (await events.textContent()) ?? '';
    for (const text of [summary, table]) {
      expect(text).toContain('user-\\u202eevil');
      expect(text).toContain('gar\\u200bmin');
      expect(text).toContain('st\\x07eps');
      expect(text).not.toContain('\u0007');
      expect(text).not.toContain('\u200b');
      expect(text).not.toContain('\u202e');
    }

    // The body view shows them escaped too, in marked spans, while the lines keep the bytes received.
    await page.keyboard.press('3');
    const view = page.getByRole('group', { name: /^Body, .* view$/ });
    await view.waitFor();
    const bodyText = (await view.textContent()) ?? '';
    expect(bodyText).toContain('user-\\u202eevil');
    expect(bodyText).not.toContain('\u202e');
    expect(bodyText).not.toContain('\u200b');
    expect(await view.locator('.invisible-char').allTextContents()).toEqual(expect.arrayContaining(['\\u202e', '\\u200b']));

    // The headers table escapes them too.
    await page.keyboard.press('2');
    const headers = page.getByRole('table', { name: 'Headers' });
    await headers.waitFor();
    const values = (await headers.locator('td.header-value').allTextContents()).join('\n');
    expect(values).toContain('\\x85b');
    expect(values).not.toContain('\u0085');
  });
});
