import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SqlClient } from '../sql/sql-client';
import {
  checkAddArguments,
  type AddJobOptions,
  type CloseOptions,
  type FailedJob,
  type JobCounts,
  type JobHandler,
  type JobQueue,
  type JobWorker,
} from './job-queue';
import { SqlJobWorker, type SqlJobStatements } from './sql-worker';

/** Options of the embedded runner. The defaults suit production; tests shorten the intervals. */
export interface SqlJobQueueOptions {
  /** The store (PGlite or Postgres), migrated with core/migrations/0020-jobs.sql. Owned by the caller. */
  sql: SqlClient;
  /** How often an idle worker looks for due jobs (ms); add() in this process also wakes it at once. */
  pollIntervalMs?: number;
  /** How long a claim lasts without renewal (ms). A worker renews it every leaseMs/3 while its handler runs. */
  leaseMs?: number;
  /** Take-overs after an expired lease before the job is failed instead (BullMQ's maxStalledCount). */
  maxStalls?: number;
  /** Told about store errors in the polling loop (the loop keeps going). */
  onError?: (err: unknown) => void;
}

/** add() wakes the idle workers of the same queue in this process without waiting for the next poll. */
const wakeups = new EventEmitter();
wakeups.setMaxListeners(0);

// Times come from the database clock (clock_timestamp), so several processes agree on due times and leases.
const INSERT = `INSERT INTO sargs_jobs (queue, id, name, data, run_at, max_attempts, backoff_ms)
  VALUES ($1, $2, $3, $4::jsonb, clock_timestamp() + $5::double precision * interval '1 millisecond', $6, $7)
  ON CONFLICT (queue, id) DO NOTHING RETURNING id`;

// A job whose lease expired more often than allowed is dead: its runner keeps dying on it.
const FAIL_STALLED = `UPDATE sargs_jobs SET state = 'failed', finished_at = clock_timestamp(), lease_owner = NULL,
    lease_until = NULL, last_error = 'lease expired ' || (stall_count + 1) || ' times: the runner died while running the job'
  WHERE queue = $1 AND state = 'active' AND lease_until < clock_timestamp() AND stall_count >= $2`;

// Claims due jobs and jobs with an expired lease. SKIP LOCKED lets runners of several processes claim
// disjoint rows without waiting on each other; a take-over keeps the attempt number and counts a stall.
const CLAIM = `UPDATE sargs_jobs j SET
    state = 'active',
    attempts_made = CASE WHEN j.state = 'active' THEN j.attempts_made ELSE j.attempts_made + 1 END,
    stall_count = CASE WHEN j.state = 'active' THEN j.stall_count + 1 ELSE j.stall_count END,
    lease_owner = $3,
    lease_until = clock_timestamp() + $4::double precision * interval '1 millisecond'
  FROM (SELECT queue, id FROM sargs_jobs
        WHERE queue = $1 AND ((state = 'waiting' AND run_at <= clock_timestamp())
           OR (state = 'active' AND lease_until < clock_timestamp() AND stall_count < $5))
        ORDER BY run_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
  WHERE j.queue = due.queue AND j.id = due.id
  RETURNING j.id, j.name, j.data, j.attempts_made, j.max_attempts, j.backoff_ms`;

// Every outcome is written only while the claim is still ours (lease_owner is a fencing token): a runner
// whose lease was taken over cannot overwrite the new runner's state.
const RENEW = `UPDATE sargs_jobs SET lease_until = clock_timestamp() + $4::double precision * interval '1 millisecond'
  WHERE queue = $1 AND id = $2 AND lease_owner = $3 AND state = 'active'`;
const COMPLETE = `UPDATE sargs_jobs SET state = 'completed', finished_at = clock_timestamp(), lease_owner = NULL, lease_until = NULL
  WHERE queue = $1 AND id = $2 AND lease_owner = $3 AND state = 'active'`;
const FAIL = `UPDATE sargs_jobs SET state = $4, last_error = $5, lease_owner = NULL, lease_until = NULL,
    run_at = CASE WHEN $4 = 'waiting' THEN clock_timestamp() + $6::double precision * interval '1 millisecond' ELSE run_at END,
    finished_at = CASE WHEN $4 = 'failed' THEN clock_timestamp() ELSE NULL END
  WHERE queue = $1 AND id = $2 AND lease_owner = $3 AND state = 'active'`;

const COUNTS = `SELECT
    count(*) FILTER (WHERE state = 'waiting' AND run_at <= clock_timestamp())::int AS waiting,
    count(*) FILTER (WHERE state = 'waiting' AND run_at > clock_timestamp())::int AS delayed,
    count(*) FILTER (WHERE state = 'active')::int AS active,
    count(*) FILTER (WHERE state = 'completed')::int AS completed,
    count(*) FILTER (WHERE state = 'failed')::int AS failed
  FROM sargs_jobs WHERE queue = $1`;
