/**
 * A delivery worker as its own process, for the crash tests (core/delivery/delivery-fault.int.test.ts): the test
 * SIGKILLs it in the middle of a send. Inputs (environment): DELIVERY_SQL (`pglite:<dir>` or
 * `postgres:<schema>`), DELIVERY_REDIS_PREFIX (BullMQ on TEST_REDIS_URL under it; else the embedded runner),
 * DELIVERY_QUEUE, DELIVERY_SMTP_URL, DELIVERY_POLICY (JSON). Output: IPC `{ ready: true }` once working; stops
 * cleanly on SIGTERM.
 */
import { BullmqJobQueue } from '../../jobs/bullmq-queue';
import type { JobQueue } from '../../jobs/job-queue';
import { SqlJobQueue } from '../../jobs/sql-queue';
import { migrate } from '../../sql/migrate';
import { createPgliteClient } from '../../sql/pglite-client';
import { createPostgresClient } from '../../sql/postgres-client';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../testing/services';
import { createOutbox } from '../outbox';
import { createSmtpTransport } from '../smtp-transport';
import type { DeliveryPolicy } from '../delivery-policy';

async function main(): Promise<void> {
  const env = process.env;
  const [kind, where] = (env.DELIVERY_SQL ?? '').split(/:(.*)/s) as [string, string];
  const sql = kind === 'pglite' ? await createPgliteClient(where) : await createPostgresClient(TEST_DATABASE_URL, where);
  await migrate(sql);
  const jobs: JobQueue = env.DELIVERY_REDIS_PREFIX
    ? new BullmqJobQueue({ redisUrl: TEST_REDIS_URL, prefix: env.DELIVERY_REDIS_PREFIX, lockDurationMs: 2000, stalledIntervalMs: 1000 })
    : new SqlJobQueue({ sql, pollIntervalMs: 200, leaseMs: 2000 });
  const policy = JSON.parse(env.DELIVERY_POLICY!) as DeliveryPolicy;
  const outbox = createOutbox({
    sql,
    jobs,
    policy,
    queue: env.DELIVERY_QUEUE,
    transports: { email: createSmtpTransport({ url: env.DELIVERY_SMTP_URL!, from: 'sargs@zzdats.example', timeoutMs: policy.smtpTimeoutMs }) },
  });
  const worker = outbox.startWorker();
  process.once('SIGTERM', () => {
    void (async () => {
      await worker.close();
      await jobs.close();
      await sql.close();
      process.exit(0);
    })();
  });
  process.send?.({ ready: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
