import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `sargs rules backtest` and `sargs rules watchlist` as an operator runs them: `node bin/sargs.js` in a real process
 * with its own data dir (embedded PGlite). Runs the compiled CLI: `npm run build` first.
 */
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'sargs.js');
const CODE = '161175-19997';
let base: string;
let dataDir: string;

function sargs(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SARGS_|PORT$|HOST$|DATABASE_URL$|ELASTICSEARCH_URL$|REDIS_URL$|LOG_LEVEL$)/.test(k)));
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...env, SARGS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const filesUnder = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` before this test');
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-rules-cli-'));
  dataDir = path.join(base, 'data');
});
afterAll(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe('sargs rules backtest: bad arguments give a clear message and exit 2', () => {
  test.each([
    [['rules', 'backtest', '--since', '2026-11-01'], /give exactly one rule/],
    [['rules', 'backtest', 'Dormant account active again'], /--since is required/],
    [['rules', 'backtest', 'Dormant account active again', '--since', 'yesterday'], /--since 'yesterday' is not a date/],
    [['rules', 'backtest', 'Dormant account active again', '--since', '2026-11-02', '--until', '2026-11-01'], /--since must be before --until/],
    [['rules', 'backtest', 'no such rule', '--since', '2026-11-01'], /no rule with id, name, title or file 'no such rule'/],
    [['rules', 'backtest', 'x', '--since', '2026-11-01', '--bogus'], /Unknown option '--bogus'/],
    [['rules', 'frobnicate'], /expected 'test \[dir\]', 'backtest/],
  ])('sargs %j', async (args, message) => {
    const r = await sargs(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('sargs rules watchlist and backtest on the embedded store', () => {
  test('person codes come from standard input, are validated, and only their pseudonyms are stored or printed', async () => {
    const bad = await sargs(['rules', 'watchlist', 'add', '--list', 'vip'], '161175-19990\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 1: person code is not valid/);
    expect(bad.stderr).toMatch(/nothing added/);
    expect(bad.stderr + bad.stdout).not.toContain('161175');
    const onArgv = await sargs(['rules', 'watchlist', 'add', '--list', 'vip', CODE]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toMatch(/read from standard input/);

    const add = await sargs(['rules', 'watchlist', 'add', '--list', 'vip', '--note', `mayor ${CODE}`], `# council\n${CODE}\n\n`);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/1 added to watch list 'vip'/);
    const again = await sargs(['rules', 'watchlist', 'add', '--list', 'vip'], '16117519997\n');
    expect(again.stdout).toMatch(/0 added .*1 already on it/);

    const list = await sargs(['rules', 'watchlist', 'list', '--json']);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as Array<{ id: string; list: string; person: string; note: string }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.person).toMatch(/^pk_[0-9a-f]{32}$/);
    expect(entries[0]!.note).toMatch(/^mayor pk_/);
    expect(list.stdout).not.toContain('161175');
    // nowhere on disk in clear (the database files, logs)
    for (const f of filesUnder(dataDir)) {
      const bytes = fs.readFileSync(f);
      expect([f, bytes.includes(CODE), bytes.includes('16117519997')]).toEqual([f, false, false]);
    }
  }, 600_000);

  test('a backtest over the embedded store reports what the rule would have raised and writes no alert', async () => {
    const r = await sargs(['rules', 'backtest', 'rules/vps/collection_watchlisted_person_opened.yml', '--since', '2026-11-01', '--until', '2026-11-02', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // --json: one JSON document, nothing else on stdout
    const report = JSON.parse(r.stdout) as { events: number; rules: Array<{ ruleId: string; hits: number }> };
    expect(report).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', events: 0 });
    expect(report.rules).toEqual([expect.objectContaining({ ruleId: '9b7933b5-9b80-4ef3-90c3-ec5c183d5918', hits: 0, groups: [] })]);
    const text = await sargs(['rules', 'backtest', '9b7933b5-9b80-4ef3-90c3-ec5c183d5918', '--since', '2026-11-01T00:00:00Z', '--until', '2026-11-01T06:00:00+02:00']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/no alerts written/);
    expect(text.stdout).toMatch(/Record of a watch-listed person opened .*: 0 hits in 0 groups/);
  }, 600_000);
});
