'use strict';
// Export speed: 10,000 stored deliveries of mixed kinds (Spike JSON, binary, gzip, CRLF
// text) exported as fixtures, HAR, NDJSON and cURL scripts, then the fixture folder imported
// back, each timed once on a fresh temporary folder. Writes the figures to docs/benchmarks.md.
//
// Usage: npm run build:cli && node bench/export.js [--count N] [--no-write]

const { createHash, createHmac, randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { gzipSync } = require('node:zlib');
const { machineDescription, writeSection } = require('./report');

const OUT = join(__dirname, '..', 'out', 'node', 'core');
const { DeliveryStore } = require(join(OUT, 'store.js'));
const { exportDeliveries } = require(join(OUT, 'fixtures.js'));
const { FolderSink } = require(join(OUT, 'export', 'sinks.js'));
const { importDeliveries } = require(join(OUT, 'export', 'import.js'));
const { UlidGenerator } = require('../out/node/core/ulid');

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, 'no-write': { type: 'boolean', default: false } } });
const COUNT = Number(values.count);
const KEY = 'bench-key-not-a-secret';

/** Builds the i-th benchmark delivery; the mix of kinds is the same on every run. */
function benchDelivery(i, nextId) {
  const kind = i % 4;
  const spike = Buffer.from(JSON.stringify([{ application_user_id: `user-${i}`, timestamp: '2025-04-15T13:33:55.271331177Z', event_type: 'record_change', metrics: ['steps', 'distance'], activity_types: ['walking'], provider_slug: 'garmin' }]));
  const body = [spike, randomBytes(2048), gzipSync(Buffer.from('x'.repeat(4000))), Buffer.from(`a,b\r\n${i},2\r\n`.repeat(20))][kind];
  const headers = [
    ['Host', 'bench.loca.lt'],
    ['Content-Type', ['application/json', 'application/octet-stream', 'application/json', 'text/csv'][kind]],
    ...(kind === 2 ? [['Content-Encoding', 'gzip']] : []),
    ['Authorization', 'Bearer not-a-secret'],
    ['X-Body-Signature', createHmac('sha256', KEY).update(body).digest('hex')],
  ];
  const receivedAt = new Date(Date.UTC(2025, 3, 15, 13, 0, 0) + i * 1000);
  return {
    id: nextId(receivedAt.getTime()),
    receivedAt: receivedAt.toISOString(),
    monotonicNs: String(i),
    method: 'POST',
    path: `/webhooks/${['spike', 'binary', 'gzip', 'csv'][kind]}?n=${i}`,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers,
    size: body.length,
    truncated: false,
    contentEncoding: kind === 2 ? 'gzip' : null,
    body,
    decodedBody: null,
    decodeError: null,
    bodySha256: createHash('sha256').update(body).digest('hex'),
    verdict: { status: 'valid', scheme: 'spike', profile: 'spike', keyIndex: 0, encoding: 'hex', reason: 'bench' },
    spike: null,
  };
}

async function fill(store) {
  const ulids = new UlidGenerator();
  const nextId = (time) => ulids.next(time);
  const pending = [];
  for (let i = 0; i < COUNT; i++) pending.push(store.add(benchDelivery(i, nextId)));
  await Promise.all(pending);
}

async function timeExport(store, format, root) {
  const folder = join(root, format);
  const started = process.hrtime.bigint();
  const result = await exportDeliveries(
    { format, signatures: 'resign' },
    { source: store, sink: new FolderSink(folder), keys: [KEY], version: 'bench', now: new Date(), env: {} },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!result.ok || result.exported !== COUNT) throw new Error(`export ${format} failed: ${JSON.stringify(result).slice(0, 300)}`);
  const bytes = result.files.reduce((sum, file) => sum + file.size, 0);
  return { format, ms, files: result.files.length, bytes, folder };
}

async function timeImport(folder, root) {
  const store = new DeliveryStore({ dataDir: join(root, 'import-store'), synchronous: 'NORMAL' });
  const started = process.hrtime.bigint();
  const result = await importDeliveries({ path: folder }, store, () => ({ verdict: { status: 'unverified', scheme: null, profile: null, reason: 'bench' }, spike: null }));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  store.close();
  if (!result.ok || result.imported !== COUNT) throw new Error(`import failed: ${JSON.stringify(result).slice(0, 300)}`);
  return ms;
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'hooktray-bench-export-'));
  const loadBefore = loadavg()[0];
  try {
    const store = new DeliveryStore({ dataDir: join(root, 'store'), synchronous: 'NORMAL' });
    await fill(store);
    const results = [];
    for (const format of ['fixture', 'har', 'ndjson', 'curl']) {
      results.push(await timeExport(store, format, root));
      process.stderr.write(`${format}: ${results.at(-1).ms.toFixed(0)} ms\n`);
    }
    store.close();
    const importMs = await timeImport(results[0].folder, root);

    const lines = [
      '## Export',
      '',
      `Command: \`npm run build:cli && node bench/export.js --count ${COUNT}\` on ${machineDescription()}, ${new Date().toISOString().slice(0, 10)}.`,
      `Each run exports ${COUNT.toLocaleString('en-US')} stored deliveries (a quarter each Spike JSON, 2 KiB binary, gzip, CRLF text) once,`,
      'with signatures re-signed with the test key, from SQLite to files in a temporary folder on the same disk. One run each, so expect some noise.',
      `One-minute load average before and after the run: ${loadBefore.toFixed(1)} and ${loadavg()[0].toFixed(1)}; a load above the core count means other processes competed.`,
      '',
      '| Format | Time | Deliveries/s | Files | Output |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...results.map((r) => `| ${r.format} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(COUNT / (r.ms / 1000)).toLocaleString('en-US')} | ${r.files.toLocaleString('en-US')} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB |`),
      `| import of the fixture folder | ${(importMs / 1000).toFixed(2)} s | ${Math.round(COUNT / (importMs / 1000)).toLocaleString('en-US')} | | |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!values['no-write']) writeSection('export', lines);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench/export.js: ${error.stack ?? error}\n`);
  process.exit(1);
});