const FAILED = `SELECT id, name, data, attempts_made, last_error, finished_at FROM sargs_jobs
  WHERE queue = $1 AND state = 'failed' ORDER BY finished_at DESC LIMIT $2`;

/**
 * The embedded job runner: workers poll the `sargs_jobs` table of the given SqlClient from inside this
 * process; the table is the only state, so jobs survive restarts and several processes sharing a Postgres
 * database share the work. At-least-once: see core/jobs/job-queue.ts.
 *
 * @example
 *   const jobs = new SqlJobQueue({ sql });
 *   jobs.process('mail', async (job) => send(job.data), { concurrency: 4 });
 *   await jobs.add('mail', 'breach-notice', { incidentId }, { jobId: `notice:${incidentId}`, attempts: 5, backoffMs: 2000 });
 */
export class SqlJobQueue implements JobQueue {
  readonly kind = 'sql' as const;
  private readonly sql: SqlClient;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly maxStalls: number;
  private readonly onError: (err: unknown) => void;
  private readonly workers = new Set<SqlJobWorker>();
  private closed = false;

  constructor(opts: SqlJobQueueOptions) {
    this.sql = opts.sql;
    this.pollIntervalMs = opts.pollIntervalMs ?? 200;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.maxStalls = opts.maxStalls ?? 1;
    this.onError = opts.onError ?? (() => undefined);
  }

  async add(queue: string, name: string, data: unknown, opts: AddJobOptions = {}): Promise<{ id: string; duplicate: boolean }> {
    checkAddArguments(queue, name, opts);
    const id = opts.jobId ?? randomUUID();
    const delayMs = opts.delayMs ?? 0;
    const r = await this.sql.query(INSERT, [
      queue,
      id,
      name,
      JSON.stringify(data ?? null),
      delayMs,
      opts.attempts ?? 1,
      Math.round(opts.backoffMs ?? 0),
    ]);
    const duplicate = r.rows.length === 0;
    if (!duplicate && delayMs === 0) wakeups.emit(queue);
    return { id, duplicate };
  }

  process(queue: string, handler: JobHandler, opts: { concurrency?: number } = {}): JobWorker {
    if (this.closed) throw new Error('job queue is closed');
    const worker = new SqlJobWorker(queue, handler, {
      concurrency: Math.max(1, opts.concurrency ?? 1),
      pollIntervalMs: this.pollIntervalMs,
      leaseMs: this.leaseMs,
      statements: this.statements(queue),
      wakeups,
      onError: this.onError,
      onClosed: (w) => this.workers.delete(w),
    });
    this.workers.add(worker);
    worker.start();
    return worker;
  }

  async counts(queue: string): Promise<JobCounts> {
    const r = await this.sql.query<JobCounts>(COUNTS, [queue]);
    return r.rows[0] ?? { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
  }

  async failed(queue: string, limit: number): Promise<FailedJob[]> {
    const r = await this.sql.query<{
      id: string;
      name: string;
      data: unknown;
      attempts_made: number;
      last_error: string | null;
      finished_at: Date | string | null;
    }>(FAILED, [queue, limit]);
    return r.rows.map((row) => ({
      id: row.id,
      name: row.name,
      data: row.data,
      attempts: row.attempts_made,
      error: row.last_error ?? '',
      failedAt: row.finished_at === null ? null : new Date(row.finished_at),
    }));
  }

  async close(opts: CloseOptions = {}): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.close(opts)));
  }

  /** The statements one worker needs, bound to its queue and this runner's settings. */
  private statements(queue: string): SqlJobStatements {
    const sql = this.sql;
    const lease = this.leaseMs;
    return {
      claim: async (limit, owner) => {
        await sql.query(FAIL_STALLED, [queue, this.maxStalls]);
        const r = await sql.query<{
          id: string;
          name: string;
          data: unknown;
          attempts_made: number;
          max_attempts: number;
          backoff_ms: number;
        }>(CLAIM, [queue, limit, owner, lease, this.maxStalls]);
        return r.rows.map((row) => ({
          id: row.id,
          name: row.name,
          data: row.data,
          attempt: row.attempts_made,
          maxAttempts: row.max_attempts,
          backoffMs: row.backoff_ms,
        }));
      },
      renew: async (id, owner) => (await sql.query(RENEW, [queue, id, owner, lease])).rowCount > 0,
      complete: async (id, owner) => {
        await sql.query(COMPLETE, [queue, id, owner]);
      },
      fail: async (id, owner, error, retryInMs) => {
        const state = retryInMs === null ? 'failed' : 'waiting';
        await sql.query(FAIL, [queue, id, owner, state, error, retryInMs ?? 0]);
      },
    };
  }
}
