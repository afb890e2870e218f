/**
 * The legal clocks of an incident, derived from the case and its recorded sendings (pure functions; stored by
 * incident.store.ts on every change, read by the escalation job). DOMAIN.md "Deadlines":
 *
 * | clock (key)               | applies when                 | starts                                   | due            | stops on a recorded sending of |
 * |---------------------------|------------------------------|------------------------------------------|----------------|--------------------------------|
 * | nis2-early-warning        | significant                  | became aware                             | + 24 h         | early warning or notification  |
 * | nis2-notification         | significant                  | became aware                             | + 72 h         | notification                   |
 * | nis2-final                | significant                  | the notification was sent                | + 1 month      | final report                   |
 * | gdpr-processor:<tenant>   | personal data breach at the processor, per affected municipality | became aware | + policy target (24 h) | processor → controller notice to <tenant> |
 * | gdpr-dvi:<tenant>         | personal data breach, per controller municipality | the municipality became aware | + 72 h | controller → DVI notice of <tenant> |
 *
 * Rules the law leaves to us, stated here and tested (clock-rules.test.ts):
 * - **Significant later**: when the classification changes to significant, the NIS2 clocks are created then but
 *   counted from "became aware at", not from the classification time: the 24 h / 72 h run from becoming aware of
 *   the incident (NIS2 Art. 23(4)), so a late classification may find them already overdue, and shows it.
 * - **"Became aware at" corrected**: every clock that starts from it moves with it (the correction is in the
 *   timeline); escalations already sent for the old due time stay recorded.
 * - **A municipality's 72 h** start when the processor's notice to it was sent (delivered or recorded): a
 *   controller becomes aware when its processor informs it (EDPB Guidelines 9/2022, §§ 43–45). An incident the
 *   municipality runs itself starts its own DVI clock from "became aware at".
 * - A clock stops only on a recorded sending: an outbox record in state delivered (at its delivery time) or a
 *   sending recorded by hand with who, when, channel and hash (at the stated time). Hours are elapsed hours (UTC),
 *   so a 72 h clock across a DST change ends at a different Riga wall-clock hour; the month of the final report
 *   is a calendar month in Riga time (31 January + 1 month = 28/29 February).
 * - A clock whose obligation no longer applies (classification changed back) is kept inactive, for the record.
 */
import { rigaLocalToUtc, rigaParts } from '../../core/calendar/riga-time';
import type { ClockObligation, ClockView, Incident, NoticeKind, Sending, StoredClock } from './incident.types';
import { sentInstant, stopsClock } from './incident.types';

const HOUR = 3_600_000;

/** A sending with what it sent (kind and audience of its notice). */
export type SendingOfNotice = Sending & { kind: NoticeKind; audience: string | null };

export interface ClockRuleOptions {
  processorTenant: string;
  processorToControllerHours: number;
}

/** The instant one calendar month after `at` in Riga wall time (the day clamped to the month's end). */
export function addRigaMonth(at: Date): Date {
  const p = rigaParts(at);
  const month = p.month === 12 ? 1 : p.month + 1;
  const year = p.month === 12 ? p.year + 1 : p.year;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const d = rigaLocalToUtc({ year, month, day: Math.min(p.day, last) }, p.hour * 60 + p.minute);
  return new Date(d.getTime() + p.second * 1000 + (at.getTime() % 1000));
}

/** The earliest stopping sending of one of `kinds` (to `audience` when given) at or after `from`. */
function firstSending(sendings: SendingOfNotice[], kinds: NoticeKind[], audience: string | null | undefined, from?: number): SendingOfNotice | undefined {
  return sendings
    .filter((s) => stopsClock(s) && kinds.includes(s.kind) && (audience === undefined || s.audience === audience))
    .filter((s) => from === undefined || Date.parse(sentInstant(s)) >= from)
    .sort((a, b) => Date.parse(sentInstant(a)) - Date.parse(sentInstant(b)))[0];
}

function clock(key: string, obligation: ClockObligation, tenant: string, start: number | null, dueOf: (start: number) => number, stop?: SendingOfNotice): StoredClock {
  return {
    key,
    obligation,
    tenant,
    startsAt: start === null ? null : new Date(start).toISOString(),
    dueAt: start === null ? null : new Date(dueOf(start)).toISOString(),
    stoppedAt: start !== null && stop ? new Date(sentInstant(stop)).toISOString() : null,
    stoppedBy: start !== null && stop ? stop.id : null,
    active: true,
  };
}

