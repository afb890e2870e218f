import type { SqlClient } from '../sql/sql-client';
import { describeWith, openTestSql, TEST_REDIS_URL, uniqueName } from '../testing/services';
import { BullmqJobQueue } from './bullmq-queue';
import { runJobQueueContract } from './job-queue.contract';
import { SqlJobQueue } from './sql-queue';

/** Short intervals so the take-over and retry cases finish in about a second. */
const SQL_TIMINGS = { pollIntervalMs: 50, leaseMs: 600 };
const BULLMQ_TIMINGS = { lockDurationMs: 1000, stalledIntervalMs: 300 };

function sqlSuite(kind: 'pglite' | 'postgres'): void {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ sql, drop } = await openTestSql(kind));
  });
  afterAll(async () => {
    await drop();
  });
  runJobQueueContract(`sql on ${kind}`, async () => {
    const queue = new SqlJobQueue({ sql, ...SQL_TIMINGS });
    return { queue, cleanup: () => queue.close({ force: true }) };
  });
}

describe('SqlJobQueue on PGlite', () => sqlSuite('pglite'));

describeWith('postgres')('SqlJobQueue on Postgres', () => sqlSuite('postgres'));

describeWith('redis')('BullmqJobQueue on Redis', () => {
  const prefix = uniqueName('sargs_test');
  afterAll(async () => {
    const janitor = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix });
    await janitor.obliterateAll();
    await janitor.close();
  });
  runJobQueueContract('bullmq', async () => {
    const queue = new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix, ...BULLMQ_TIMINGS });
    return { queue, cleanup: () => queue.close({ force: true }) };
  });
});
