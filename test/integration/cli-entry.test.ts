import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/listen-process';

const BIN = resolve(__dirname, '..', '..', 'bin', 'hooktray.js');
const CLI = resolve(__dirname, '..', '..', 'out', 'node', 'cli.js');

/** Runs bin/hooktray.js with a script preloaded, and resolves with its exit code and stderr. */
function runWithPreload(preload: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--require', preload, BIN, ...args], { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error === null) {
        done({ code: 0, stderr });
        return;
      }
      // A process killed by the timeout has a signal, not a numeric exit code.
      done({ code: typeof error.code === 'number' ? error.code : null, stderr });
    });
  });
}

describe('the hooktray entry script', () => {
  it('exits 1 when a command never settles', async () => {
    // Stands in for a command that waits on an event that never comes, such as a target's response.
    const preload = join(tempDir('hooktray-entry-'), 'stuck.js');
    writeFileSync(preload, `require(${JSON.stringify(CLI)}).main = () => new Promise(() => {});\n`);
    const run = await runWithPreload(preload, ['send', 'spike']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the command stopped without a result');
  });
});
