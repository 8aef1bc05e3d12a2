'use strict';
// Inspector UI with a large store: time to the first rendered page, frame intervals while
// scrolling, and the time a text filter takes, measured in headless Chromium against
// `hooktray ui`. Deliveries are inserted straight through DeliveryStore, not over HTTP.
// Writes the figures to docs/benchmarks.md.
//
// Usage: npm run build && node bench/ui.js [--deliveries N] [--frames N] [--data-dir DIR] [--no-write]
// With --data-dir the store is kept, and filled only when it contains fewer than N deliveries.

const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { tmpdir } = os;
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { chromium } = require('playwright-core');
const { UlidGenerator } = require('../out/node/core/ulid');
const { machineDescription, writeSection } = require('./report');
const { spikeEvents } = require('./spike-events');

const OUT = join(__dirname, '..', 'out', 'node', 'core');
const { DeliveryStore } = require(join(OUT, 'store.js'));
const { summarizeSpike } = require(join(OUT, 'spike-summary.js'));

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '100000' },
    frames: { type: 'string', default: '600' },
    'data-dir': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DELIVERIES = Number(values.deliveries);
const FRAMES = Number(values.frames);
/** Pixels scrolled per animation frame: about three rows, a fast wheel or trackpad flick. */
const SCROLL_STEP_PX = 90;
const CHROMIUM = '/usr/bin/chromium';
/** Repetitions of the first-page and filter measurements; the report gives the median. */
const ROUNDS = 3;

const ulids = new UlidGenerator();
const nextId = (time) => ulids.next(time);

function spikeDelivery(index, time) {
  const body = Buffer.from(JSON.stringify(spikeEvents(1, index)));
  return {
    id: nextId(time),
    receivedAt: new Date(time).toISOString(),
    monotonicNs: String(index),
    method: 'POST',
    path: '/webhooks/spike',
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    forwardedFor: null,
    headers: [['Content-Type', 'application/json'], ['X-Body-Signature', 'bench']],
    size: body.length,
    truncated: false,
    contentEncoding: null,
    body,
    decodedBody: null,
    decodeError: null,
    bodySha256: createHash('sha256').update(body).digest('hex'),
    verdict: { status: 'valid', scheme: 'spike', profile: 'spike', keyIndex: 0, encoding: 'hex', reason: 'Benchmark data.' },
    spike: summarizeSpike(body),
  };
}

async function fillStore(dataDir) {
  const store = new DeliveryStore({ dataDir, synchronous: 'NORMAL', writer: 'inline' });
  if (store.count() >= DELIVERIES) {
    await store.close();
    return false;
  }
  const start = Date.now() - DELIVERIES * 1000;
  const pending = [];
  for (let index = 0; index < DELIVERIES; index++) {
    pending.push(store.add(spikeDelivery(index, start + index * 1000)));
    if (pending.length === 5000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  while (store.indexPending()) {
    // Index everything now, so the filter measures a complete search index.
  }
  await store.close();
  return true;
}

function startUi(dataDir) {
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'hooktray.js'), 'ui', '--no-tunnel', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      const match = /UI: (http:\/\/\S+)/.exec(text);
      if (match !== null) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`hooktray ui exited with ${code} before printing its URL`)));
  });
}

/** Scrolls the list by SCROLL_STEP_PX every animation frame and returns the frame intervals in ms. */
function scrollFrames({ frames, step }) {
  return new Promise((resolve) => {
    const list = document.querySelector('[role="listbox"]');
    const intervals = [];
    let last = performance.now();
    let count = 0;
    const tick = (now) => {
      intervals.push(now - last);
      last = now;
      list.scrollTop += step;
      count += 1;
      if (count < frames) requestAnimationFrame(tick);
      else resolve({ intervals, scrollTop: list.scrollTop, rows: document.querySelectorAll('[role="option"]').length });
    };
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(tick);
    });
  });
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function measure(url) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'hooktray-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await context.newPage();
    const firstPageRuns = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = Date.now();
      // The first navigation trades the token for a cookie; later ones reload the page itself.
      if (round === 0) await page.goto(url);
      else await page.reload();
      await page.waitForSelector('[role="option"]');
      firstPageRuns.push(Date.now() - started);
    }

    const scroll = await page.evaluate(scrollFrames, { frames: FRAMES, step: SCROLL_STEP_PX });
    const sorted = scroll.intervals.slice(1).sort((a, b) => a - b);

    const filter = page.getByRole('searchbox', { name: 'Filter' });
    const filterRuns = [];
    let needle = '';
    for (let round = 0; round < ROUNDS; round++) {
      needle = `user-${Math.floor((DELIVERIES * (round + 1)) / (ROUNDS + 1))}`;
      const filterStarted = Date.now();
      await filter.fill(needle);
      await page.waitForFunction(
        (text) => {
          const rows = document.querySelectorAll('[role="option"]');
          return rows.length === 1 && rows[0].textContent.includes(text);
        },
        needle,
        { polling: 'raf' },
      );
      filterRuns.push(Date.now() - filterStarted);
    }
    return {
      firstPageMs: median(firstPageRuns),
      firstPageRuns,
      frames: sorted.length,
      frameP50: percentile(sorted, 0.5),
      frameP95: percentile(sorted, 0.95),
      frameP99: percentile(sorted, 0.99),
      frameMax: sorted.at(-1),
      framesOver17: sorted.filter((interval) => interval > 17).length,
      scrolledPx: scroll.scrollTop,
      filterMs: median(filterRuns),
      filterRuns,
      needle,
      chromium: context.browser()?.version() ?? 'unknown',
    };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** Times the store's own filter query, the part of the filter time that the UI cannot change. */
