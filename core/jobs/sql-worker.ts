import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { backoffDelayMs, errorMessage, type CloseOptions, type JobHandler, type JobWorker } from './job-queue';

/** A job as claimed from the store. `attempt` is 1-based and already counts this run. */
export interface ClaimedJob {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
  maxAttempts: number;
  backoffMs: number;
}

/** The store operations of one queue (core/jobs/sql-queue.ts); `owner` is the claim's fencing token. */
export interface SqlJobStatements {
  claim(limit: number, owner: string): Promise<ClaimedJob[]>;
  /** False when the lease is no longer ours (it expired and another runner took the job over). */
  renew(id: string, owner: string): Promise<boolean>;
  complete(id: string, owner: string): Promise<void>;
  /** `retryInMs` null: no attempts left, the job is dead. */
  fail(id: string, owner: string, error: string, retryInMs: number | null): Promise<void>;
}

export interface SqlJobWorkerOptions {
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  statements: SqlJobStatements;
  wakeups: EventEmitter;
  onError: (err: unknown) => void;
  onClosed: (w: SqlJobWorker) => void;
}

/**
 * Polls one queue and runs up to `concurrency` handlers at once, renewing each claim's lease while its handler
 * runs. Used through SqlJobQueue.process.
 */
export class SqlJobWorker implements JobWorker {
  private running = new Map<string, Promise<void>>();
  private stopped = false;
  /** Set by a forced close: outcomes of handlers still running are never written, as if the process died. */
  private abandoned = false;
  private ticking = false;
  private tickAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  private readonly wake = () => this.tick();

  constructor(
    private readonly queue: string,
    private readonly handler: JobHandler,
    private readonly opts: SqlJobWorkerOptions,
  ) {}

  start(): void {
    this.opts.wakeups.on(this.queue, this.wake);
    this.tick();
  }

  async close(opts: CloseOptions = {}): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.opts.wakeups.off(this.queue, this.wake);
      if (this.timer) clearTimeout(this.timer);
    }
    if (opts.force) {
      this.abandoned = true;
      for (const h of this.heartbeats) clearInterval(h);
      this.heartbeats.clear();
    } else {
      await Promise.all(this.running.values());
    }
    this.opts.onClosed(this);
  }

  /** Claims as many due jobs as there are free slots; re-arms the poll timer when idle. */
  private tick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    void this.claimFree()
      .catch((err) => this.opts.onError(err))
      .then((filledAll) => {
        this.ticking = false;
        if (this.stopped) return;
        if (this.tickAgain || filledAll === true) {
          // Woken during the claim, or every free slot was filled: there may be more due jobs.
          this.tickAgain = false;
          setImmediate(() => this.tick());
          return;
        }
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.tick(), this.opts.pollIntervalMs);
      });
  }

  /** @returns true when every free slot got a job. */
  private async claimFree(): Promise<boolean> {
    const free = this.opts.concurrency - this.running.size;
    if (free <= 0) return false;
    const owner = `${this.queue}:${randomUUID()}`;
    const jobs = await this.opts.statements.claim(free, owner);
    for (const job of jobs) {
      if (this.stopped) break; // claimed during close: the lease expires and another runner takes it
      const run = this.run(job, owner).finally(() => {
        this.running.delete(owner + job.id);
        this.tick();
      });
      this.running.set(owner + job.id, run);
    }
    return jobs.length > 0 && jobs.length === free;
  }

  private async run(job: ClaimedJob, owner: string): Promise<void> {
    const { statements, leaseMs, onError } = this.opts;
    const heartbeat = setInterval(() => {
      statements.renew(job.id, owner).then(
        (ours) => ours || clearInterval(heartbeat),
        (err) => onError(err),
      );
    }, Math.max(10, Math.floor(leaseMs / 3)));
    this.heartbeats.add(heartbeat);
    let error: unknown;
    let ok = false;
    try {
      await this.handler({ id: job.id, name: job.name, data: job.data, attempt: job.attempt });
      ok = true;
    } catch (err) {
      error = err;
    } finally {
      clearInterval(heartbeat);
      this.heartbeats.delete(heartbeat);
    }
    if (this.abandoned) return;
    try {
      if (ok) await statements.complete(job.id, owner);
      else {
        const retryInMs = job.attempt < job.maxAttempts ? backoffDelayMs(job.backoffMs, job.attempt) : null;
        await statements.fail(job.id, owner, errorMessage(error), retryInMs);
      }
    } catch (err) {
      // The outcome could not be written: the lease expires and the job runs again (at-least-once).
      onError(err);
    }
  }
}
