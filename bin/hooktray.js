#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'out', 'node', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write('hooktray: the CLI is not built yet; run "npm run build" in the Hooktray folder first.\n');
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
