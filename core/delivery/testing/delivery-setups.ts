import { BullmqJobQueue } from '../../jobs/bullmq-queue';
import type { JobQueue } from '../../jobs/job-queue';
import { SqlJobQueue } from '../../jobs/sql-queue';
import type { SqlClient } from '../../sql/sql-client';
import { openTestSql, serviceUp, requireServices, TEST_REDIS_URL, uniqueName } from '../../testing/services';
import type { DeliveryPolicy } from '../delivery-policy';

/** Short timings for tests; the lease still exceeds the send timeouts as policies/delivery.yaml requires. */
export const TEST_POLICY: DeliveryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 1000,
  leaseMs: 20_000,
  sweepIntervalMs: 500,
  // Generous: the test machine is shared and loaded, and a timed-out greeting would add an attempt.
  smtpTimeoutMs: 5000,
  webhookTimeoutMs: 5000,
};

export interface DeliverySetup {
  name: 'embedded' | 'real';
  sql: SqlClient;
  /** Jobs of this setup; `newJobs()` makes another instance on the same backend (a second process's view). */
  jobs: JobQueue;
  newJobs(): JobQueue;
  queue: string;
  /** Loses every queued job of this test (Redis lost its data / the runner's table was emptied); the outbox stays. */
  loseQueuedJobs(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The two setups every delivery test runs on: embedded (PGlite + the in-process SQL runner) and real (Postgres +
 * BullMQ on Redis, under a unique key prefix that is removed afterwards; nothing else in Redis is touched).
 */
export const SETUPS: Array<{ name: DeliverySetup['name']; available: boolean; open: () => Promise<DeliverySetup> }> = [
  {
    name: 'embedded',
    available: true,
    async open() {
      const { sql, drop } = await openTestSql('pglite');
      const queue = uniqueName('delivery');
      const all: JobQueue[] = [];
      const newJobs = () => {
        const j = new SqlJobQueue({ sql, pollIntervalMs: 50, leaseMs: 2000 });
        all.push(j);
        return j;
      };
      return {
        name: 'embedded',
        sql,
        jobs: newJobs(),
        newJobs,
        queue,
        async loseQueuedJobs() {
          await sql.query('DELETE FROM sargs_jobs WHERE queue = $1', [queue]);
        },
        async close() {
          for (const j of all) await j.close({ force: true });
          await drop();
        },
      };
    },
  },
  {
    name: 'real',
    available: (serviceUp('postgres') && serviceUp('redis')) || requireServices,
    async open() {
      const { sql, drop } = await openTestSql('postgres');
      const queue = uniqueName('delivery');
      const prefix = uniqueName('sargs-test');
      const all: BullmqJobQueue[] = [];
      const newJobs = () => {
        const j = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix, lockDurationMs: 2000, stalledIntervalMs: 1000 });
        all.push(j);
        return j;
      };
      const jobs = newJobs();
      return {
        name: 'real',
        sql,
        jobs,
        newJobs,
        queue,
        async loseQueuedJobs() {
          // Only this test's keys (its own prefix): the shared Redis is never flushed.
          const j = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix });
          await j.obliterateAll();
          await j.close();
        },
        async close() {
          for (const j of all) await j.close({ force: true });
          const j = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix });
          await j.obliterateAll().catch(() => undefined);
          await j.close();
          await drop();
        },
      };
    },
  },
];

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
