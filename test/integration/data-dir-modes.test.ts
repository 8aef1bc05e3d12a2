import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { post, startListen, tempDir } from '../support/listen-process';

const root = tempDir('hooktray-modes-');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('files in a data folder that already exists', () => {
  it('are readable by their owner only', async () => {
    // A folder the user made, open to others, as `mkdir` makes it under the usual umask.
    const dataDir = join(root, 'existing');
    mkdirSync(dataDir, { mode: 0o755 });
    const previous = process.umask(0o022);
    try {
      const listen = await startListen(['--data-dir', dataDir]);
      expect((await post(`${listen.localUrl}/hooks/one`, '{"made":"up"}')).status).toBe(200);
      await listen.waitForDeliveries(1);
      const files = ['hooktray.db', 'hooktray.db-wal', 'hooktray.db-shm', join('logs', 'hooktray.log')];
      // Checked while listen runs, when the -wal and -shm files exist.
      for (const file of files) expect({ file, mode: statSync(join(dataDir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      expect(statSync(join(dataDir, 'logs')).mode & 0o777).toBe(0o700);
      expect(await listen.stop()).toBe(0);
    } finally {
      process.umask(previous);
    }
    expect(readdirSync(dataDir)).toContain('hooktray.db');
  });
});
