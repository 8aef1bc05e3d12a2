'use strict';
// Burst: autocannon sends 20,000 requests as fast as it can over 100 connections to
// `hooktray listen`, started as a child process. Then the script checks that every
// acknowledged delivery is in the store. It also checks that the only 5xx sent was the
// back-pressure 503 with Retry-After.
//
// Usage: npm run build && node bench/burst.js [--amount N] [--connections N]
// It prints a Markdown summary for docs/reliability.md and exits 1 on a lost delivery or a bad 5xx.

const autocannon = require('autocannon');
const { createHmac } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { KEY, startListen, storedIds } = require('./soak');

function spikeRequest(path, size, key) {
  const head = JSON.stringify([{ application_user_id: 'burst-user', timestamp: '2025-04-15T13:33:55.271331177Z', event_type: 'record_change', metrics: ['steps'], provider_slug: 'garmin', padding: '' }]);
  const body = head.replace('"padding":""', `"padding":"${'p'.repeat(Math.max(0, size - head.length))}"`);
  const signature = createHmac('sha256', key).update(body).digest('hex');
  return { method: 'POST', path, body, headers: { 'Content-Type': 'application/json', 'X-Body-Signature': signature } };
}

/** autocannon 8 passes response headers as an object in the case the server sent. */
function lowerCaseHeaders(headers) {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Sends the burst and resolves with its figures; traffic goes only to the listener it starts. */
async function runBurst({ amount = 20_000, connections = 100 } = {}) {
  const root = mkdtempSync(join(os.tmpdir(), 'hooktray-burst-'));
  const dataDir = join(root, 'data');
  const listen = startListen(dataDir, 1000);
  const url = await listen.listening;

  const acknowledged = [];
  const statuses = {};
  let serverErrorsWithoutRetryAfter = 0;
  const onResponse = (status, _body, _context, rawHeaders) => {
    const headers = lowerCaseHeaders(rawHeaders);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 200 && typeof headers['x-hooktray-delivery'] === 'string') acknowledged.push(headers['x-hooktray-delivery']);
    if (status >= 500 && (status !== 503 || headers['retry-after'] === undefined)) serverErrorsWithoutRetryAfter += 1;
  };
  const requests = [
    { ...spikeRequest('/spike/burst', 600, KEY), onResponse },
    { ...spikeRequest('/spike/burst-invalid', 2_000, 'wrong-key'), onResponse },
    { ...spikeRequest('/other/burst', 64 * 1024, KEY), onResponse },
  ];
  const result = await autocannon({ url, connections, amount, requests, timeout: 30 });

  const exit = await new Promise((resolve) => {
    listen.child.once('exit', (code) => resolve(code));
    listen.child.kill('SIGTERM');
  });
  const stored = await storedIds(dataDir);
  const lost = acknowledged.filter((id) => !stored.has(id));
  const peakRss = Math.max(0, ...listen.stats.map((sample) => sample.rss));
  rmSync(root, { recursive: true, force: true });
  return { amount, connections, exit, stderr: listen.stderr(), statuses, acknowledged: acknowledged.length, lost, serverErrorsWithoutRetryAfter, errors: result.errors, timeouts: result.timeouts, durationS: result.duration, requestsPerSecond: result.requests.average, latencyP99: result.latency.p99, peakRss };
}

function markdown(result, command) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const statuses = Object.entries(result.statuses).map(([status, count]) => `${status}: ${count}`).join(', ');
  return [
    `Command: \`${command}\``,
    `Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    `| Requests / connections | ${result.amount} / ${result.connections} |`,
    `| Status counts | ${statuses} |`,
    `| Connection errors / timeouts | ${result.errors} / ${result.timeouts} |`,
    `| Acknowledged (200) | ${result.acknowledged} |`,
    `| Acknowledged but missing from the store | ${result.lost.length} |`,
    `| 5xx other than 503 with Retry-After | ${result.serverErrorsWithoutRetryAfter} |`,
    `| Duration / mean rate | ${result.durationS.toFixed(1)} s / ${Math.round(result.requestsPerSecond)} requests/s |`,
    `| Latency p99 | ${result.latencyP99} ms |`,
    `| Peak RSS (1 s samples) | ${(result.peakRss / 1024 / 1024).toFixed(1)} MiB |`,
  ].join('\n');
}

async function main() {
  const { values } = parseArgs({ options: { amount: { type: 'string', default: '20000' }, connections: { type: 'string', default: '100' } } });
  const result = await runBurst({ amount: Number(values.amount), connections: Number(values.connections) });
  process.stdout.write(`${markdown(result, `node bench/burst.js ${process.argv.slice(2).join(' ')}`.trim())}\n`);
  if (result.lost.length > 0 || result.serverErrorsWithoutRetryAfter > 0 || result.exit !== 0) {
    process.stderr.write(`burst: ${result.lost.length} lost, ${result.serverErrorsWithoutRetryAfter} bad 5xx, listen exited with ${result.exit}\n${result.stderr}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`burst failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}

module.exports = { runBurst, markdown };
