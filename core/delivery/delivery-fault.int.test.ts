/**
 * Crash test of delivery (issue 6: "a worker killed in the middle of a job does not lose or double the notice"): a
 * worker process is SIGKILLed while the SMTP server holds its message in the DATA phase (read, not yet answered);
 * a new worker process takes the message over when the lease ends and delivers it exactly once. Runs on the
 * embedded setup (PGlite directory + in-process runner) and the real one (Postgres + BullMQ). Touches no
 * Elasticsearch; Redis keys only under its own prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BullmqJobQueue } from '../jobs/bullmq-queue';
import type { JobQueue } from '../jobs/job-queue';
import { SqlJobQueue } from '../jobs/sql-queue';
import { migrate } from '../sql/migrate';
import { createPgliteClient } from '../sql/pglite-client';
import { createPostgresClient } from '../sql/postgres-client';
import type { SqlClient } from '../sql/sql-client';
import { requireServices, serviceUp, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../testing/services';
import type { DeliveryPolicy } from './delivery-policy';
import { createOutbox } from './outbox';
import { TEST_POLICY, waitFor } from './testing/delivery-setups';
import { startSmtpTestServer } from './testing/smtp-test-server';

const ROOT = path.resolve(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'testing', 'delivery-worker.child.ts');
// The child runs the TypeScript sources through SWC, as jest does (no build needed).
const HOOK = `require('pirates').addHook((code, filename) => require('@swc/core').transformSync(code, { filename,
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }).code, { exts: ['.ts'] });
require(process.env.DELIVERY_CHILD);`;

// The stalled send must outlive the kill, and the lease the send timeout (so that a slow live send is never taken
// over); both short enough for a test. Timeouts are generous: the test machine is shared and may be loaded.
const POLICY: DeliveryPolicy = { ...TEST_POLICY, smtpTimeoutMs: 8000, leaseMs: 10_000, sweepIntervalMs: 1000 };

function spawnWorker(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['-e', HOOK], {
    cwd: ROOT,
    env: { ...process.env, ...env, DELIVERY_CHILD: CHILD, DELIVERY_POLICY: JSON.stringify(POLICY) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('delivery worker did not start in 30 s')), 30_000);
    child.on('message', (m: { ready?: boolean }) => {
      if (m?.ready) {
        clearTimeout(t);
        resolve({ child, exited });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`delivery worker exited with ${code} before it was ready`));
    });
  });
}

interface FaultSetup {
  env: Record<string, string>;
  /** Runs fn with a SQL client on the setup's database (PGlite: opened only for fn, one process at a time). */
  withSql<T>(fn: (sql: SqlClient, jobs: JobQueue) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const setups: Array<{ name: string; available: boolean; open: () => Promise<FaultSetup> }> = [
  {
    name: 'embedded (PGlite directory, in-process runner)',
    available: true,
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-delivery-fault-'));
      return {
        env: { DELIVERY_SQL: `pglite:${dir}` },
        async withSql(fn) {
          const sql = await createPgliteClient(dir);
          try {
            await migrate(sql);
            return await fn(sql, new SqlJobQueue({ sql }));
          } finally {
            await sql.close();
          }
        },
        close: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'real (Postgres, BullMQ on Redis)',
    available: (serviceUp('postgres') && serviceUp('redis')) || requireServices,
    async open() {
      const schema = uniqueName('t');
      const prefix = uniqueName('sargs-test');
      const sql = await createPostgresClient(TEST_DATABASE_URL, schema);
      await migrate(sql);
      const jobs = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix });
      return {
        env: { DELIVERY_SQL: `postgres:${schema}`, DELIVERY_REDIS_PREFIX: prefix },
        withSql: (fn) => fn(sql, jobs),
        async close() {
          await jobs.obliterateAll().catch(() => undefined);
          await jobs.close();
          await sql.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
          await sql.close();
        },
      };
    },
  },
];

for (const s of setups) {
  (s.available ? describe : describe.skip)(`delivery crash on the ${s.name} setup`, () => {
    it('a worker SIGKILLed in the middle of an SMTP send: the notice is delivered once by the next worker', async () => {
      const setup = await s.open();
      // The first DATA phase is read and never answered (a hung relay); later ones are accepted.
      const smtp = await startSmtpTestServer({ onDataPhase: (n) => (n === 1 ? 'stall' : 'accept') });
      const queue = uniqueName('delivery');
      const env = { ...setup.env, DELIVERY_QUEUE: queue, DELIVERY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
      const running: ChildProcess[] = [];
      try {
        const rec = await setup.withSql((sql, jobs) =>
          createOutbox({ sql, jobs, policy: POLICY, queue, transports: {} }).enqueue({
            key: 'notice:inc-9:early-warning',
            channel: 'email',
            to: ['cert@cert.example.lv'],
            subject: 'Early warning INC-9',
            text: 'early warning',
            tenant: 'riga',
          }),
        );

        const first = await spawnWorker(env);
        running.push(first.child);
        await smtp.dataReceived(1);
        first.child.kill('SIGKILL');
        await first.exited;
        expect(smtp.accepted).toHaveLength(0);
        const mid = await setup.withSql((sql) => sql.query<{ state: string; attempts: number }>('SELECT state, attempts FROM sargs_outbox WHERE id = $1', [rec.id]));
        // Still 'sending' under the dead worker's lease. (On a loaded machine an earlier attempt may have timed out
        // before DATA; what counts is the attempt that was killed in DATA.)
        expect(mid.rows[0]!.state).toBe('sending');
        const killedAttempt = mid.rows[0]!.attempts;

        const second = await spawnWorker(env);
        running.push(second.child);
        await waitFor('the message accepted by SMTP', () => smtp.accepted.length >= 1, 30_000);
        // Longer than a lease and several sweeps: nothing else may be sent.
        await new Promise((r) => setTimeout(r, POLICY.leaseMs + 3 * POLICY.sweepIntervalMs));
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);

        expect(smtp.dataSessions).toBe(2);
        expect(smtp.accepted).toHaveLength(1);
        expect(smtp.accepted[0]!.headers['x-sargs-delivery']).toBe(rec.id);
        const end = await setup.withSql((sql) => sql.query<{ state: string; attempts: number }>('SELECT state, attempts FROM sargs_outbox WHERE id = $1', [rec.id]));
        expect(end.rows[0]!.state).toBe('delivered');
        expect(end.rows[0]!.attempts).toBeGreaterThan(killedAttempt);
      } finally {
        for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        await smtp.close();
        await setup.close();
      }
    }, 240_000);
  });
}
