import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The `sargs` command as an operator runs it: `node bin/sargs.js` in a real process with its own data dir
 * (embedded PGlite). Runs the compiled CLI: `npm run build` first (`npm test` does).
 */

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'sargs.js');
const TOKEN_RE = /^sargs_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let base: string;
let dataDir: string;

/** The test runner's environment without anything that would point Sargs at other stores or ports. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SARGS_|PORT$|HOST$|DATABASE_URL$|ELASTICSEARCH_URL$|REDIS_URL$|LOG_LEVEL$)/.test(k)),
  );
  return { ...clean, SARGS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function sargs(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return collect(spawn(process.execPath, [bin, ...args], { cwd: base, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A port free for both TCP and UDP on loopback (the syslog listener takes both). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer().once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** Every file under `dir`, for checking that a secret is nowhere on disk. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

beforeAll(() => {
  const main = path.join(root, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` before this test`);
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-cli-'));
  dataDir = path.join(base, 'data');
});
afterAll(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe('sargs CLI (real process)', () => {
  let adminToken: string;
  let demo: { records: number; created: number; duplicates: number; spooled: number; rejected: number };

  test('init --json creates the data dir and pseudonym key private to the owner and prints the admin token once', async () => {
    expect(fs.existsSync(dataDir)).toBe(false);
    const r = await sargs(['init', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { dataDir: string; tokenId: string; token: string };
    expect(out.dataDir).toBe(dataDir);
    expect(out.token).toMatch(TOKEN_RE);
    expect(out.token.startsWith(`sargs_${out.tokenId}_`)).toBe(true);
    expect(r.stdout.split(out.token)).toHaveLength(2); // printed once
    adminToken = out.token;

    // Only the owner may read the data dir; the key is 0600 (core/pseudonym-key.ts).
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const key = path.join(dataDir, 'pseudonym.key');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.statSync(key).size).toBe(32);

    // Only a hash of the secret is stored (api/tokens/token.store.ts): the secret is in no file of the data dir.
    const secret = Buffer.from(out.token.split('_').slice(2).join('_'));
    for (const f of filesUnder(dataDir)) expect({ f, found: fs.readFileSync(f).includes(secret) }).toEqual({ f, found: false });
  }, 90_000);

  test('a second init exits 1, names the existing token and prints no new one', async () => {
    const r = await sargs(['init', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/already initialised/);
    expect(r.stderr).toContain(adminToken.split('_')[1]);
    expect(r.stderr).not.toContain(adminToken);
  });

  test('token create makes a collector token for a known tenant; an unknown tenant or a missing flag exits 2', async () => {
    const ok = await sargs(['token', 'create', '--tenant', 'riga', '--source', 'x', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const t = JSON.parse(ok.stdout) as Record<string, unknown>;
    expect(t).toMatchObject({ kind: 'collector', tenant: 'riga', source: 'x', revokedAt: null });
    expect(t.token).toEqual(expect.stringMatching(TOKEN_RE));
    const days = (Date.parse(t.expiresAt as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(365);

    const unknown = await sargs(['token', 'create', '--tenant', 'atlantida', '--source', 'x', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/unknown tenant 'atlantida'/);

    const missing = await sargs(['token', 'create', '--tenant', 'riga']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--source/);
  }, 90_000);

  test('a bad environment makes start exit 2 naming the variable on stderr', async () => {
    const r = await sargs(['start'], { PORT: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/invalid configuration/);
    expect(r.stderr).toMatch(/\bPORT\b/);
  });

  test('an unknown command or option exits 2 with the usage; help exits 0', async () => {
    const r = await sargs(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).toMatch(/Usage:/);
    const opt = await sargs(['init', '--force']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/--force/);
    const help = await sargs(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage:/);
  });

  test('demo loads a day of traffic through the intake with nothing dead-lettered', async () => {
    const r = await sargs(['demo', '--days', '1', '--events-per-day', '2000', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    demo = JSON.parse(r.stdout);
    expect(demo.records).toBeGreaterThan(0);
    expect(demo).toMatchObject({ rejected: 0, spooled: 0, duplicates: 0 });
    expect(demo.created).toBe(demo.records);
    // The watch-list case's resident is on the demo watch list, as a pseudonym only.
    const list = await sargs(['rules', 'watchlist', 'list', '--json']);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as Array<{ list: string; person: string }>;
    expect(entries).toEqual([expect.objectContaining({ list: 'demo', person: expect.stringMatching(/^pk_[0-9a-f]{32}$/) })]);
  }, 120_000);

  test('start serves the demo traffic with the init token and stops cleanly on SIGTERM', async () => {
    expect(demo?.created).toBeGreaterThan(0);
    const port = await freePort();
    let syslogPort = await freePort();
    while (syslogPort === port) syslogPort = await freePort();
    const child = spawn(process.execPath, [bin, 'start'], {
      cwd: base,
      env: env({ PORT: String(port), SARGS_SYSLOG_PORT: String(syslogPort) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = collect(child);
    const url = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const up = await fetch(`${url}/healthz`).then((res) => res.status === 200, () => false);
        if (up) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sargs start did not come up: ${(await done).stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const auth = { headers: { authorization: `Bearer ${adminToken}` } };
      const count = await fetch(`${url}/api/v1/events/count`, auth);
      expect(count.status).toBe(200);
      expect(((await count.json()) as { count: number }).count).toBe(demo.created);
      // Nothing dead-lettered: if this fails, the reasons are in the received items.
      const dl = (await (await fetch(`${url}/api/v1/deadletter?limit=20`, auth)).json()) as { total: number; items: unknown[] };
      expect({ total: dl.total, items: dl.items }).toEqual({ total: 0, items: [] });
      const syslogUp = await new Promise<boolean>((resolve) => {
        const s = net.connect(syslogPort, '127.0.0.1', () => (s.end(), resolve(true))).once('error', () => resolve(false));
      });
      expect(syslogUp).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const r = await done;
    clearTimeout(timer);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  }, 90_000);
});
