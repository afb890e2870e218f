import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../core/config';
import { createRuntime, type Runtime } from '../../cli/runtime';
import { createApp } from '../create-app';

export interface RunningSargs {
  url: string;
  adminToken: string;
  /** A central collector token (tenant *). */
  collectorToken: string;
  dataDir: string;
  runtime: Runtime;
  /** A collector token scoped to one tenant. */
  tokenFor(tenant: string, source?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts Sargs in this process on a random port for tests: embedded PGlite by default; `env` may point it at
 * real services (ELASTICSEARCH_URL, DATABASE_URL, SARGS_ES_PREFIX …).
 */
export async function startSargs(opts: { env?: Record<string, string>; dataDir?: string } = {}): Promise<RunningSargs> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-test-'));
  const config = loadConfig({ SARGS_DATA_DIR: dataDir, PORT: '0', SARGS_SYSLOG_PORT: '0', LOG_LEVEL: 'silent', ...opts.env });
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
  runtime.ctx.intake.start();
  const server = http.createServer(createApp(runtime.ctx));
  // PORT from `env` when a test needs a known port (WebAuthn: SARGS_PUBLIC_URL=http://localhost:<port>); else any.
  await new Promise<void>((r) => server.listen(config.port, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const admin = await runtime.ctx.tokens.create({ kind: 'platform-admin', tenant: '*' });
  const tokenFor = async (tenant: string, source = 'test') => (await runtime.ctx.tokens.create({ kind: 'collector', tenant, source })).token;
  return {
    url: `http://127.0.0.1:${port}`,
    adminToken: admin.token,
    collectorToken: await tokenFor('*'),
    dataDir,
    runtime,
    tokenFor,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await runtime.close();
    },
  };
}

/**
 * Starts `sargs start` as a child process (for crash tests: it can be SIGKILLed). Resolves when it listens.
 */
export async function spawnSargs(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  // From api/testing (jest) or dist/api/testing (compiled): the repository's bin/sargs.js.
  let root = path.resolve(__dirname, '..', '..');
  if (path.basename(root) === 'dist') root = path.dirname(root);
  const bin = path.join(root, 'bin', 'sargs.js');
  const child = fork(bin, ['start'], {
    // as `npm start` runs it (package.json): a larger young generation for the intake's batches in flight
    execArgv: [...process.execArgv, '--max-semi-space-size=64'],
    env: { ...process.env, PORT: '0', SARGS_SYSLOG_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('sargs did not start in 30 s')), 30_000);
    child.on('message', (m: { ready?: boolean; port?: number }) => {
      if (m?.ready) {
        clearTimeout(t);
        resolve(m.port!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`sargs exited with ${code} before listening`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}
