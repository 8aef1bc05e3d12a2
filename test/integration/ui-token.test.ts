import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';
import { startUi } from '../support/ui-process';

/** Requests `url` without following the redirect and returns the status. */
async function statusOf(url: string): Promise<number> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  return response.status;
}

describe('hooktray ui token', () => {
  it('keeps the printed URL valid until stop', async () => {
    const dataDir = tempDir('hooktray-ui-token-');
    const first = await startUi(['--data-dir', dataDir]);
    try {
      expect(await statusOf(first.uiUrl)).toBe(303);
      expect(await statusOf(first.uiUrl)).toBe(303);
      expect(await statusOf(`http://127.0.0.1:${first.uiPort}/?token=not-the-token`)).toBe(401);
    } finally {
      await first.stop();
    }

    // A restart makes a new token, so the old URL's token no longer opens the UI.
    const second = await startUi(['--data-dir', dataDir]);
    try {
      const oldToken = new URL(first.uiUrl).searchParams.get('token') as string;
      expect(new URL(second.uiUrl).searchParams.get('token')).not.toBe(oldToken);
      expect(await statusOf(`http://127.0.0.1:${second.uiPort}/?token=${oldToken}`)).toBe(401);
      expect(await statusOf(second.uiUrl)).toBe(303);
    } finally {
      await second.stop();
    }
  });
});
