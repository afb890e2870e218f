import type { RawRecord } from '../../core/types';

/** Options of a RecordBatcher. */
export interface RecordBatcherOptions {
  /** Hand over a batch once it holds this many records (default 500). */
  maxRecords?: number;
  /** ... or once the oldest record waited this long (default 50 ms). */
  maxDelayMs?: number;
  /**
   * Hands one batch to its destination. Batches are delivered one at a time, in order; the next waits until
   * the promise settles. Must not reject (it decides itself whether to retry or count a drop).
   */
  deliver: (batch: RawRecord[]) => Promise<void>;
}

/**
 * Collects records of one sender and hands them over in batches of up to `maxRecords`, at most `maxDelayMs`
 * after the first one arrived, one batch at a time.
 */
export class RecordBatcher {
  private pending: RawRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly maxRecords: number;
  private readonly maxDelayMs: number;

  constructor(private readonly opts: RecordBatcherOptions) {
    this.maxRecords = opts.maxRecords ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 50;
  }

  /** Records waiting to be handed over (not counting the batch in flight). */
  get backlog(): number {
    return this.pending.length;
  }

  /** Whether nothing is pending and nothing is in flight. */
  get idle(): boolean {
    return this.pending.length === 0 && this.running === undefined;
  }

  add(record: RawRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.maxRecords) this.kick();
    else if (!this.timer && !this.running) this.timer = setTimeout(() => this.kick(), this.maxDelayMs);
  }

  /** Hands over everything pending now; resolves when all of it was delivered. */
  async flush(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.pending.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxRecords);
      await this.opts.deliver(batch);
    }
  }
}
