#!/usr/bin/env node
// `npm test`: runs jest in two phases and prints one closing line "tests: N passed, N failed, N skipped".
//   1. every suite but the fault tests, in parallel;
//   2. the fault tests (files named *fault*.int.test.ts), one at a time: they SIGKILL Elasticsearch and Sargs
//      processes, which would disturb suites running beside them.
// Extra arguments go to both jest runs (e.g. a path filter: `npm test -- collector`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const FAULT = '/fault[^/]*\\.int\\.test\\.ts$';
const extra = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-jest-'));

function phase(name, args) {
  const out = path.join(dir, `${name}.json`);
  const r = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...args, '--json', `--outputFile=${out}`, ...extra],
    { stdio: 'inherit' },
  );
  let res = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numRuntimeErrorTestSuites: 0, numTotalTestSuites: 0 };
  try {
    res = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {
    if (r.status !== 0) res.numRuntimeErrorTestSuites = 1;
  }
  return { status: r.status ?? 1, res };
}

const a = phase('main', [`--testPathIgnorePatterns=${FAULT}`, '--testPathIgnorePatterns=/node_modules/', '--testPathIgnorePatterns=/dist/']);
const b = phase('fault', ['--runInBand', `--testPathPatterns=${FAULT}`, '--passWithNoTests']);
const sum = (k) => (a.res[k] ?? 0) + (b.res[k] ?? 0);
const failed = sum('numFailedTests') + sum('numRuntimeErrorTestSuites');
console.log(`tests: ${sum('numPassedTests')} passed, ${failed} failed, ${sum('numPendingTests') + sum('numTodoTests')} skipped`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(a.status || b.status || (failed ? 1 : 0));
