#!/usr/bin/env node
// The `sargs` command: runs the compiled CLI (npm install / npm start build it into dist/).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`sargs: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