async function measureStoreQuery(dataDir, needle) {
  const store = new DeliveryStore({ dataDir, synchronous: 'NORMAL', writer: 'inline' });
  const runs = [];
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint();
    store.list({ text: needle, limit: 500 });
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const started = process.hrtime.bigint();
  store.list({ limit: 500 });
  const firstPage = Number(process.hrtime.bigint() - started) / 1e6;
  await store.close();
  runs.sort((a, b) => a - b);
  return { filterQueryMs: runs[2], firstPageQueryMs: firstPage };
}

async function main() {
  const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'hooktray-bench-ui-'));
  try {
    const fillStarted = Date.now();
    const filled = await fillStore(dataDir);
    const fillSeconds = (Date.now() - fillStarted) / 1000;
    process.stderr.write(filled ? `bench/ui: stored ${DELIVERIES} deliveries in ${fillSeconds.toFixed(1)} s\n` : `bench/ui: reusing the store in ${dataDir}\n`);

    const loadBefore = os.loadavg()[0];
    const { child, url } = await startUi(dataDir);
    let result;
    try {
      result = await measure(url);
    } finally {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
    const store = await measureStoreQuery(dataDir, result.needle);
    const figures = { deliveries: DELIVERIES, ...result, ...store, loadBefore, loadAfter: os.loadavg()[0] };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    if (!values['no-write']) writeSection('ui', report(figures));
  } finally {
    if (values['data-dir'] === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(figures) {
  const ms = (value) => value.toFixed(1);
  const verdict = (value, target) => (value < target ? 'met' : '**missed**');
  return [
    '## Inspector UI with a large store',
    '',
    `Command: \`npm run build && node bench/ui.js --deliveries ${figures.deliveries} --frames ${FRAMES}\``,
    `Machine: ${machineDescription()}, Chromium ${figures.chromium} headless with --disable-gpu. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `${figures.deliveries.toLocaleString('en-US')} Spike deliveries stored through DeliveryStore, then \`hooktray ui\` and Chromium on the same cores.`,
    `Scrolling moves the list ${SCROLL_STEP_PX} px (three rows) every animation frame for ${figures.frames} frames (${figures.scrolledPx.toLocaleString('en-US')} px), loading pages of 500 rows from the store on the way.`,
    'Frame figures are intervals between animation frames; headless Chromium paces frames at 60 Hz, so 16.7 ms is the floor and a missed frame shows as about 33 ms.',
    `The filter time runs from typing a user id such as "${figures.needle}" to the one matching row on screen, including the UI's 100 ms typing debounce.`,
    `First page and filter are medians of ${ROUNDS} runs (first page: ${figures.firstPageRuns.join(', ')} ms; filter: ${figures.filterRuns.join(', ')} ms).`,
    `One-minute load average before and after: ${figures.loadBefore.toFixed(1)} and ${figures.loadAfter.toFixed(1)}; above 2, other processes competed for the two cores and figures vary between runs.`,
    '',
    '| measure | result | target | |',
    '| --- | ---: | ---: | --- |',
    `| first page rendered, first navigation (token redirect, cold start) | ${figures.firstPageRuns[0]} ms | 1000 ms | ${verdict(figures.firstPageRuns[0], 1000)} |`,
    `| first page rendered, median of all ${ROUNDS} loads | ${figures.firstPageMs} ms | 1000 ms | ${verdict(figures.firstPageMs, 1000)} |`,
    `| frame interval p50 / p95 / p99 | ${ms(figures.frameP50)} / ${ms(figures.frameP95)} / ${ms(figures.frameP99)} ms | 16.7 ms | ${verdict(figures.frameP95, 17)} at p95 |`,
    `| frame interval max; frames over 17 ms | ${ms(figures.frameMax)} ms; ${figures.framesOver17} of ${figures.frames} | | |`,
    `| filter, typing to result on screen | ${figures.filterMs} ms | 300 ms | ${verdict(figures.filterMs, 300)} |`,
    `| store: \`list({ text, limit: 500 })\` alone, median of 5 | ${ms(figures.filterQueryMs)} ms | | |`,
    `| store: first page \`list({ limit: 500 })\` alone | ${ms(figures.firstPageQueryMs)} ms | | |`,
  ];
}

main().catch((error) => {
  process.stderr.write(`bench/ui: ${error.stack ?? error}\n`);
  process.exit(1);
});
