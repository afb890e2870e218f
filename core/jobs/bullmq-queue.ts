import { randomUUID } from 'node:crypto';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import Redis from 'ioredis';
import {
  checkAddArguments,
  errorMessage,
  type AddJobOptions,
  type CloseOptions,
  type FailedJob,
  type JobCounts,
  type JobHandler,
  type JobQueue,
  type JobWorker,
} from './job-queue';

/** Options of the BullMQ adapter. The defaults suit production; tests shorten the intervals. */
export interface BullmqJobQueueOptions {
  /** redis:// or rediss:// URL (Config.redisUrl). */
  redisUrl: string;
  /** Namespace of every Redis key (default `sargs`); tests use a unique one. */
  prefix?: string;
  /** How long a worker's lock on a job lasts without renewal (ms); renewed every lockDurationMs/2. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (ms). */
  stalledIntervalMs?: number;
  /** Stalls before a job is failed instead of moved back to waiting. */
  maxStalledCount?: number;
  /** Told about connection and worker errors (BullMQ keeps reconnecting). */
  onError?: (err: unknown) => void;
}

/**
 * Key under which add() stores a random token in the job's options: if the stored token is not ours after an
 * add with a jobId, a job with that id already existed and BullMQ kept it (its add script is atomic).
 */
const ADD_TOKEN = 'sargsAddToken';

/**
 * JobQueue on BullMQ (Redis). Jobs are kept after they complete or fail (BullMQ's default), so a jobId stays
 * a duplicate until the job is removed. At-least-once: see core/jobs/job-queue.ts.
 *
 * @example
 *   const jobs = new BullmqJobQueue({ redisUrl: config.redisUrl });
 */
export class BullmqJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();
  private readonly prefix: string;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly opts: BullmqJobQueueOptions) {
    this.prefix = opts.prefix ?? 'sargs';
    this.onError = opts.onError ?? (() => undefined);
  }

  async add(queue: string, name: string, data: unknown, opts: AddJobOptions = {}): Promise<{ id: string; duplicate: boolean }> {
    checkAddArguments(queue, name, opts);
    const q = this.queue(queue);
    const token = randomUUID();
    const jobOpts: JobsOptions & { [ADD_TOKEN]: string } = {
      jobId: opts.jobId,
      delay: opts.delayMs ?? 0,
      attempts: opts.attempts ?? 1,
      // BullMQ's exponential backoff waits delay · 2^(attemptsMade-1), the rule of JobQueue.process.
      ...(opts.backoffMs ? { backoff: { type: 'exponential', delay: opts.backoffMs } } : {}),
      [ADD_TOKEN]: token,
    };
    const job = await q.add(name, data ?? null, jobOpts);
    const id = String(job.id);
    if (opts.jobId === undefined) return { id, duplicate: false };
    const stored = await q.getJob(id);
    const storedToken = (stored?.opts as Record<string, unknown> | undefined)?.[ADD_TOKEN];
    // A job removed in the meantime was ours or is gone: either way nothing else holds this id.
    return { id, duplicate: stored !== undefined && storedToken !== token };
  }

  process(queue: string, handler: JobHandler, opts: { concurrency?: number } = {}): JobWorker {
    const worker = new Worker(
      queue,
      async (job) => {
        await handler({ id: String(job.id), name: job.name, data: job.data, attempt: job.attemptsMade + 1 });
      },
      {
        // Workers block on Redis: BullMQ requires retrying every command forever on this connection.
        connection: { url: this.opts.redisUrl, maxRetriesPerRequest: null },
        prefix: this.prefix,
        concurrency: Math.max(1, opts.concurrency ?? 1),
        ...(this.opts.lockDurationMs !== undefined ? { lockDuration: this.opts.lockDurationMs } : {}),
        ...(this.opts.stalledIntervalMs !== undefined ? { stalledInterval: this.opts.stalledIntervalMs } : {}),
        ...(this.opts.maxStalledCount !== undefined ? { maxStalledCount: this.opts.maxStalledCount } : {}),
      },
    );
    worker.on('error', (err) => this.onError(err));
    this.workers.add(worker);
    return {
      close: async (closeOpts: CloseOptions = {}) => {
        this.workers.delete(worker);
        await worker.close(closeOpts.force === true);
      },
    };
  }

  async counts(queue: string): Promise<JobCounts> {
    const c = await this.queue(queue).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  async failed(queue: string, limit: number): Promise<FailedJob[]> {
    if (limit <= 0) return [];
    const jobs = await this.queue(queue).getFailed(0, limit - 1);
    return jobs.map((job) => ({
      id: String(job.id),
      name: job.name,
      data: job.data,
      attempts: job.attemptsMade,
      error: job.failedReason ?? '',
      failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    }));
  }

  async close(opts: CloseOptions = {}): Promise<void> {
    const workers = [...this.workers];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.close(opts.force === true)));
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((q) => q.close()));
  }

  /**
   * Removes every queue under this instance's prefix with all its jobs (tests clean up with it).
   * Workers of this instance should be closed first.
   */
  async obliterateAll(): Promise<void> {
    const names = new Set<string>(this.queues.keys());
    const client = new Redis(this.opts.redisUrl, { lazyConnect: true });
    try {
      await client.connect();
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) names.add(k.slice(this.prefix.length + 1).split(':')[0]);
      } while (cursor !== '0');
    } finally {
      client.disconnect();
    }
    for (const name of names) await this.queue(name).obliterate({ force: true });
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: { url: this.opts.redisUrl }, prefix: this.prefix });
      q.on('error', (err) => this.onError(err));
      this.queues.set(name, q);
    }
    return q;
  }
}