/**
 * Every clock that applies to the incident now, from its "became aware at", classification, affected tenants and
 * recorded sendings. `affectedTenants` exclude the owner.
 */
export function deriveClocks(incident: Pick<Incident, 'awareAt' | 'significant' | 'personalDataBreach' | 'ownerTenant' | 'affected'>, sendings: SendingOfNotice[], opts: ClockRuleOptions): StoredClock[] {
  const aware = Date.parse(incident.awareAt);
  const owner = incident.ownerTenant;
  const out: StoredClock[] = [];
  if (incident.significant) {
    // NIS2 Art. 23(4)(a), (b): from becoming aware, whatever the time of classification.
    out.push(clock('nis2-early-warning', 'nis2-early-warning', owner, aware, (s) => s + 24 * HOUR, firstSending(sendings, ['nis2-early-warning', 'nis2-notification'], undefined)));
    const notification = firstSending(sendings, ['nis2-notification'], undefined);
    out.push(clock('nis2-notification', 'nis2-notification', owner, aware, (s) => s + 72 * HOUR, notification));
    // Art. 23(4)(d): one month after the notification was submitted.
    const finalStart = notification ? Date.parse(sentInstant(notification)) : null;
    out.push(clock('nis2-final', 'nis2-final', owner, finalStart, (s) => addRigaMonth(new Date(s)).getTime(), finalStart === null ? undefined : firstSending(sendings, ['nis2-final'], undefined, finalStart)));
  }
  if (incident.personalDataBreach) {
    const others = [...new Set(incident.affected.map((a) => a.tenant).filter((t) => t !== owner))].sort();
    if (owner === opts.processorTenant) {
      for (const t of others) {
        // GDPR Art. 33(2) "without undue delay": our policy target, not a figure of law.
        const toController = firstSending(sendings, ['gdpr-processor-to-controller'], t);
        out.push(clock(`gdpr-processor:${t}`, 'gdpr-processor-to-controller', owner, aware, (s) => s + opts.processorToControllerHours * HOUR, toController));
        // Art. 33(1): 72 h from the controller becoming aware, i.e. from the processor's notice to it.
        const start = toController ? Date.parse(sentInstant(toController)) : null;
        out.push(clock(`gdpr-dvi:${t}`, 'gdpr-controller-to-dvi', t, start, (s) => s + 72 * HOUR, start === null ? undefined : firstSending(sendings, ['gdpr-controller-to-dvi'], t)));
      }
    } else {
      out.push(clock(`gdpr-dvi:${owner}`, 'gdpr-controller-to-dvi', owner, aware, (s) => s + 72 * HOUR, firstSending(sendings, ['gdpr-controller-to-dvi'], owner)));
    }
  }
  return out;
}

/** "27.10.2026 09:00": a UTC instant on the Riga wall clock. */
export function rigaText(iso: string): string {
  const p = rigaParts(new Date(iso));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(p.day)}.${two(p.month)}.${p.year} ${two(p.hour)}:${two(p.minute)}`;
}

/** The clock as shown at `now`: state, Riga due time, time left, share used and the escalation step reached. */
export function viewClock(c: StoredClock, now: number, steps: Array<{ name: string; at: number }>): ClockView {
  const base = { ...c, dueRiga: c.dueAt ? rigaText(c.dueAt) : null };
  if (!c.active) return { ...base, state: 'inactive', msLeft: null, used: null, step: null, stepRank: 0 };
  if (!c.startsAt || !c.dueAt) return { ...base, state: 'waiting', msLeft: null, used: null, step: null, stepRank: 0 };
  const start = Date.parse(c.startsAt);
  const due = Date.parse(c.dueAt);
  const end = c.stoppedAt ? Date.parse(c.stoppedAt) : now;
  const used = due > start ? (end - start) / (due - start) : 1;
  if (c.stoppedAt) return { ...base, state: end <= due ? 'met' : 'late', msLeft: due - end, used, step: null, stepRank: 0 };
  const step = stepReached(used, steps);
  return { ...base, state: now >= due ? 'overdue' : 'running', msLeft: due - now, used, step: step?.name ?? null, stepRank: step ? steps.indexOf(step) + 1 : 0 };
}

/** The highest step whose share is reached (`used` ≥ at), or undefined. */
export function stepReached<S extends { at: number }>(used: number, steps: S[]): S | undefined {
  let reached: S | undefined;
  for (const s of steps) if (used >= s.at) reached = s;
  return reached;
}
