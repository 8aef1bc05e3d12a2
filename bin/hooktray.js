#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'out', 'node', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write('hooktray: the CLI is not built yet; run "npm run build" in the Hooktray folder first.\n');
  process.exit(2);
}

let finished = false;
// The event loop ran out of work while the command still waited for something that can no
// longer happen. Exiting 0 there would report success for work that was never done.
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write('hooktray: the command stopped without a result, which is a bug in Hooktray; please report it with the command you ran.\n');
  process.exit(1);
});
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    finished = true;
    process.exit(code);
  });
