import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServer } from '../support/echo-server';
import { startEchoServer } from '../support/echo-server';
import { tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';

const ENV = { HOOKTRAY_TEST_SPIKE_KEY: 'made-up-spike-key' };
let configFile: string;
let target: EchoServer;

beforeAll(async () => {
  configFile = writeConfig(tempDir('hooktray-send-window-'), {
    profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ env: 'HOOKTRAY_TEST_SPIKE_KEY' }] }],
  });
  target = await startEchoServer();
});

afterAll(async () => {
  await target?.close();
});

describe('hooktray send spike window options', () => {
  // Option, value, and the problem the message must name.
  const cases: [string, string, string][] = [
    ['--window-start', '2024-13-45T00:00:00Z', 'month 13 is not 01 to 12'],
    ['--window-start', '2023-02-29T00:00:00Z', 'day 29 is not in February 2023, which has 28 days'],
    ['--window-end', '2024-01-01T25:00:00Z', 'hour 25 is not 00 to 23'],
    ['--window-end', 'tomorrow', 'it is not in RFC 3339 form'],
  ];

  for (const [option, value, problem] of cases) {
    it(`rejects ${option} ${value}`, async () => {
      const run = await runCli(['send', 'spike', '--to', `${target.url}/hook`, '--config', configFile, option, value], ENV);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Invalid ${option} "${value}": ${problem}.`);
      expect(run.stdout).toBe('');
      expect(target.requests).toHaveLength(0);
    });
  }

  it('sends a valid window as given', async () => {
    const start = '2024-02-29T00:00:00.123456789Z';
    const end = '2024-03-01T00:00:00Z';
    const run = await runCli(['send', 'spike', '--to', `${target.url}/hook`, '--config', configFile, '--window-start', start, '--window-end', end], ENV);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(target.requests).toHaveLength(1);
    const [event] = JSON.parse(target.requests[0]?.body.toString('utf8') ?? '[]') as Record<string, unknown>[];
    expect(event?.earliest_record_start_at).toBe(start);
    expect(event?.latest_record_end_at).toBe(end);
  });
});
