import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiSession } from '../support/ui-process';
import { openUiSession, postOrdered } from '../support/ui-process';

describe('hooktray ui export of credential headers', () => {
  let session: UiSession;
  let folder: string;

  beforeAll(async () => {
    session = await openUiSession('hooktray-e2e-export-redact-', {});
    folder = mkdtempSync(join(tmpdir(), 'hooktray-e2e-export-redact-out-'));
  });

  afterAll(async () => {
    await session?.close();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('redacts proxy credentials by default', async () => {
    const { page, ui } = session;
    const headers: [string, string][] = [
      ['Authorization', 'Bearer made-up-server-credential'],
      ['Proxy-Authorization', 'Basic made-up-proxy-credential'],
      ['Content-Type', 'text/plain'],
    ];
    expect(await postOrdered(ui.receiverUrl, '/with-credentials', headers, 'hello')).toBe(200);
    await page.getByRole('option').filter({ hasText: '/with-credentials' }).waitFor();

    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export deliveries' });
    expect(await dialog.getByLabel('Redact these headers (comma-separated)').inputValue()).toContain('Proxy-Authorization');
    await dialog.getByRole('combobox', { name: /^Format/ }).selectOption('fixture');
    await dialog.getByLabel('Folder (empty: download in the browser)').fill(folder);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByText('Exported 1 delivery to').waitFor();

    const written = readdirSync(folder)
      .filter((name) => name.endsWith('.json') && name !== 'index.json')
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .join('\n');
    expect(written).toContain('Proxy-Authorization');
    expect(written).not.toContain('made-up-proxy-credential');
    expect(written).not.toContain('made-up-server-credential');
  });
});
