import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseExportArgs, runExport } from '../../electron/cli/export';
import { runImport } from '../../electron/cli/import';
import { main, systemErrorMessage } from '../../electron/cli';
import { UsageError } from '../../electron/cli/args';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from '../../electron/core/export/fixture';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { DeliveryStore } from '../../electron/core/store';
import { CLI } from '../support/listen-process';
import { sendAll, startCore, tempDir, variedRequest, removeTempDirs } from './export-support';

let core: HooktrayCore;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('cli-source');
  core = await startCore(dataDir);
  await sendAll(core.receiver.port, Array.from({ length: 16 }, (_, i) => variedRequest(i)));
  // Commit the writes so the CLI's own database connection reads them.
  core.store.flush();
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

function quietStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('hooktray export arguments', () => {
  it('rejects an unknown format', () => {
    expect(() => parseExportArgs(['--format', 'zip'])).toThrow(UsageError);
  });

  it('rejects two signature options', () => {
    expect(() => parseExportArgs(['--keep-signatures', '--resign-with-test-key'])).toThrow(/Choose one/);
  });

  it('rejects an invalid time', () => {
    expect(() => parseExportArgs(['--from', 'yesterday'])).toThrow(/--from "yesterday": it is not in RFC 3339 form/);
  });

  it.each([
    ['--from', '2026-11-31T00:00:00Z', 'day 31 is not in November 2026, which has 30 days'],
    ['--to', '2026-12-05T25:99:00Z', 'hour 25 is not 00 to 23'],
    ['--to', '2026-12-05T23:00:00+24:00', 'the offset +24:00 is not -23:59 to +23:59'],
  ])('rejects %s %s', (option, text, problem) => {
    expect(() => parseExportArgs([option, text])).toThrow(`Invalid ${option} "${text}": ${problem}.`);
  });

  it.each([
    ['2026-12-05T10:00:00+01:00', '2026-12-05T09:00:00.000Z'],
    ['2025-04-15T13:33:55.000000001Z', '2025-04-15T13:33:55.001Z'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
  ])('reads --from %s', (text, expected) => {
    const options = parseExportArgs(['--from', text]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.request.from).toBe(expected);
  });

  it('adds --redact to the defaults', () => {
    const options = parseExportArgs(['--redact', 'X-Api-Key', '--path', '/webhooks', 'A', 'B']);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.request.redactHeaders).toEqual(['Authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key']);
    expect(options.request.ids).toEqual(['A', 'B']);
    expect(options.request.pathPrefix).toBe('/webhooks');
  });
});

