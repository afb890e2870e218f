#!/usr/bin/env node
// The `sargs` command: runs the compiled CLI (`npm install` builds it into dist/ through the prepare script).
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('sargs: not built yet; run `npm install` (or `npm run build`) in the Sargs folder first');
    process.exit(2);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`sargs: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
