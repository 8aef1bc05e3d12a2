import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFormat, HeaderPair, SignatureHandling } from '../../electron/core/contract';
import { DEFAULT_TEST_KEY, testKeyFor } from '../../electron/core/export/resign';
import { FolderSink } from '../../electron/core/export/sinks';
import { exportDeliveries } from '../../electron/core/fixtures';
import type { HooktrayCore } from '../../electron/core/hooktray-core';
import { signDelivery } from '../../electron/core/signatures/sign';
import type { Profile } from '../../electron/core/signatures/types';
import type { RawRequest } from './export-support';
import { readTree, sendAll, startCore, tempDir, removeTempDirs } from './export-support';

type GithubVerify = (secret: string, payload: string, signature: string) => Promise<boolean>;

const KEYS = {
  spike: 'spike-prod-key-5f1c9a',
  github: 'github-prod-secret-8d2e7b',
  stripe: 'whsec_stripeProdSecret4a9c1e',
  'standard-webhooks': `whsec_${randomBytes(24).toString('base64')}`,
};
const PROFILES: Profile[] = Object.keys(KEYS).map((scheme) => ({ name: scheme, scheme, pathPrefix: `/${scheme}`, options: {} }));
const stripe = new Stripe('sk_test_not_used');
let githubVerify: GithubVerify;
let core: HooktrayCore;

interface Fixture {
  path: string;
  headers: HeaderPair[];
  bodyFile: string;
  signatures: string;
}

function signedRequest(scheme: keyof typeof KEYS, body: string): RawRequest {
  const signature = signDelivery(scheme, body, KEYS[scheme], {}, Date.now());
  return { method: 'POST', path: `/${scheme}/hook`, headers: [['Content-Type', 'application/json'], ...signature], body: Buffer.from(body) };
}

beforeAll(async () => {
  // The package is ESM-only; a computed specifier keeps TypeScript's CommonJS resolution out of it.
  const specifier = '@octokit/webhooks-methods';
  githubVerify = ((await import(specifier)) as { verify: GithubVerify }).verify;

  core = await startCore(tempDir('signatures'), PROFILES, Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [name, [key]])));
  const event = '{"id":"evt_1","object":"event","type":"ping","data":{"object":{"n":12345678901234567890}}}';
  await sendAll(core.receiver.port, [
    signedRequest('spike', '[{"application_user_id":"u1","event_type":"record_change"}]'),
    signedRequest('github', '{"zen":"Keep it logically awesome."}'),
    signedRequest('stripe', event),
    signedRequest('standard-webhooks', '{"type":"user.created","data":{"id":1}}'),
    { ...signedRequest('spike', '[{"x":1}]'), headers: [['Authorization', `Bearer ${KEYS.spike}`], ['X-Debug', `key ${KEYS.github}`], ...signedRequest('spike', '[{"x":1}]').headers] },
    { method: 'POST', path: '/spike/leak', headers: [['Content-Type', 'application/json']], body: Buffer.from(`{"oops":"${KEYS.stripe}"}`) },
  ]);
});

afterAll(async () => {
  await core.stop();
  removeTempDirs();
});

async function exportFixtures(signatures: SignatureHandling, format: ExportFormat = 'fixture', folder = tempDir(`sig-${format}-${signatures}`)) {
  const result = await exportDeliveries(
    { format, signatures },
    { source: core.store, sink: new FolderSink(folder), keys: Object.values(KEYS), profiles: PROFILES, version: 'test', now: new Date(), env: {} },
  );
  if (!result.ok) throw new Error(result.message);
  return { folder, result };
}

function readFixtures(folder: string): Fixture[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json') && name !== 'index.json')
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as Fixture);
}

/** Reads the fixture of a scheme's signed delivery: headers by lower-case name and the `.body` bytes. */
function load(folder: string, scheme: string): { fixture: Fixture; headers: Record<string, string>; body: Buffer } {
  const fixture = readFixtures(folder).find((candidate) => candidate.path === `/${scheme}/hook`);
  if (fixture === undefined) throw new Error(`no fixture for ${scheme} in ${folder}`);
  const headers = Object.fromEntries(fixture.headers.map(([name, value]) => [name.toLowerCase(), value]));
  return { fixture, headers, body: readFileSync(join(folder, fixture.bodyFile)) };
}

