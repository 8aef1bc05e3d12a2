'use strict';
// Tunnel throughput: the same autocannon load sent to `hooktray listen` directly and through
// its localtunnel tunnel, in the same run, on loopback. The tunnel server is the test stand-in
// for localtunnel.me (test/support/localtunnel-server.ts), in its own process; nothing leaves
// the machine. Reports the ratio tunnel/direct and writes it to docs/benchmarks.md.
//
// Usage: npm run build && node bench/tunnel.js [--duration SECONDS] [--connections N] [--rounds N] [--no-write]

const autocannon = require('autocannon');
const { spawn } = require('node:child_process');
const { createHmac, randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { parseArgs } = require('node:util');
const { machineDescription, writeSection } = require('./report');
const { spikeEvents } = require('./spike-events');

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const KEY = 'bench-key-not-a-secret';
const SUBDOMAIN = 'hooktray-bench1';
/** Upper bound on waiting for a process to report that it is ready, in ms. */
const READY_TIMEOUT_MS = 30_000;

const SPIKE_BODY = Buffer.from(JSON.stringify(spikeEvents(3)));
const BINARY_BODY = randomBytes(64 * 1024);

const PAYLOADS = [
  { label: `signed Spike JSON, ${SPIKE_BODY.length} B`, path: '/webhooks/spike', body: SPIKE_BODY, headers: { 'Content-Type': 'application/json', 'X-Body-Signature': createHmac('sha256', KEY).update(SPIKE_BODY).digest('hex') } },
  { label: 'random binary, 64 KiB', path: '/upload', body: BINARY_BODY, headers: { 'Content-Type': 'application/octet-stream' } },
];

// The test server is TypeScript; this child transpiles it with the project's TypeScript
// compiler and starts it with resolvable `http://localhost:<port>` public URLs.
const TUNNEL_SERVER = `
const ts = require('typescript');
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const file = process.argv[1];
const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
const loaded = new Module(file, module);
loaded.filename = file;
loaded.paths = Module._nodeModulePaths(dirname(file));
loaded._compile(output, file);
const server = new loaded.exports.LocaltunnelTestServer({ localhostUrls: true });
server.start().then(() => console.log(JSON.stringify({ type: 'listening', origin: server.origin })));
process.on('SIGTERM', () => {
  if (server.forwardErrors.length > 0) console.error('tunnel server: failed forwards (answered 504): ' + JSON.stringify(server.forwardErrors));
  server.stop().then(() => process.exit(0));
});
`;

/** Starts a process that prints NDJSON and resolves once `isReady` accepts a record. */
function startProcess(args, isReady) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[1] ?? args[0]} was not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const records = [];
    lines.on('line', (line) => {
      records.push(JSON.parse(line));
      if (!isReady(records)) return;
      clearTimeout(timer);
      // Stop parsing: the rest of the output (a line per delivery) is drained unread.
      lines.close();
      child.stdout.resume();
      resolve({ child, records });
    });
    child.once('exit', (code) => reject(new Error(`${args[1] ?? args[0]} exited with ${code} before it was ready`)));
  });
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function measure(url, payload) {
  const result = await autocannon({ url: url + payload.path, method: 'POST', connections: CONNECTIONS, duration: DURATION, headers: payload.headers, body: payload.body });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) console.log(`  ${url}${payload.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; status counts ${JSON.stringify(result.statusCodeStats)}`);
  return { rps: result.requests.average, p99: result.latency.p99, failed };
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Alternates direct and tunnelled runs, so a slow patch of the machine hits both alike. */
async function measurePayload(directUrl, tunnelUrl, payload) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const direct = await measure(directUrl, payload);
    const tunnel = await measure(tunnelUrl, payload);
    console.log(`${payload.label}, round ${round + 1}: direct ${direct.rps.toFixed(0)} req/s, tunnel ${tunnel.rps.toFixed(0)} req/s, ratio ${(tunnel.rps / direct.rps).toFixed(2)}`);
    rounds.push({ direct, tunnel, ratio: tunnel.rps / direct.rps });
  }
  return {
    payload,
    direct: median(rounds.map((round) => round.direct.rps)),
    tunnel: median(rounds.map((round) => round.tunnel.rps)),
    directP99: Math.max(...rounds.map((round) => round.direct.p99)),
    tunnelP99: Math.max(...rounds.map((round) => round.tunnel.p99)),
    failed: rounds.reduce((sum, round) => sum + round.direct.failed + round.tunnel.failed, 0),
    ratio: median(rounds.map((round) => round.ratio)),
    ratios: rounds.map((round) => round.ratio.toFixed(2)),
  };
}

