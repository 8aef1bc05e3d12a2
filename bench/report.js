'use strict';
// Shared by the benchmarks: the machine line and the section writer for docs/benchmarks.md.

const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

const REPORT = join(__dirname, '..', 'docs', 'benchmarks.md');
const HEADER = '# Benchmarks\n\nFigures from the scripts in `bench/`. Each section names its command and machine; rerun the command to refresh it.\n';

function machineDescription() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Replaces the section between `<!-- name:start -->` and `<!-- name:end -->`, or appends it. */
function writeSection(name, lines) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${lines.join('\n')}\n${end}`;
  let text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from !== -1 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(REPORT, text);
}

module.exports = { machineDescription, writeSection };
