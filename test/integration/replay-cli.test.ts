import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryDiff } from '../../electron/core/contract';
import type { EchoServer } from '../support/echo-server';
import { postRaw, startEchoServer, startRawAnswerServer } from '../support/echo-server';
import type { ListenProcess } from '../support/listen-process';
import { startListen, tempDir, writeConfig } from '../support/listen-process';
import { runCli } from '../support/run-cli';
import { spikeBody, spikeSignature } from '../support/spike';

const SPIKE_KEY = 'spike-test-key-for-replay';
let dir: string;
let configFile: string;
let listen: ListenProcess;
let target: EchoServer;
const ids: string[] = [];

// Two Spike deliveries that differ in the user and in a number beyond 2^53.
const bodies = [spikeBody('user-1').replace('"garmin"', '"garmin","sequence":9007199254740993'), spikeBody('user-2').replace('"garmin"', '"garmin","sequence":9007199254740992')];

beforeAll(async () => {
  dir = tempDir('hooktray-replay-cli-');
  configFile = writeConfig(dir, { profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ value: SPIKE_KEY }] }] });
  target = await startEchoServer();
  listen = await startListen(['--data-dir', dir, '--config', configFile]);
  for (const body of bodies) {
    const posted = await postRaw(`${listen.localUrl}/spike`, [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json'], ['X-Body-Signature', spikeSignature(SPIKE_KEY, body)]], Buffer.from(body));
    expect(posted.status).toBe(200);
    ids.push(posted.deliveryId as string);
  }
});

afterAll(async () => {
  await listen?.stop();
  await target?.close();
});