function report(results, loadBefore, loadAfter) {
  return [
    '## Tunnel throughput',
    '',
    `Command: \`npm run build && node bench/tunnel.js --duration ${DURATION} --connections ${CONNECTIONS} --rounds ${ROUNDS}\``,
    `Machine: ${machineDescription()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `autocannon sends POSTs to one \`hooktray listen\` process over ${CONNECTIONS} connections for ${DURATION} s per run.`,
    'Each run goes either directly to its receiver on 127.0.0.1 or through its tunnel, which is the test localtunnel server',
    '(`test/support/localtunnel-server.ts`, in its own process) plus the client library\'s 10 pooled TCP connections.',
    `Direct and tunnelled runs alternate (rounds: ${ROUNDS}); the table gives the medians, the median of the per-round ratios and the worst p99.`,
    'Both paths store every delivery in SQLite (synchronous=FULL) before answering.',
    'The benchmark with autocannon, the tunnel server and Hooktray are three processes on the same cores, so the ratio is the',
    'cost of the relay on this machine, not a forecast for localtunnel.me, where the network dominates.',
    `One-minute load average before and after the run: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}; a load above the core count means other processes competed, and rounds vary more.`,
    '',
    '| body | direct req/s | tunnel req/s | ratio tunnel/direct | direct p99 (ms) | tunnel p99 (ms) | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (result) =>
        `| ${result.payload.label} | ${result.direct.toFixed(0)} | ${result.tunnel.toFixed(0)} | **${result.ratio.toFixed(2)}** | ${result.directP99} | ${result.tunnelP99} | ${result.failed} |`,
    ),
    '',
    `Ratio of each round: ${results.map((result) => `${result.payload.label}: ${result.ratios.join(', ')}`).join('; ')}.`,
  ];
}

async function main() {
  const cli = join(__dirname, '..', 'bin', 'hooktray.js');
  const dir = mkdtempSync(join(tmpdir(), 'hooktray-bench-tunnel-'));
  const config = join(dir, 'spike.json');
  writeFileSync(config, JSON.stringify({ profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', keys: [{ value: KEY }] }] }));

  const server = await startProcess(['-e', TUNNEL_SERVER, join(__dirname, '..', 'test', 'support', 'localtunnel-server.ts')], (records) => records.length > 0);
  let listen = null;
  try {
    const origin = server.records[0].origin;
    listen = await startProcess(
      [cli, 'listen', '--json', '--port', '0', '--data-dir', join(dir, 'data'), '--config', config, '--tunnel-host', origin, '--subdomain', SUBDOMAIN],
      (records) => records.some((record) => record.type === 'tunnel' && record.state === 'online'),
    );
    const directUrl = listen.records.find((record) => record.type === 'listening').localUrl;
    const tunnelUrl = listen.records.find((record) => record.type === 'tunnel' && record.state === 'online').url;
    console.log(`direct ${directUrl}, tunnel ${tunnelUrl}`);

    const loadBefore = loadavg()[0];
    const results = [];
    for (const payload of PAYLOADS) results.push(await measurePayload(directUrl, tunnelUrl, payload));
    const lines = report(results, loadBefore, loadavg()[0]);
    console.log(lines.join('\n'));
    if (!values['no-write']) writeSection('tunnel', lines);
  } finally {
    if (listen !== null) await stopProcess(listen.child);
    await stopProcess(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
