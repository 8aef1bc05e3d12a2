import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliLogFile, createCliLogger, formatLogLine } from './log';

describe('formatLogLine', () => {
  it('writes a context on the same line', () => {
    const line = formatLogLine(['12:00:00.000 warn tunnel: reconnecting', { url: null, reason: 'the server is\nunreachable', attempt: 2 }]);
    expect(line).toBe("12:00:00.000 warn tunnel: reconnecting { url: null, reason: 'the server is\\nunreachable', attempt: 2 }");
  });

  it('keeps a long list on one line', () => {
    const ids = Array.from({ length: 150 }, (_, index) => `id-${index}`);
    const line = formatLogLine(['forward: stopped', { ids }]);
    expect(line).not.toContain('\n');
    expect(line).toContain("'id-149'");
  });

  it('shows an error without its stack', () => {
    const line = formatLogLine(['ui: stopping failed', { error: new Error('boom') }]);
    expect(line).toBe("ui: stopping failed { error: 'Error: boom' }");
  });

  it('escapes control characters in the message', () => {
    expect(formatLogLine(['listen: path /a\n/b\u001b[2J'])).toBe('listen: path /a\\n/b\\x1b[2J');
  });
});

describe('createCliLogger', () => {
  let dataDir: string;
  let stderr: string[];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hooktray-log-'));
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps info entries off stderr', () => {
    const logger = createCliLogger(dataDir);
    logger.info('listen: started', { version: '0.1.0', dataDir, receiverPort: 8080, profiles: 2 });

    expect(stderr).toEqual([]);
    expect(readFileSync(cliLogFile(dataDir), 'utf8')).toContain('listen: started');
  });

  it('writes a warning on one stderr line', () => {
    const logger = createCliLogger(dataDir);
    const reason = 'The tunnel server http://127.0.0.1:9 is unreachable; check the network connection and the tunnel host.';
    logger.warn('tunnel: reconnecting', { url: null, reason, attempt: 1, nextTryAt: '2026-01-01T00:00:00.000Z' });

    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} warn tunnel: reconnecting \{ url: null, reason: '.*', attempt: 1, nextTryAt: '2026-01-01T00:00:00\.000Z' \}\n$/);
    expect(readFileSync(cliLogFile(dataDir), 'utf8')).toContain(reason);
  });
});