/** Checks each scheme's signature with the provider's library, or HMAC for Spike, which has none. */
async function verifiesWith(folder: string, keys: Record<keyof typeof KEYS, string>): Promise<Record<string, boolean>> {
  const spike = load(folder, 'spike');
  const github = load(folder, 'github');
  const stripeFixture = load(folder, 'stripe');
  const standard = load(folder, 'standard-webhooks');
  const attempt = (check: () => unknown): boolean => {
    try {
      check();
      return true;
    } catch {
      return false;
    }
  };
  return {
    spike: spike.headers['x-body-signature'] === createHmac('sha256', keys.spike).update(spike.body).digest('hex'),
    github: await githubVerify(keys.github, github.body.toString('utf8'), github.headers['x-hub-signature-256'] ?? ''),
    stripe: attempt(() => stripe.webhooks.constructEvent(stripeFixture.body, stripeFixture.headers['stripe-signature'] ?? '', keys.stripe)),
    'standard-webhooks': attempt(() => new Webhook(keys['standard-webhooks']).verify(standard.body.toString('utf8'), standard.headers)),
  };
}

const testKeys = {
  spike: testKeyFor('spike', {}),
  github: testKeyFor('github', {}),
  stripe: testKeyFor('stripe', {}),
  'standard-webhooks': testKeyFor('standard-webhooks', {}),
};

describe('exported signatures', () => {
  it('are valid on capture', () => {
    const page = core.store.list({ limit: 10 });
    const valid = page.items.filter((item) => item.verdict.status === 'valid').map((item) => item.verdict.scheme);
    expect(valid.sort()).toEqual(['github', 'spike', 'spike', 'standard-webhooks', 'stripe']);
  });

  it('verify with the original key when kept', async () => {
    const { folder } = await exportFixtures('keep');
    expect(await verifiesWith(folder, KEYS)).toEqual({ spike: true, github: true, stripe: true, 'standard-webhooks': true });
    expect(await verifiesWith(folder, testKeys)).toEqual({ spike: false, github: false, stripe: false, 'standard-webhooks': false });
  });

  it('verify with the test key when re-signed', async () => {
    const { folder } = await exportFixtures('resign');
    expect(testKeys.spike).toBe(DEFAULT_TEST_KEY);
    expect(await verifiesWith(folder, testKeys)).toEqual({ spike: true, github: true, stripe: true, 'standard-webhooks': true });
    expect(await verifiesWith(folder, KEYS)).toEqual({ spike: false, github: false, stripe: false, 'standard-webhooks': false });
    expect(load(folder, 'stripe').fixture.signatures).toBe('resigned');
  });

  it('keep header order when re-signed', async () => {
    const kept = await exportFixtures('keep');
    const resigned = await exportFixtures('resign');
    for (const scheme of Object.keys(KEYS)) {
      const names = (folder: string) => load(folder, scheme).fixture.headers.map(([name]) => name);
      expect(names(resigned.folder)).toEqual(names(kept.folder));
    }
  });
});

describe('exported files', () => {
  const formats: ExportFormat[] = ['fixture', 'har', 'curl', 'ndjson', 'snippet'];
  const modes: SignatureHandling[] = ['keep', 'redact', 'resign'];

  it('contain no configured key', async () => {
    const needles = Object.values(KEYS).flatMap((key) => [key, key.replace(/^whsec_/, '')]);
    let scanned = 0;
    for (const format of formats) {
      for (const signatures of modes) {
        const { folder, result } = await exportFixtures(signatures, format);
        expect(result.skipped.map((skip) => skip.code)).toContain('body-contains-key');
        for (const file of readTree(folder)) {
          for (const needle of needles) expect(file.bytes.includes(Buffer.from(needle)), `${needle.slice(0, 6)}… in ${file.path}`).toBe(false);
          scanned += 1;
        }
      }
    }
    expect(scanned).toBeGreaterThan(50);
  });

  it('name no key in skip messages', async () => {
    const { result } = await exportFixtures('keep');
    const text = JSON.stringify(result);
    for (const key of Object.values(KEYS)) expect(text.includes(key)).toBe(false);
  });

  it('stay inside the chosen folder', async () => {
    const parent = tempDir('climb');
    const folder = join(parent, 'out');
    await sendAll(core.receiver.port, [{ method: 'POST', path: '/../../../../tmp/evil/../x', headers: [], body: Buffer.from('climb') }]);
    for (const format of ['fixture', 'curl'] as const) {
      const { result } = await exportFixtures('keep', format, folder);
      expect(result.files.some((file) => file.name.includes('tmp-evil-x'))).toBe(true);
    }
    expect(readdirSync(parent)).toEqual(['out']);
    for (const file of readTree(parent)) expect(dirname(file.path)).toBe(folder);
  });
});
