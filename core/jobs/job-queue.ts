import { badRequest } from '../errors';

/**
 * The port through which Sargs runs background work (report builds, notifications, re-indexing). Two adapters
 * pass one contract suite (core/jobs/job-queue.contract.ts):
 * - `bullmq` (core/jobs/bullmq-queue.ts): BullMQ on Redis, when REDIS_URL is set;
 * - `sql` (core/jobs/sql-queue.ts): an embedded runner in each Sargs process whose durable state is the
 *   `sargs_jobs` table (PGlite or Postgres).
 * `createJobQueue` (core/jobs/create-job-queue.ts) picks one.
 *
 * Delivery is **at-least-once**. A job whose process dies mid-run is run again later:
 * - bullmq: the worker holds a lock it renews while the handler runs; when the lock expires, another worker's
 *   stalled-job check moves the job back to waiting (after `maxStalledCount` stalls it fails instead);
 * - sql: the claim is a lease (`lease_until`) renewed while the handler runs; a runner that finds an expired
 *   lease takes the job over (after `maxStalls` take-overs it fails instead).
 * Handlers must therefore be idempotent (write with natural keys, upsert, check before sending).
 *
 * Job data is stored as JSON: pass plain objects, and never a person code in clear.
 */
export interface JobQueue {
  /** Which adapter this is, for /healthz. */
  readonly kind: 'bullmq' | 'sql';

  /**
   * Adds a job. With `jobId`, add is idempotent: while a job with that id exists in the queue (waiting, delayed,
   * active, completed or failed and not yet removed), a second add returns `duplicate: true` and runs nothing.
   *
   * @example
   *   await jobs.add('access-reports', 'build', { requestId }, { jobId: `report:${requestId}`, attempts: 5, backoffMs: 1000 });
   */
  add(queue: string, name: string, data: unknown, opts?: AddJobOptions): Promise<{ id: string; duplicate: boolean }>;

  /**
   * Runs `handler` for the jobs of `queue`, up to `concurrency` at a time (default 1). A handler that throws is
   * retried until `attempts` runs were made, waiting `backoffMs · 2^(n-1)` after the n-th failure; after the
   * last one the job is failed (dead letter) with its error.
   */
  process(queue: string, handler: JobHandler, opts?: { concurrency?: number }): JobWorker;

  /** How many jobs of `queue` are in each state. Retries waiting for their backoff count as delayed. */
  counts(queue: string): Promise<JobCounts>;

  /** The dead jobs of `queue`, most recently failed first, with the error of their last attempt. */
  failed(queue: string, limit: number): Promise<FailedJob[]>;

  /**
   * Stops every worker of this instance and releases its connections (never the SqlClient, which the caller
   * owns). By default waits for running handlers; `force` abandons them as if the process died (their jobs
   * run again after the lease/lock expires).
   */
  close(opts?: CloseOptions): Promise<void>;
}

export interface AddJobOptions {
  /** Makes add idempotent (see JobQueue.add). Without it a random id is given. */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Runs in total before the job is failed; default 1 (no retry). */
  attempts?: number;
  /** Base of the exponential backoff between retries; default 0. */
  backoffMs?: number;
}

/** What a handler sees. `attempt` is 1 on the first run, 2 on the first retry… */
export interface JobInfo {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
}

export type JobHandler = (job: JobInfo) => Promise<void>;

export interface JobWorker {
  /** Stops this worker; see JobQueue.close for `force`. */
  close(opts?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  force?: boolean;
}

export interface JobCounts {
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  /** Runs made. */
  attempts: number;
  /** Message of the last error. */
  error: string;
  failedAt: Date | null;
}

/** Exponential backoff shared by both adapters: wait after the n-th failed run (n ≥ 1). */
export function backoffDelayMs(backoffMs: number, failedRuns: number): number {
  return backoffMs * 2 ** (failedRuns - 1);
}

/** The message stored for a failed run (bounded, so a huge error cannot bloat the store). */
export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 2000 ? `${msg.slice(0, 2000)}…` : msg;
}

/**
 * Checks add() arguments the same way in both adapters (BullMQ would otherwise accept some and reject others).
 * @throws AppError 400 naming the first bad field.
 */
export function checkAddArguments(queue: string, name: string, opts: AddJobOptions): void {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(queue)) throw badRequest('invalid_job', 'queue must be 1-100 of A-Z a-z 0-9 . _ -', 'queue');
  if (!name || name.length > 200) throw badRequest('invalid_job', 'name must be 1-200 characters', 'name');
  if (opts.jobId !== undefined && !/^[^:\s][^\s]{0,199}$/.test(opts.jobId)) {
    throw badRequest('invalid_job', 'jobId must be 1-200 characters without spaces, not starting with ":"', 'jobId');
  }
  if (opts.jobId !== undefined && /^\d+$/.test(opts.jobId)) {
    // BullMQ reserves integer ids for its own counter: a custom integer id could collide with a generated one.
    throw badRequest('invalid_job', 'jobId must not be an integer', 'jobId');
  }
  const nonNegative = (v: number | undefined, field: string) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw badRequest('invalid_job', `${field} must be ≥ 0`, field);
  };
  nonNegative(opts.delayMs, 'delayMs');
  nonNegative(opts.backoffMs, 'backoffMs');
  if (opts.attempts !== undefined && !(Number.isInteger(opts.attempts) && opts.attempts >= 1 && opts.attempts <= 100)) {
    throw badRequest('invalid_job', 'attempts must be an integer from 1 to 100', 'attempts');
  }
}
