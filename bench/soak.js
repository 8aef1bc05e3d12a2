'use strict';
// Soak: sends a steady rate of mixed deliveries (0 bytes to 5 MiB, valid and invalid Spike
// signatures, several paths) to `hooktray listen`, started as a child process. It samples the
// listener's RSS, heap and store size, and at the end checks that every acknowledged delivery
// is in the store.
//
// Usage: npm run build && node bench/soak.js [--duration SECONDS] [--rate PER_SECOND]
//        [--warmup SECONDS] [--sample-ms MS]
// It prints a Markdown summary for docs/reliability.md and exits 1 if a delivery was lost.

const { spawn } = require('node:child_process');
const { createHmac } = require('node:crypto');
const http = require('node:http');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { parseArgs } = require('node:util');

const CLI = join(__dirname, '..', 'bin', 'hooktray.js');
const KEY = 'soak-key-not-a-secret';
const MIB = 1024 * 1024;
/** Requests allowed in flight; a tick that finds this many waiting is counted as skipped. */
const MAX_IN_FLIGHT = 64;

/** The mix, cycled by request index: size in bytes, path and signature. */
const MIX = [
  { size: 600, path: '/spike/valid', signature: 'valid' },
  { size: 0, path: '/spike/empty', signature: 'valid' },
  { size: 4 * 1024, path: '/spike/invalid', signature: 'invalid' },
  { size: 600, path: '/github/push', signature: 'none' },
  { size: 64 * 1024, path: '/spike/valid', signature: 'valid' },
  { size: 1500, path: '/other/hook', signature: 'none' },
  { size: 256 * 1024, path: '/spike/invalid', signature: 'invalid' },
  { size: 600, path: '/spike/valid', signature: 'base64' },
  { size: 5 * MIB, path: '/spike/big', signature: 'valid' },
  { size: 2 * 1024, path: '/spike/valid', signature: 'valid' },
];

/** Builds a Spike-shaped body of exactly `size` bytes (empty for 0), unique per index. */
function bodyOf(size, index) {
  if (size === 0) return Buffer.alloc(0);
  const head = JSON.stringify([{ application_user_id: `user-${index}`, timestamp: '2025-04-15T13:33:55.271331177Z', event_type: 'record_change', metrics: ['steps'], provider_slug: 'garmin', padding: '' }]);
  const padding = Math.max(0, size - head.length);
  return Buffer.from(head.replace('"padding":""', `"padding":"${'p'.repeat(padding)}"`));
}

function signatureOf(kind, body) {
  if (kind === 'none') return null;
  const mac = createHmac('sha256', KEY).update(body);
  if (kind === 'invalid') return createHmac('sha256', 'wrong-key').update(body).digest('hex');
  return kind === 'base64' ? mac.digest('base64') : mac.digest('hex');
}

function startListen(dataDir, statsMs) {
  const config = join(dataDir, '..', 'soak-config.json');
  writeFileSync(config, JSON.stringify({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/spike', keys: [{ value: KEY }] }] }));
  const child = spawn(process.execPath, [CLI, 'listen', '--json', '--no-tunnel', '--data-dir', dataDir, '--config', config, '--stats-interval', String(statsMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stats = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const listening = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line);
      if (record.type === 'listening') resolve(record.localUrl);
      if (record.type === 'stats') stats.push(record);
    });
    child.once('exit', (code) => reject(new Error(`hooktray listen exited with ${code} before listening; stderr: ${stderr}`)));
  });
  return { child, stats, listening, stderr: () => stderr };
}

function post(url, path, body, signature) {
  const target = new URL(url);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
  if (signature !== null) headers['X-Body-Signature'] = signature;
  return new Promise((resolve) => {
    const request = http.request({ host: target.hostname, port: target.port, method: 'POST', path, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, id: response.headers['x-hooktray-delivery'] ?? null }));
    });
    request.setTimeout(30_000, () => request.destroy(new Error('timed out after 30 s')));
    request.on('error', (error) => resolve({ status: 0, id: null, error: error.message }));
    request.end(body);
  });
}

async function storedIds(dataDir) {
  const { DeliveryStore } = require('../out/node/core/store.js');
  const store = new DeliveryStore({ dataDir, writer: 'inline' });
  try {
    return new Set(store.ids());
  } finally {
    await store.close();
  }
}