describe('hooktray replay', () => {
  it('re-sends while listen runs on the same store', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', `${target.url}/local?x=1`, '--data-dir', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^200 from http:\/\/127\.0\.0\.1:\d+\/local\?x=1 in [\d.]+ ms \(13 B response\)\n\{"echo":true\}\n$/);
    const sent = target.requests.at(-1);
    expect(sent?.sha256).toBe(createHash('sha256').update(bodies[0] as string).digest('hex'));
    expect(sent?.headers.map(([name]) => name)).toEqual(['Host', 'Content-Type', 'X-Body-Signature', 'Content-Length', 'Connection']);
  });

  it('re-signs with --resign', async () => {
    const run = await runCli(['replay', ids[1] as string, '--to', target.url, '--data-dir', dir, '--resign', '--config', configFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('re-signed');
  });

  it('exits 1 and names the target when it is down', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', 'http://127.0.0.1:9/', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('http://127.0.0.1:9/ refused the connection');
  });

  it('prints the Location of a redirect', async () => {
    const redirecting = await startRawAnswerServer('HTTP/1.1 302 Found\r\nLocation: /moved?x=1\r\nContent-Length: 0\r\n\r\n');
    try {
      const run = await runCli(['replay', ids[0] as string, '--to', `${redirecting.url}/old`, '--data-dir', dir]);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`302 from ${redirecting.url}/old in `);
      expect(run.stdout).toContain(`\nRedirects are not followed; the target redirects to ${redirecting.url}/moved?x=1, so send to that URL if it handles the webhook.\n`);
    } finally {
      await redirecting.close();
    }
  });

  it('rejects --to given twice', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', target.url, '--to', `${target.url}/other`, '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hooktray replay: --to was given 2 times: give it once.\n');
  });

  it('masks the password of an invalid --to', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', 'http://user:s3cr3tpw@127.0.0.1:99999/', '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hooktray replay: Invalid target URL "http://user:***@127.0.0.1:99999/": the port 99999 is out of range; use a port from 1 to 65535.\n');
  });

  it('escapes control characters of an invalid --to', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', 'http://127.0.0.1:4101\r\n\u001b[31mX: y', '--data-dir', dir]);
    expect(run.code).toBe(2);
    // eslint-disable-next-line no-control-regex
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(run.stderr).toContain('Invalid target URL "http://127.0.0.1:4101\\r\\n\\x1b[31mX: y"');
  });

  it('suggests http:// for a --to without a scheme', async () => {
    const run = await runCli(['replay', ids[0] as string, '--to', 'localhost:4101', '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('use http://localhost:4101 for a local server.');
  });

  it('requires --config for --resign', async () => {
    const run = await runCli(['replay', ids[1] as string, '--to', target.url, '--data-dir', dir, '--resign']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs --config FILE');
  });

  it('names an unknown --profile and the profiles', async () => {
    const run = await runCli(['replay', ids[1] as string, '--to', target.url, '--data-dir', dir, '--resign', '--profile', 'nope', '--config', configFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`There is no profile named "nope" in ${configFile}`);
    expect(run.stderr).toContain('The file\'s profiles are "spike" (scheme spike, path prefix /spike)');
  });

  it('names a path that no profile covers', async () => {
    const otherConfig = join(dir, 'other-path.json');
    writeFileSync(otherConfig, JSON.stringify({ profiles: [{ name: 'elsewhere', scheme: 'spike', pathPrefix: '/elsewhere', keys: [{ value: SPIKE_KEY }] }] }));
    const run = await runCli(['replay', ids[1] as string, '--to', target.url, '--data-dir', dir, '--resign', '--config', otherConfig]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`No profile in ${otherConfig} covers the path /spike of delivery ${ids[1]}`);
    expect(run.stderr).toContain('"elsewhere" (scheme spike, path prefix /elsewhere)');
  });

  it('reports an unknown id and a missing --to as usage errors', async () => {
    const unknown = await runCli(['replay', '01JRQ0000000000000000000ZZ', '--to', target.url, '--data-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('01JRQ0000000000000000000ZZ is not in the store');
    const noTarget = await runCli(['replay', ids[0] as string, '--data-dir', dir]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('Missing --to URL');
  });

  it('exits 2 for a delivery stored without its body', async () => {
    const limitedDir = tempDir('hooktray-replay-cli-limit-');
    const limited = await startListen(['--data-dir', limitedDir, '--config', writeConfig(limitedDir, { bodyLimit: 16 })]);
    try {
      const posted = await postRaw(`${limited.localUrl}/spike`, [['Host', 'abc.loca.lt'], ['Content-Type', 'application/json']], Buffer.from(bodies[0] as string));
      expect(posted.status).toBe(413);
      const [record] = await limited.waitForDeliveries(1);

      const run = await runCli(['replay', record?.id as string, '--to', target.url, '--data-dir', limitedDir]);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('was over the body limit and its body was not stored');
    } finally {
      await limited.stop();
    }
  });
});

describe('hooktray diff', () => {
  it('lists exactly the changed paths with --json', async () => {
    const run = await runCli(['diff', ids[0] as string, ids[1] as string, '--json', '--data-dir', dir]);
    expect(run.code).toBe(1);
    const diff = JSON.parse(run.stdout) as DeliveryDiff;
    expect(diff.json?.changes).toEqual([
      { path: '/0/application_user_id', kind: 'changed', before: '"user-1"', after: '"user-2"' },
      { path: '/0/sequence', kind: 'changed', before: '9007199254740993', after: '9007199254740992' },
    ]);
    expect(diff.headerChanges.map((change) => change.name)).toEqual(['x-body-signature']);
  });

  it('skips signature headers with --ignore-volatile', async () => {
    const run = await runCli(['diff', ids[0] as string, ids[1] as string, '--json', '--ignore-volatile', '--data-dir', dir]);
    const diff = JSON.parse(run.stdout) as DeliveryDiff;
    expect(diff.headerChanges).toEqual([]);
    expect(diff.json?.changes.map((change) => change.path)).toEqual(['/0/application_user_id', '/0/sequence']);
  });

  it('leaves volatile body lines out with --ignore-volatile', async () => {
    const left = join(dir, 'volatile-left.json');
    const right = join(dir, 'volatile-right.json');
    writeFileSync(left, spikeBody('user-1'));
    writeFileSync(right, spikeBody('user-1', { timestamp: '2025-04-15T13:34:00Z', provider_slug: 'oura' }));

    const run = await runCli(['diff', left, right, '--ignore-volatile']);
    expect(run.code).toBe(1);
    const bodyLines = run.stdout.slice(run.stdout.indexOf('Body lines:'));
    expect(bodyLines).toContain('+    "provider_slug": "oura",');
    expect(bodyLines).not.toContain('"timestamp"');
  });

  it('exits 0 when only volatile fields differ', async () => {
    const left = join(dir, 'volatile-only-left.json');
    const right = join(dir, 'volatile-only-right.json');
    writeFileSync(left, spikeBody('user-1'));
    writeFileSync(right, spikeBody('user-1', { timestamp: '2025-04-15T13:34:00Z' }));

    const run = await runCli(['diff', left, right, '--ignore-volatile']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Body lines:\n  identical\n');
    expect(run.stdout).not.toContain('"timestamp"');
  });

  it('exits 2 for an invalid fixture file', async () => {
    const file = join(dir, 'invalid-fixture.json');
    const body = join(dir, 'plain-body.json');
    writeFileSync(file, JSON.stringify({ format: 'hooktray-fixture', method: 3 }));
    writeFileSync(body, spikeBody('user-1'));

    const run = await runCli(['diff', file, body]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid-fixture.json is not a Hooktray fixture');
    expect(run.stderr).not.toContain('    at ');
  });

  it.each([
    ['a byte order mark', '\uFEFF{"a":1}', '{"a":1}', '-\\ufeff{'],
    ['a repeated key', '{"a":1,"a":2}', '{"a":2}', '-  "a": 1,'],
    ['a number written differently', '{"a":1.0}', '{"a":1}', '-  "a": 1.0'],
    ['JSON white space only', '{"a": 1}', '{"a":1}', 'The bodies differ only in JSON white space.'],
  ])('exits 1 for bodies differing in %s', async (_, leftBody, rightBody, shown) => {
    const left = join(dir, 'bytes-left.json');
    const right = join(dir, 'bytes-right.json');
    writeFileSync(left, leftBody);
    writeFileSync(right, rightBody);

    const run = await runCli(['diff', left, right]);
    expect(run.stdout).toContain('JSON: no changes');
    expect(run.stdout).toContain(shown);
    expect(run.code).toBe(1);
  });

  it('compares a stored delivery with a body file', async () => {
    const file = join(dir, 'same-body.json');
    writeFileSync(file, bodies[0] as string);
    const run = await runCli(['diff', ids[0] as string, file, '--data-dir', dir]);
    expect(run.stdout).toContain('JSON: no changes');
    expect(run.stdout).toContain('removed x-body-signature');
    expect(run.code).toBe(1);
  });

  it('prints text with changed lines', async () => {
    const run = await runCli(['diff', ids[0] as string, ids[1] as string, '--data-dir', dir]);
    expect(run.stdout).toContain('changed /0/sequence  9007199254740993 -> 9007199254740992');
    expect(run.stdout).toContain('-    "sequence": 9007199254740993');
    expect(run.stdout).toContain('+    "sequence": 9007199254740992');
  });
});

describe('delivery ids in lower case', () => {
  it('finds the stored delivery in every command', async () => {
    const lower = (ids[0] as string).toLowerCase();

    const replay = await runCli(['replay', lower, '--to', target.url, '--data-dir', dir]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);

    const diff = await runCli(['diff', lower, (ids[1] as string).toLowerCase(), '--json', '--data-dir', dir]);
    expect(diff.code).toBe(1);
    expect((JSON.parse(diff.stdout) as DeliveryDiff).json?.changes.map((change) => change.path)).toEqual(['/0/application_user_id', '/0/sequence']);

    const verify = await runCli(['verify', lower, '--json', '--config', configFile, '--data-dir', dir]);
    expect(verify.code).toBe(0);
    expect((JSON.parse(verify.stdout) as { source: { id: string } }).source.id).toBe(ids[0]);

    const exported = await runCli(['export', lower, '--format', 'ndjson', '--data-dir', dir]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('Exported 1 delivery as ndjson');
    expect(exported.stdout).toContain(ids[0]);
  });
});
