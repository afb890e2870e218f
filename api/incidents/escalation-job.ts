import type { Logger } from 'pino';
import type { JobQueue } from '../../core/jobs/job-queue';
import type { IncidentService } from './incident.service';

export const ESCALATION_QUEUE = 'incidents';

/**
 * Runs the incident clock escalations on the JobQueue port (BullMQ or the embedded runner), in processes with the
 * worker role: one `escalate` job per interval bucket, whichever instance adds it first (the bucket's jobId makes
 * the add idempotent across instances and restarts). The job derives everything from the stored clocks
 * (IncidentService.escalate), so a lost queue or a restart never loses a due escalation: the next bucket finds it.
 *
 * @example const stop = startIncidentEscalations({ jobs: rt.jobs, service: ctx.incidents, intervalSeconds: 60, logger });
 */
export function startIncidentEscalations(opts: { jobs: JobQueue; service: Pick<IncidentService, 'escalate'>; intervalSeconds: number; logger?: Logger }): () => Promise<void> {
  const { jobs, service, logger } = opts;
  const worker = jobs.process(ESCALATION_QUEUE, async (job) => {
    if (job.name !== 'escalate') return;
    const sent = await service.escalate();
    if (sent) logger?.info({ sent }, 'incident clock escalations sent');
  });
  const schedule = () => {
    const bucket = Math.floor(Date.now() / (opts.intervalSeconds * 1000));
    void jobs
      .add(ESCALATION_QUEUE, 'escalate', {}, { jobId: `incident-escalations-${bucket}`, attempts: 3, backoffMs: 5_000 })
      .catch((err) => logger?.warn({ err: String(err) }, 'could not schedule incident escalations'));
  };
  schedule();
  const t = setInterval(schedule, opts.intervalSeconds * 1000);
  t.unref();
  return async () => {
    clearInterval(t);
    await worker.close();
  };
}
