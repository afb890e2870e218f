import { AppError } from '../errors';
import { uniqueName } from '../testing/services';
import type { JobInfo, JobQueue } from './job-queue';

/**
 * A fresh JobQueue instance on the store of the suite: every call within one suite must reach the same
 * store (so a second instance sees the jobs of the first), with short intervals (lease/lock about 0.5-1 s,
 * polling ≤ 100 ms). `cleanup` must force-close the instance (some handlers never finish).
 */
export type MakeJobQueue = () => Promise<{ queue: JobQueue; cleanup: () => Promise<void> }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Scheduling tolerance: timers and the two clocks (Node, database/Redis) may disagree by a few ms. */
const SLACK_MS = 40;

/**
 * The one contract every JobQueue adapter passes (core/jobs/job-queue.ts), run against each adapter by
 * core/jobs/job-queue.int.test.ts. Each case uses its own queue name.
 */
export function runJobQueueContract(name: string, makeQueue: MakeJobQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    let open: Array<() => Promise<void>> = [];
    const make = async () => {
      const made = await makeQueue();
      open.push(made.cleanup);
      return made.queue;
    };
    afterEach(async () => {
      const cleanups = open;
      open = [];
      for (const c of cleanups) await c();
    });

    it('runs an added job once, with its name, data and attempt 1', async () => {
      const q = await make();
      const queue = uniqueName('once');
      const seen: JobInfo[] = [];
      q.process(queue, async (job) => {
        seen.push(job);
      });
      const { id, duplicate } = await q.add(queue, 'build-report', { requestId: 'r-1', n: 2 });
      expect(duplicate).toBe(false);
      await waitFor('completion', async () => (await q.counts(queue)).completed === 1);
      await sleep(300);
      expect(seen).toEqual([{ id, name: 'build-report', data: { requestId: 'r-1', n: 2 }, attempt: 1 }]);
      expect(await q.counts(queue)).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 0 });
    });

    it('treats a second add with the same jobId as a duplicate, also when racing and after completion', async () => {
      const q = await make();
      const queue = uniqueName('dedupe');
      const first = await q.add(queue, 'notify', { v: 1 }, { jobId: 'incident-7' });
      const second = await q.add(queue, 'notify', { v: 2 }, { jobId: 'incident-7' });
      expect(first).toEqual({ id: 'incident-7', duplicate: false });
      expect(second).toEqual({ id: 'incident-7', duplicate: true });
      const raced = await Promise.all([1, 2, 3].map((v) => q.add(queue, 'notify', { v }, { jobId: 'incident-8' })));
      expect(raced.filter((r) => !r.duplicate)).toHaveLength(1);
      const runs: Array<[string, unknown]> = [];
      q.process(queue, async (job) => {
        runs.push([job.id, job.data]);
      });
      await waitFor('both jobs', async () => (await q.counts(queue)).completed === 2);
      expect((await q.add(queue, 'notify', { v: 3 }, { jobId: 'incident-7' })).duplicate).toBe(true);
      await sleep(300);
      expect(runs.filter(([id]) => id === 'incident-7')).toEqual([['incident-7', { v: 1 }]]);
      expect(runs.filter(([id]) => id === 'incident-8')).toHaveLength(1);
    });

    it('does not run a delayed job before its delay', async () => {
      const q = await make();
      const queue = uniqueName('delay');
      let ranAt = 0;
      q.process(queue, async () => {
        ranAt = Date.now();
      });
      const addedAt = Date.now();
      await q.add(queue, 'later', null, { delayMs: 700 });
      const c = await q.counts(queue);
      expect(c.delayed + c.waiting).toBe(1);
      expect(c.delayed).toBe(1);
      await waitFor('delayed run', () => ranAt > 0);
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(700 - SLACK_MS);
    });

    it('retries a failing handler with exponential backoff until it succeeds', async () => {
      const q = await make();
      const queue = uniqueName('retry');
      const runs: Array<{ attempt: number; at: number }> = [];
      q.process(queue, async (job) => {
        runs.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`transient failure ${job.attempt}`);
      });
      await q.add(queue, 'flaky', { x: 1 }, { attempts: 4, backoffMs: 200 });
      await waitFor('completion', async () => (await q.counts(queue)).completed === 1);
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      // backoffMs · 2^(n-1) after the n-th failure: 200 ms, then 400 ms.
      expect(runs[1].at - runs[0].at).toBeGreaterThanOrEqual(200 - SLACK_MS);
      expect(runs[2].at - runs[1].at).toBeGreaterThanOrEqual(400 - SLACK_MS);
      expect(await q.failed(queue, 10)).toEqual([]);
    });

    it('fails a job after its last attempt, keeping the last error (dead letter)', async () => {
      const q = await make();
      const queue = uniqueName('dead');
      let runs = 0;
      q.process(queue, async (job) => {
        runs += 1;
        throw new Error(`mail server refused (run ${job.attempt})`);
      });
      const { id } = await q.add(queue, 'send', { to: 'dpo' }, { attempts: 2, backoffMs: 50 });
      await waitFor('dead letter', async () => (await q.counts(queue)).failed === 1);
      const dead = await q.failed(queue, 10);
      expect(dead).toEqual([
        { id, name: 'send', data: { to: 'dpo' }, attempts: 2, error: 'mail server refused (run 2)', failedAt: expect.any(Date) },
      ]);
      await sleep(200);
      expect(runs).toBe(2);
      expect(await q.counts(queue)).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 1 });
    });

    it('keeps an unprocessed job across close: a new instance on the same store runs it', async () => {
      const queue = uniqueName('durable');
      const q1 = await make();
      const { id } = await q1.add(queue, 'reindex', { index: 'logs' });
      await q1.close();
      const q2 = await make();
      const seen: string[] = [];
      q2.process(queue, async (job) => {
        seen.push(job.id);
      });
      await waitFor('run on the new instance', () => seen.length === 1);
      expect(seen).toEqual([id]);
    });

    it('runs a job again on another instance when its runner died mid-run (at-least-once)', async () => {
      const queue = uniqueName('crash');
      const q1 = await make();
      let started = 0;
      q1.process(queue, () => {
        started += 1;
        return new Promise<void>(() => undefined); // never settles: the process "dies" below
      });
      const { id } = await q1.add(queue, 'export', { big: true });
      await waitFor('first run to start', () => started === 1);
      await q1.close({ force: true });
      const q2 = await make();
      const reruns: JobInfo[] = [];
      q2.process(queue, async (job) => {
        reruns.push(job);
      });
      await waitFor('the take-over', () => reruns.length === 1, 15_000);
      // A take-over is not a failed attempt: the handler did not throw.
      expect(reruns).toEqual([{ id, name: 'export', data: { big: true }, attempt: 1 }]);
      await waitFor('completion', async () => (await q2.counts(queue)).completed === 1);
      expect(started).toBe(1);
    });

    it('runs up to `concurrency` handlers at once (default 1)', async () => {
      const q = await make();
      for (const concurrency of [undefined, 3]) {
        const queue = uniqueName('conc');
        let now = 0;
        let max = 0;
        for (let i = 0; i < 6; i++) await q.add(queue, 'work', { i });
        q.process(
          queue,
          async () => {
            now += 1;
            max = Math.max(max, now);
            await sleep(150);
            now -= 1;
          },
          concurrency ? { concurrency } : {},
        );
        await waitFor('all six', async () => (await q.counts(queue)).completed === 6);
        expect(max).toBe(concurrency ?? 1);
      }
    });

    it('rejects bad add arguments with a 400 naming the field', async () => {
      const q = await make();
      const queue = uniqueName('bad');
      await expect(q.add(queue, 'x', {}, { attempts: 0 })).rejects.toMatchObject({ status: 400, details: { field: 'attempts' } });
      await expect(q.add(queue, 'x', {}, { delayMs: -1 })).rejects.toBeInstanceOf(AppError);
      await expect(q.add('bad queue:name', 'x', {})).rejects.toMatchObject({ details: { field: 'queue' } });
      expect(await q.counts(queue)).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
    });
  });
}