describe('hooktray export and import', () => {
  it('exports a filtered selection and imports it', async () => {
    const stderr = quietStderr();
    const out = tempDir('cli-out');
    const code = await runExport(['--data-dir', dataDir, '--out', out, '--path', '/webhooks/']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { fixtures: { path: string }[] };
    expect(index.fixtures.length).toBeGreaterThan(0);
    expect(index.fixtures.every((entry) => entry.path.startsWith('/webhooks/'))).toBe(true);
    expect(stderr.join('')).toMatch(/Exported \d+ deliveries as fixture/);

    const target = tempDir('cli-import');
    quietStderr();
    expect(await runImport([out, '--data-dir', target])).toBe(0);
    vi.restoreAllMocks();
    const store = new DeliveryStore({ dataDir: target });
    expect(store.count()).toBe(index.fixtures.length);
    store.close();
  });

  it('rejects ids that are not stored', async () => {
    const stored = core.store.list({ limit: 1 }).items[0]?.id ?? '';
    const absent = '01M91ZHM8VGD7937CX0GBB6F7Z';
    const out = join(tempDir('cli-missing'), 'out');
    const stderr = quietStderr();
    const code = await main(['export', stored, absent, 'not-an-id', '--data-dir', dataDir, '--out', out]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toContain(`No delivery is stored with the ids ${absent}, not-an-id in ${dataDir}`);
    expect(stderr.join('')).not.toContain(stored);
    expect(existsSync(out)).toBe(false);
  });

  it('writes HAR to a named file', async () => {
    quietStderr();
    const file = join(tempDir('cli-har'), 'capture.har');
    expect(await runExport(['--data-dir', dataDir, '--format', 'har', '--out', file])).toBe(0);
    vi.restoreAllMocks();
    const har = JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: unknown[] } };
    expect(har.log.entries).toHaveLength(16);
  });

  it('reports stdout closed by its reader', async () => {
    const child = spawn(process.execPath, [CLI, 'export', '--data-dir', dataDir, '--format', 'ndjson'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the first line, as `head` does once it has its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once('close', (exitCode) => resolveExit(exitCode)));

    expect(code).toBe(1);
    expect(stderr).toContain('Writing the export failed: EPIPE');
    expect(stderr).toContain('closed it before the export finished');
    expect(stderr).not.toContain('    at ');
  });

  it('imports NDJSON from a file without an extension', async () => {
    const file = join(tempDir('cli-ndjson'), 'out-ndjson');
    quietStderr();
    expect(await runExport(['--data-dir', dataDir, '--format', 'ndjson', '--out', file])).toBe(0);
    vi.restoreAllMocks();

    const target = tempDir('cli-ndjson-import');
    const stderr = quietStderr();
    const code = await runImport([file, '--data-dir', target]);
    vi.restoreAllMocks();
    expect(code, stderr.join('')).toBe(0);
    const store = new DeliveryStore({ dataDir: target });
    expect(store.count()).toBe(16);
    store.close();
  });

  it('rejects a file without an extension that is not an export', async () => {
    const file = join(tempDir('cli-not-ndjson'), 'notes');
    writeFileSync(file, '{"format":"something-else"}\n');
    const stderr = quietStderr();
    const code = await main(['import', file, '--data-dir', tempDir('cli-not-ndjson-store')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('No deliveries found to import');
  });

  it('rejects a command named like an object property', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const stderr = quietStderr();
      const code = await main([name]);
      vi.restoreAllMocks();
      expect(code, name).toBe(2);
      expect(stderr.join(''), name).toContain(`unknown command "${name}"`);
    }
  });

  it('reports a broken import file', async () => {
    const stderr = quietStderr();
    const folder = tempDir('cli-broken');
    writeFileSync(join(folder, 'broken.har'), '{"log":');
    const code = await main(['import', join(folder, 'broken.har'), '--data-dir', tempDir('cli-broken-store')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('broken.har is not valid JSON');
  });

  it('reports a folder without an export', async () => {
    const stderr = quietStderr();
    const folder = tempDir('cli-no-export');
    writeFileSync(join(folder, 'notes.txt'), 'not an export');
    const code = await main(['import', folder, '--data-dir', tempDir('cli-no-export-store')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('No deliveries found to import');
  });

  it('leaves no store after a failed import', async () => {
    const folder = tempDir('cli-wrong-file');
    const files: Record<string, string> = {
      'broken.har': '{"log":',
      'notes.ndjson': '{"not":"a fixture"}\n',
      'first-bad.ndjson': 'plain text\n{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}\n',
      'settings.json': '{"theme":"dark"}',
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(folder, name), text);
      const dataDir = join(tempDir('cli-wrong-file-store'), 'store');
      const stderr = quietStderr();
      const code = await main(['import', join(folder, name), '--data-dir', dataDir]);
      vi.restoreAllMocks();
      expect(code, name).toBe(2);
      expect(stderr.join(''), name).toContain(name);
      expect(existsSync(dataDir), name).toBe(false);
    }
  });

  it('reports a missing import path', async () => {
    const stderr = quietStderr();
    const missing = join(tempDir('cli-missing'), 'none');
    const code = await main(['import', missing, '--data-dir', tempDir('cli-missing-store')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toContain(`Nothing to import at ${missing}`);
  });

  it('refuses a missing store', async () => {
    const parent = tempDir('cli-empty');
    await expect(runExport(['--data-dir', join(parent, 'none')])).rejects.toThrow(/No Hooktray store/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('hooktray export progress', () => {
  it('prints no line within a second', async () => {
    // 2,000 deliveries make 8 progress reports of 250 deliveries each.
    const count = 2000;
    const seed = join(tempDir('cli-progress-seed'), 'seed.ndjson');
    const records = Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        format: FIXTURE_FORMAT,
        version: FIXTURE_VERSION,
        id: `progress-${i}`,
        receivedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        method: 'POST',
        path: `/progress/${i}`,
        headers: [['Content-Type', 'application/json']],
        body: { encoding: 'utf8', data: `{"n":${i}}` },
      }),
    );
    writeFileSync(seed, `${records.join('\n')}\n`);
    const manyDataDir = tempDir('cli-progress-data');
    quietStderr();
    expect(await runImport([seed, '--data-dir', manyDataDir])).toBe(0);
    vi.restoreAllMocks();

    // With the clock stopped, the whole export takes no time, so it prints no progress line.
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1));
    const stderr = quietStderr();
    let code: number;
    try {
      code = await runExport(['--data-dir', manyDataDir, '--format', 'ndjson', '--out', join(tempDir('cli-progress-out'), 'all.ndjson')]);
    } finally {
      vi.restoreAllMocks();
    }

    expect(code).toBe(0);
    expect(stderr.filter((line) => / of \d+ deliveries/.test(line))).toEqual([]);
    expect(stderr.join('')).toContain(`Exported ${count} deliveries as ndjson`);
  });
});

describe('systemErrorMessage', () => {
  it('names a port in use', () => {
    const error = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8080 });
    expect(systemErrorMessage(error)).toBe('port 8080 on 127.0.0.1 is already in use: choose another port, or 0 for any free one.');
  });

  it('names an unwritable folder, not a port', () => {
    const error = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'mkdir', path: '/srv/hooktray' });
    expect(systemErrorMessage(error)).toBe('/srv/hooktray cannot be written (EACCES): choose a --data-dir this user can write.');
  });

  it('leaves other errors alone', () => {
    expect(systemErrorMessage(new Error('boom'))).toBeNull();
  });
});

describe('hooktray export of snippets it must skip', () => {
  it('names each reason and the CLI advice', async () => {
    const source = tempDir('cli-skips');
    const skipsCore = await startCore(source);
    const gzipped = gzipSync(Buffer.from('{"n":1}'));
    await sendAll(skipsCore.receiver.port, [
      { method: 'POST', path: '/text', headers: [['Content-Type', 'application/json']], body: Buffer.from('{"n":0}') },
      { method: 'POST', path: '/binary', headers: [['Content-Type', 'application/octet-stream']], body: Buffer.from([0xff, 0xfe, 0x00]) },
      { method: 'POST', path: '/gzip/1', headers: [['Content-Encoding', 'gzip']], body: gzipped },
      { method: 'POST', path: '/gzip/2', headers: [['Content-Encoding', 'gzip']], body: gzipped },
    ]);
    const ids = (path: string): string[] => [...skipsCore.store.ids()].filter((id) => skipsCore.store.get(id)?.path.startsWith(path));
    const [binaryId] = ids('/binary');
    const gzipIds = ids('/gzip/').sort();
    skipsCore.store.flush();
    await skipsCore.stop();

    const stderr = quietStderr();
    const code = await runExport(['--data-dir', source, '--out', tempDir('cli-skips-out'), '--format', 'snippet']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const output = stderr.join('');
    expect(output).toContain(`Exported 1 delivery as snippet to `);
    expect(output).toContain(`; skipped 3: 1 with a body that is not valid UTF-8 (${binaryId}), 2 gzip-encoded (${gzipIds.join(', ')}).\n`);
    expect(output).toContain('hooktray export: Export those with --format curl or --format fixture, which keep the body bytes.\n');
  });
});
