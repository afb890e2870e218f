import { AppError } from '../../core/errors';
import { addDays, rigaLocalToUtc, rigaParts } from '../../core/calendar/riga-time';
import type { WorkingCalendar } from '../../core/calendar/working-days';
import type { DeadlineState } from './case.types';

/**
 * The deadlines of a subject request (DOMAIN.md "Deadlines the law and contracts set"), computed with the Latvian
 * calendar (core/calendar/working-days.ts) and stored when the event that sets them is recorded:
 * - answer: 1 month from receipt (GDPR Art. 12(3)), the period ending by Regulation 1182/71 Art. 3 (same date
 *   next month or that month's last day, rolled to the following working day);
 * - extended answer: the same period counted as 1 + m months from receipt (m = 1 or 2 "further months");
 * - processor support: 5 Latvian working days from the controller's request (VPS processing terms), to the end
 *   of the 5th working day after the day of the request.
 */
export const PROCESSOR_SUPPORT_WORKING_DAYS = 5;
export const MAX_EXTENSION_MONTHS = 2;

export function answerDueAt(cal: WorkingCalendar, receivedAt: Date, extensionMonths = 0): Date {
  return cal.addMonths(receivedAt, 1 + extensionMonths);
}

export function processorSupportDueAt(cal: WorkingCalendar, requestedAt: Date): Date {
  return cal.addWorkingDays(requestedAt, PROCESSOR_SUPPORT_WORKING_DAYS);
}

/** Tolerance for clocks of the DPO's machine and the server when a past instant is entered. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Checks an extension of the answer deadline against GDPR Art. 12(3): "may be extended by two further months where
 * necessary, taking into account the complexity and number of the requests. The controller shall inform the data
 * subject of any such extension within one month of receipt of the request, together with the reasons for the
 * delay." One precondition at a time; the first failing one is refused naming its field.
 * @throws AppError 409 (closed case, extended already) or 400 (months, reason, noticeAt, noticeMethod).
 */
export function checkExtension(c: { status: string; receivedAt: Date; originalDueAt: Date; extended: boolean }, ext: { months: number; reason: string; noticeAt: Date; noticeMethod?: string }, now: Date): void {
  if (c.status !== 'open') throw new AppError(409, 'case_closed', 'a closed case cannot be extended', { field: 'status' });
  if (c.extended) throw new AppError(409, 'already_extended', 'the answer deadline was extended already; GDPR Art. 12(3) allows one extension of up to 2 further months in all', { field: 'months' });
  if (!Number.isInteger(ext.months) || ext.months < 1 || ext.months > MAX_EXTENSION_MONTHS)
    throw new AppError(400, 'invalid_extension', 'months: an extension is 1 or 2 further months (GDPR Art. 12(3))', { field: 'months', reason: 'out_of_range' });
  if (!ext.reason || ext.reason.trim().length < 10)
    throw new AppError(400, 'invalid_extension', 'reason: the reasons for the delay are required (GDPR Art. 12(3)), at least 10 characters', { field: 'reason', reason: 'missing_reason' });
  if (!ext.noticeMethod) throw new AppError(400, 'invalid_extension', 'noticeMethod: how the requester was told is required', { field: 'noticeMethod', reason: 'missing_notice' });
  const at = ext.noticeAt.getTime();
  if (at < c.receivedAt.getTime()) throw new AppError(400, 'invalid_extension', 'noticeAt: the notice cannot precede the receipt of the request', { field: 'noticeAt', reason: 'before_receipt' });
  if (at > now.getTime() + CLOCK_SKEW_MS) throw new AppError(400, 'invalid_extension', 'noticeAt: record a notice once it was given, not a planned one', { field: 'noticeAt', reason: 'in_future' });
  if (at > c.originalDueAt.getTime())
    throw new AppError(400, 'invalid_extension', `noticeAt: the requester must be told within one month of receipt (by ${c.originalDueAt.toISOString()}); the deadline can no longer be extended`, {
      field: 'noticeAt',
      reason: 'notice_after_first_month',
      dueAt: c.originalDueAt.toISOString(),
    });
}

/** Where a case stands against its answer deadline at `now` (see DEADLINE_STATES). */
export function deadlineState(c: { status: string; answerDueAt: Date; closedAt?: Date }, now: Date, dueSoonDays: number): DeadlineState {
  if (c.status === 'closed') return c.closedAt && c.closedAt.getTime() <= c.answerDueAt.getTime() ? 'answered-in-time' : 'answered-late';
  if (now.getTime() > c.answerDueAt.getTime()) return 'overdue';
  if (now.getTime() >= c.answerDueAt.getTime() - dueSoonDays * 86_400_000) return 'due-soon';
  return 'on-track';
}

/**
 * The reminders of one deadline: `N` days before at `at` Riga time on the Riga date N calendar days before the
 * deadline's date (DST-safe: computed on local dates), and `overdue` at the deadline itself.
 */
export function reminderTimes(dueAt: Date, rule: { daysBefore: number[]; overdue: boolean }, at: { hour: number; minute: number }): Array<{ offset: string; remindAt: Date }> {
  const p = rigaParts(dueAt);
  const dueDate = { year: p.year, month: p.month, day: p.day };
  const out = rule.daysBefore.map((n) => ({ offset: `${n}d`, remindAt: rigaLocalToUtc(addDays(dueDate, -n), at.hour * 60 + at.minute) }));
  if (rule.overdue) out.push({ offset: 'overdue', remindAt: new Date(dueAt.getTime() + 1) });
  return out.sort((a, b) => a.remindAt.getTime() - b.remindAt.getTime());
}
