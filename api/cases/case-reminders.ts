import type { Logger } from 'pino';
import type { JobQueue } from '../../core/jobs/job-queue';
import type { Outbox } from '../../core/delivery/outbox.types';
import { formatRiga } from './case-format';
import type { CaseService } from './case.service';
import type { SubjectCaseStore } from './case.store';
import type { CaseReminder } from './case.types';

/** The queue of the reminder scan (JobQueue port: BullMQ on Redis, or the in-process SQL runner). */
export const CASE_REMINDER_QUEUE = 'case-reminders';

/**
 * Runs the reminder scan as durable jobs: one `scan` job per interval slot, whichever instance adds it first (the
 * slot's jobId makes the add idempotent across instances and restarts); each scan records the reminders that came
 * due (CaseService.scanReminders, itself idempotent). Call in processes with the worker role.
 *
 * @example const stop = startCaseReminderJobs({ jobs: rt.jobs, cases: ctx.cases.service, everyMinutes: 15, logger }); … await stop();
 */
export function startCaseReminderJobs(deps: { jobs: JobQueue; cases: Pick<CaseService, 'scanReminders'>; everyMinutes: number; logger?: Logger }): () => Promise<void> {
  const everyMs = deps.everyMinutes * 60_000;
  const worker = deps.jobs.process(CASE_REMINDER_QUEUE, async (job) => {
    if (job.name !== 'scan') return;
    const recorded = await deps.cases.scanReminders();
    if (recorded.length) deps.logger?.info({ reminders: recorded.length }, 'case reminders recorded');
  });
  const schedule = async () => {
    const slot = Math.floor(Date.now() / everyMs);
    await deps.jobs
      .add(CASE_REMINDER_QUEUE, 'scan', {}, { jobId: `scan-${deps.everyMinutes}m-${slot}`, attempts: 3, backoffMs: 30_000 })
      .catch((err) => deps.logger?.warn({ err: String(err) }, 'could not schedule the case reminder scan'));
  };
  void schedule();
  const timer = setInterval(() => void schedule(), Math.min(everyMs, 60_000));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await worker.close();
  };
}

const DEADLINE_TEXT = {
  answer: { lv: 'atbilde datu subjektam (VDAR 12. panta 3. punkts)', en: 'answer to the data subject (GDPR Art. 12(3))' },
  'processor-support': { lv: 'apstrādātāja (ZZ Dats) atbalsts', en: "processor's (ZZ Dats) support" },
} as const;

/**
 * A delivery channel for recorded reminders through the outbox (core/delivery): one e-mail per reminder to the
 * controller's recipients, keyed `case-reminder:<caseId>:<deadline>:<dueAt>:<offset>` so that a repeat enqueues
 * nothing; the reminder row is marked handed over. No recipients for a tenant: the reminder stays a due
 * notification row (GET /api/v1/cases/reminders). The text names the case reference and deadline, never the
 * requester (personal data stays in Sargs).
 */
export function outboxReminderDelivery(deps: { outbox: Outbox; store: Pick<SubjectCaseStore, 'markDelivered'>; recipients: (tenant: string) => string[]; publicUrl: string }) {
  return async (r: CaseReminder): Promise<void> => {
    const to = deps.recipients(r.tenant);
    if (to.length === 0) return;
    const when = formatRiga(r.dueAt);
    const d = DEADLINE_TEXT[r.deadline];
    const overdue = r.offset === 'overdue';
    const subject = overdue ? `Nokavēts termiņš / Deadline missed: ${r.reference}` : `Atgādinājums / Reminder: ${r.reference}, ${when}`;
    const link = `${deps.publicUrl.replace(/\/$/, '')}/cases.html#${r.caseId}`;
    const text = [
      overdue ? `Lietas ${r.reference} termiņš (${d.lv}) bija ${when} un ir nokavēts.` : `Lietas ${r.reference} termiņš (${d.lv}): ${when}.`,
      overdue ? `The deadline of case ${r.reference} (${d.en}) was ${when} and has passed.` : `Case ${r.reference} deadline (${d.en}): ${when}.`,
      '',
      link,
    ].join('\n');
    await deps.outbox.enqueue({
      key: `case-reminder:${r.caseId}:${r.deadline}:${r.dueAt}:${r.offset}`,
      channel: 'email',
      to,
      subject,
      text,
      tenant: r.tenant,
      subjectRef: { kind: 'subject-case', id: r.caseId },
    });
    await deps.store.markDelivered(r, new Date());
  };
}