/** Summarizes memory after warm-up: first and last third of the samples, so growth shows as a difference. */
function memoryFigures(stats, warmupMs) {
  const steady = stats.filter((sample) => sample.uptimeMs >= warmupMs);
  const third = Math.max(1, Math.floor(steady.length / 3));
  const max = (samples, field) => Math.max(...samples.map((sample) => sample[field]));
  const early = steady.slice(0, third);
  const late = steady.slice(-third);
  return {
    samples: steady.length,
    earlyRssMax: steady.length === 0 ? 0 : max(early, 'rss'),
    lateRssMax: steady.length === 0 ? 0 : max(late, 'rss'),
    earlyHeapMax: steady.length === 0 ? 0 : max(early, 'heapUsed'),
    lateHeapMax: steady.length === 0 ? 0 : max(late, 'heapUsed'),
    peakRss: stats.length === 0 ? 0 : max(stats, 'rss'),
    storeBytes: stats.at(-1)?.storeBytes ?? 0,
  };
}

/**
 * Runs the soak and resolves with its figures. Every request loop is bounded by the
 * duration; requests go only to the listener this function starts on 127.0.0.1.
 */
async function runSoak({ durationS = 600, rate = 20, warmupS = Math.min(60, durationS / 3), sampleMs = 1000 } = {}) {
  const root = mkdtempSync(join(os.tmpdir(), 'hooktray-soak-'));
  const dataDir = join(root, 'data');
  const listen = startListen(dataDir, sampleMs);
  const url = await listen.listening;

  const counts = { sent: 0, acknowledged: 0, status503: 0, otherStatus: 0, errors: 0, skipped: 0, bytes: 0 };
  const acknowledged = [];
  const inFlight = new Set();
  const startedMs = performance.now();
  let index = 0;

  while (performance.now() - startedMs < durationS * 1000) {
    const dueMs = startedMs + (index * 1000) / rate;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await new Promise((wake) => setTimeout(wake, waitMs));
    const mix = MIX[index % MIX.length];
    index += 1;
    if (inFlight.size >= MAX_IN_FLIGHT) {
      counts.skipped += 1;
      continue;
    }
    const body = bodyOf(mix.size, index);
    counts.sent += 1;
    counts.bytes += body.length;
    const request = post(url, `${mix.path}?n=${index}`, body, signatureOf(mix.signature, body)).then((result) => {
      if (result.status === 200 && result.id !== null) {
        counts.acknowledged += 1;
        acknowledged.push(result.id);
      } else if (result.status === 503) counts.status503 += 1;
      else if (result.status === 0) counts.errors += 1;
      else counts.otherStatus += 1;
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);

  const exit = await new Promise((resolve) => {
    listen.child.once('exit', (code) => resolve(code));
    listen.child.kill('SIGTERM');
  });
  const stored = await storedIds(dataDir);
  const lost = acknowledged.filter((id) => !stored.has(id));
  rmSync(root, { recursive: true, force: true });
  return { durationS, rate, warmupS, exit, stderr: listen.stderr(), counts, lost, memory: memoryFigures(listen.stats, warmupS * 1000) };
}

function markdown(result, command) {
  const mib = (bytes) => `${(bytes / MIB).toFixed(1)} MiB`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const { counts, memory } = result;
  return [
    `Command: \`${command}\``,
    `Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    `| Requests sent / acknowledged | ${counts.sent} / ${counts.acknowledged} |`,
    `| 503 / other status / errors / skipped ticks | ${counts.status503} / ${counts.otherStatus} / ${counts.errors} / ${counts.skipped} |`,
    `| Body bytes sent | ${mib(counts.bytes)} |`,
    `| Acknowledged but missing from the store | ${result.lost.length} |`,
    `| RSS max, first third after ${result.warmupS} s warm-up | ${mib(memory.earlyRssMax)} |`,
    `| RSS max, last third | ${mib(memory.lateRssMax)} |`,
    `| Heap used max, first third / last third | ${mib(memory.earlyHeapMax)} / ${mib(memory.lateHeapMax)} |`,
    `| Peak RSS | ${mib(memory.peakRss)} |`,
    `| Store size at the end | ${mib(memory.storeBytes)} |`,
  ].join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '600' },
      rate: { type: 'string', default: '20' },
      warmup: { type: 'string' },
      'sample-ms': { type: 'string', default: '1000' },
    },
  });
  const durationS = Number(values.duration);
  const result = await runSoak({
    durationS,
    rate: Number(values.rate),
    warmupS: values.warmup === undefined ? Math.min(60, durationS / 3) : Number(values.warmup),
    sampleMs: Number(values['sample-ms']),
  });
  process.stdout.write(`${markdown(result, `node bench/soak.js ${process.argv.slice(2).join(' ')}`.trim())}\n`);
  if (result.lost.length > 0 || result.exit !== 0) {
    process.stderr.write(`soak: ${result.lost.length} acknowledged deliveries missing from the store; listen exited with ${result.exit}\n${result.stderr}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`soak failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}

module.exports = { runSoak, markdown, startListen, storedIds, KEY };
