import type { SqlClient } from '../sql/sql-client';
import { BullmqJobQueue, type BullmqJobQueueOptions } from './bullmq-queue';
import type { JobQueue } from './job-queue';
import { SqlJobQueue, type SqlJobQueueOptions } from './sql-queue';

export interface CreateJobQueueOptions {
  /** Config.redisUrl: when set, jobs go to BullMQ on Redis. */
  redisUrl?: string;
  /** The SQL store; used for jobs when redisUrl is not set. */
  sql: SqlClient;
  /** Redis key prefix (BullMQ only; default `sargs`). */
  prefix?: string;
  /** Interval tuning for the adapter that is picked (tests shorten them). */
  bullmq?: Omit<BullmqJobQueueOptions, 'redisUrl' | 'prefix'>;
  embedded?: Omit<SqlJobQueueOptions, 'sql'>;
}

/**
 * Picks the JobQueue adapter: BullMQ when a Redis URL is configured, else the embedded runner on the SQL store
 * (a single-node install needs no Redis).
 *
 * @example
 *   const jobs = createJobQueue({ redisUrl: config.redisUrl, sql });
 */
export function createJobQueue(opts: CreateJobQueueOptions): JobQueue {
  if (opts.redisUrl) {
    return new BullmqJobQueue({ ...opts.bullmq, redisUrl: opts.redisUrl, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  }
  return new SqlJobQueue({ ...opts.embedded, sql: opts.sql });
}
