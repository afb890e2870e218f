import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors';
import { rigaParts } from '../../core/calendar/riga-time';
import type { WorkingCalendar } from '../../core/calendar/working-days';
import type { AuditLog } from '../../core/stores/audit-log';
import type { Tenant } from '../../core/tenants';
import { validatePersonCode } from '../../collector/person-code';
import type { Pseudonymiser } from '../../collector/pseudonymise';
import type { CasePolicy } from './case-policy';
import { answerDueAt, checkExtension, processorSupportDueAt, reminderTimes } from './case-deadlines';
import type { CaseColumns, CaseFilter, CaseScope, SubjectCaseStore } from './case.store';
import type { ReportLookup } from './report-lookup';
import type {
  CaseAttachment, CaseChannel, CaseOutcome, CaseReminder, CaseRight, ComplianceRow, DecisionKind, IdentityMethod, NoticeMethod, SubjectCase,
} from './case.types';

export interface CaseServiceDeps {
  store: SubjectCaseStore;
  calendar: WorkingCalendar;
  policy: CasePolicy;
  audit: AuditLog;
  pseudonymiser: Pseudonymiser;
  /** policies/tenants.yaml: only municipalities are controllers of cases. */
  tenants: ReadonlyMap<string, Tenant>;
  clock?: () => Date;
  /** Person access reports (api/reports): checked before a link, and listed when produced for the case. */
  reports?: ReportLookup;
  /**
   * Delivery of a recorded reminder (e-mail outbox, when wired). Without one, reminders stay as due notification
   * rows (GET /api/v1/cases/reminders) with their audit entry.
   */
  deliverReminder?: (r: CaseReminder) => Promise<void>;
}

export interface IdentityInput {
  method: IdentityMethod;
  verifiedBy?: string;
  verifiedAt?: Date;
  note?: string;
}

export interface CreateCaseInput {
  tenant: string;
  right: CaseRight;
  receivedAt: Date;
  channel?: CaseChannel;
  summary?: string;
  requester: { name: string; contact?: string; personCode?: string };
  identity?: IdentityInput;
}

export interface UpdateCaseInput {
  right?: CaseRight;
  channel?: CaseChannel | null;
  summary?: string | null;
  requester?: { name?: string; contact?: string | null; personCode?: string | null };
  identity?: IdentityInput | null;
}

/** Tolerance for the clocks of the DPO's machine and the server when a past instant is entered. */
const SKEW_MS = 5 * 60_000;
const REMINDER_ACTOR = 'sargs:case-reminders';

/** Magic numbers of the types that have one: a declared type must match the file's first bytes. */
const SIGNATURES: Record<string, Buffer[]> = {
  'application/pdf': [Buffer.from('%PDF-')],
  'image/png': [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  'image/jpeg': [Buffer.from([0xff, 0xd8, 0xff])],
  'application/vnd.etsi.asic-e+zip': [Buffer.from('PK\x03\x04', 'binary')],
  'application/vnd.oasis.opendocument.text': [Buffer.from('PK\x03\x04', 'binary')],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [Buffer.from('PK\x03\x04', 'binary')],
};

/**
 * The subject-request case service: business rules, deadlines, pseudonymisation, audit. Every change is written to
 * the case's timeline (by the store, in the same transaction) and to Sargs's audit trail (without personal data:
 * ids, tenant, kinds). Routes pass the caller's scope; a case outside it is "not found".
 */
export function createCaseService(deps: CaseServiceDeps) {
  const { store, calendar, policy, audit, pseudonymiser } = deps;
  const now = deps.clock ?? (() => new Date());
  let deliver = deps.deliverReminder;

  const scrub = (s: string | undefined | null) => (s === undefined || s === null ? s : pseudonymiser.scrubText(s));

  function person(code: string, field: string): { pseudonym: string; masked: string } {
    const v = validatePersonCode(code);
    // The reason never repeats the code (personal data).
    if (!v.ok) throw new AppError(400, 'invalid_person_code', `${field}: ${v.reason}`, { field, reason: v.reason });
    return { pseudonym: pseudonymiser.person(v.normalised), masked: `${v.normalised.slice(0, 6)}-*****` };
  }

  function pastInstant(at: Date, field: string, notBefore?: { at: Date; what: string }): Date {
    if (at.getTime() > now().getTime() + SKEW_MS) throw new AppError(400, 'invalid_body', `${field}: must not be in the future`, { field, reason: 'in_future' });
    if (notBefore && at.getTime() < notBefore.at.getTime())
      throw new AppError(400, 'invalid_body', `${field}: must not be before ${notBefore.what}`, { field, reason: 'too_early' });
    return at;
  }

  async function mustGet(id: string, scope: CaseScope): Promise<SubjectCase> {
    const c = await store.get(id, scope);
    if (!c) throw new AppError(404, 'not_found', `case ${id} not found`, { field: 'id' });
    if (deps.reports) {
      const linked = new Set(c.reports.map((r) => r.reportId));
      c.producedReports = (await deps.reports.forCase(c.id, c.reference)).filter((r) => !linked.has(r.id)).map((r) => ({ reportId: r.id, generatedAt: r.generatedAt, generatedBy: r.generatedBy }));
    }
    return c;
  }

  function mustBeOpen(c: SubjectCase): void {
    if (c.status !== 'open') throw new AppError(409, 'case_closed', `case ${c.reference} is closed`, { field: 'status' });
  }

  function identityColumns(i: IdentityInput | null, actor: string): Partial<CaseColumns> {
    if (!i) return { identity_method: null, identity_verified_by: null, identity_verified_at: null, identity_note: null };
    return {
      identity_method: i.method,
      identity_verified_by: i.verifiedBy ?? actor,
      identity_verified_at: pastInstant(i.verifiedAt ?? now(), 'identity.verifiedAt'),
      identity_note: scrub(i.note) ?? null,
    };
  }

  const service = {
    policy,
    calendar,

    /** Sets the delivery channel of recorded reminders (the runtime wires the e-mail outbox once it exists). */
    attachReminderDelivery(fn: (r: CaseReminder) => Promise<void>): void {
      deliver = fn;
    },

    async create(input: CreateCaseInput, actor: string): Promise<SubjectCase> {
      const t = deps.tenants.get(input.tenant);
      if (!t) throw new AppError(400, 'invalid_body', `tenant: unknown tenant ${input.tenant}`, { field: 'tenant', reason: 'unknown' });
      if (t.kind !== 'municipality')
        throw new AppError(400, 'invalid_body', `tenant: the controller of a subject request is a municipality; ${input.tenant} is a ${t.kind}`, { field: 'tenant', reason: 'not_a_controller' });
      pastInstant(input.receivedAt, 'receivedAt');
      const identity = input.identity ? identityColumns(input.identity, actor) : undefined;
      if (identity?.identity_verified_at && identity.identity_verified_at.getTime() < input.receivedAt.getTime() - 30 * 86_400_000)
        throw new AppError(400, 'invalid_body', 'identity.verifiedAt: more than 30 days before the request was received', { field: 'identity.verifiedAt', reason: 'too_early' });
      const due = answerDueAt(calendar, input.receivedAt);
      const c = await store.create(
        {
          tenant: input.tenant,
          right: input.right,
          channel: input.channel,
          summary: scrub(input.summary) ?? undefined,
          requesterName: input.requester.name,
          requesterContact: input.requester.contact,
          person: input.requester.personCode ? person(input.requester.personCode, 'requester.personCode') : undefined,
          identity: identity
            ? { method: identity.identity_method!, verifiedBy: identity.identity_verified_by!, verifiedAt: identity.identity_verified_at!, note: identity.identity_note ?? undefined }
            : undefined,
          receivedAt: input.receivedAt,
          answerDueAt: due,
          year: rigaParts(input.receivedAt).year,
        },
        actor,
      );
      await audit.record(actor, 'case.created', c.id, { tenant: c.tenant, reference: c.reference, right: c.right, answerDueAt: c.deadlines.answerDueAt });
      return c;
    },

    get: (id: string, scope: CaseScope) => mustGet(id, scope),

    list: (f: CaseFilter, scope: CaseScope) => store.list(f, scope),

    async register(scope: CaseScope, opts: { from?: Date; to?: Date }): Promise<ComplianceRow[]> {
      return (await store.register(scope, opts)).map((r) => ({ ...r, name: deps.tenants.get(r.tenant)?.name }));
    },

    reminders: (scope: CaseScope, opts: { undeliveredOnly?: boolean; limit: number }) => store.reminders(scope, opts),

    /** The person-code pseudonym for a search (a DPO types the code; only its pseudonym is compared). */
    personPseudonym: (code: string, field = 'person') => person(code, field).pseudonym,

    async update(id: string, scope: CaseScope, patch: UpdateCaseInput, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      mustBeOpen(c);
      const set: Partial<CaseColumns> = {};
      if (patch.right !== undefined) set.request_right = patch.right;
      if (patch.channel !== undefined) set.channel = patch.channel;
      if (patch.summary !== undefined) set.summary = scrub(patch.summary) ?? null;
      if (patch.requester?.name !== undefined) set.requester_name = patch.requester.name;
      if (patch.requester?.contact !== undefined) set.requester_contact = patch.requester.contact;
      if (patch.requester?.personCode !== undefined) {
        const p = patch.requester.personCode === null ? null : person(patch.requester.personCode, 'requester.personCode');
        set.person_pseudonym = p?.pseudonym ?? null;
        set.person_masked = p?.masked ?? null;
      }
      if (patch.identity !== undefined) Object.assign(set, identityColumns(patch.identity, actor));
      const fields = Object.keys(set);
      if (fields.length === 0) throw new AppError(400, 'invalid_body', 'body: nothing to change', { field: 'body', reason: 'empty' });
      await store.change(id, set, { kind: 'updated', details: { fields, ...(set.identity_method ? { identityMethod: set.identity_method } : {}) } }, actor);
      await audit.record(actor, 'case.updated', id, { tenant: c.tenant, fields });
      return mustGet(id, scope);
    },

    async addNote(id: string, scope: CaseScope, text: string, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      await store.addEntry(id, { kind: 'note', text: scrub(text)! }, actor);
      await audit.record(actor, 'case.note_added', id, { tenant: c.tenant });
      return mustGet(id, scope);
    },

    async addDecision(id: string, scope: CaseScope, d: { kind: DecisionKind; text: string }, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      mustBeOpen(c);
      await store.addEntry(id, { kind: 'decision', text: scrub(d.text)!, details: { decision: d.kind } }, actor);
      await audit.record(actor, 'case.decision_recorded', id, { tenant: c.tenant, decision: d.kind });
      return mustGet(id, scope);
    },

    async addAttachment(id: string, scope: CaseScope, a: { name: string; contentType: string; content: Buffer }, actor: string): Promise<CaseAttachment> {
      const c = await mustGet(id, scope);
      const type = a.contentType.split(';')[0].trim().toLowerCase();
      if (!policy.attachments.contentTypes.includes(type))
        throw new AppError(415, 'unsupported_attachment_type', `content-type: ${type || '(none)'} is not accepted; accepted: ${policy.attachments.contentTypes.join(', ')}`, { field: 'content-type', reason: 'not_allowed' });
      if (a.content.length === 0) throw new AppError(400, 'invalid_attachment', 'body: the file is empty', { field: 'body', reason: 'empty' });
      if (a.content.length > policy.attachments.maxBytes)
        throw new AppError(413, 'attachment_too_large', `body: ${a.content.length} bytes exceed the limit of ${policy.attachments.maxBytes}`, { field: 'body', reason: 'too_large', limit: policy.attachments.maxBytes });
      const sig = SIGNATURES[type];
      if (sig && !sig.some((s) => a.content.subarray(0, s.length).equals(s)))
        throw new AppError(415, 'unsupported_attachment_type', `body: the content is not ${type} (its first bytes do not match)`, { field: 'body', reason: 'signature_mismatch' });
      const sha256 = createHash('sha256').update(a.content).digest('hex');
      const att = await store.addAttachment(id, { name: a.name, contentType: type, sha256, content: a.content }, actor);
      await audit.record(actor, 'case.attachment_added', id, { tenant: c.tenant, attachmentId: att.id, sha256, size: att.size, contentType: type });
      return att;
    },

    async attachment(id: string, attachmentId: string, scope: CaseScope) {
      const a = await store.attachment(id, attachmentId, scope);
      if (!a) throw new AppError(404, 'not_found', `attachment ${attachmentId} of case ${id} not found`, { field: 'attachmentId' });
      return a;
    },

    async linkReport(id: string, scope: CaseScope, reportId: string, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      if (deps.reports) {
        // A report about someone else, or of another controller, must never end up in this requester's answer.
        const r = await deps.reports.get(reportId);
        if (!r) throw new AppError(400, 'invalid_body', `reportId: no person access report ${reportId}`, { field: 'reportId', reason: 'unknown_report' });
        if (r.controller !== '*' && r.controller !== c.tenant)
          throw new AppError(400, 'invalid_body', `reportId: the report is ${r.controller}'s, the case is ${c.tenant}'s`, { field: 'reportId', reason: 'other_controller' });
        if (c.requester.person && r.person !== c.requester.person.pseudonym)
          throw new AppError(400, 'invalid_body', 'reportId: the report is about another person than the requester', { field: 'reportId', reason: 'other_person' });
      }
      if (await store.linkReport(id, reportId, actor)) await audit.record(actor, 'case.report_linked', id, { tenant: c.tenant, reportId });
      return mustGet(id, scope);
    },

    async extend(id: string, scope: CaseScope, e: { months: number; reason: string; noticeAt: Date; noticeMethod: NoticeMethod }, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      const receivedAt = new Date(c.receivedAt);
      checkExtension({ status: c.status, receivedAt, originalDueAt: new Date(c.deadlines.originalDueAt), extended: !!c.deadlines.extension }, e, now());
      const due = answerDueAt(calendar, receivedAt, e.months);
      await store.change(
        id,
        {
          answer_due_at: due, extension_months: e.months, extension_reason: scrub(e.reason)!, extension_notice_at: e.noticeAt,
          extension_notice_method: e.noticeMethod, extended_at: now(), extended_by: actor,
        },
        { kind: 'extended', text: scrub(e.reason)!, details: { months: e.months, answerDueAt: due.toISOString(), previousDueAt: c.deadlines.answerDueAt, noticeAt: e.noticeAt.toISOString(), noticeMethod: e.noticeMethod } },
        actor,
      );
      await audit.record(actor, 'case.extended', id, { tenant: c.tenant, months: e.months, answerDueAt: due.toISOString() });
      return mustGet(id, scope);
    },

    async processorSupport(id: string, scope: CaseScope, ev: { event: 'requested' | 'provided'; at?: Date }, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      mustBeOpen(c);
      const at = ev.at ?? now();
      const ps = c.deadlines.processorSupport;
      if (ev.event === 'requested') {
        if (ps) throw new AppError(409, 'already_requested', `processor support was requested already at ${ps.requestedAt}`, { field: 'event' });
        pastInstant(at, 'at', { at: new Date(c.receivedAt), what: 'the receipt of the request' });
        const due = processorSupportDueAt(calendar, at);
        await store.change(id, { processor_requested_at: at, processor_due_at: due }, { kind: 'processor-support-requested', details: { requestedAt: at.toISOString(), dueAt: due.toISOString() } }, actor);
        await audit.record(actor, 'case.processor_support_requested', id, { tenant: c.tenant, dueAt: due.toISOString() });
      } else {
        if (!ps) throw new AppError(409, 'not_requested', 'processor support was not requested on this case', { field: 'event' });
        if (ps.providedAt) throw new AppError(409, 'already_provided', `processor support was recorded as provided at ${ps.providedAt}`, { field: 'event' });
        pastInstant(at, 'at', { at: new Date(ps.requestedAt), what: 'the request to the processor' });
        const inTime = at.getTime() <= Date.parse(ps.dueAt);
        await store.change(id, { processor_provided_at: at }, { kind: 'processor-support-provided', details: { providedAt: at.toISOString(), dueAt: ps.dueAt, inTime } }, actor);
        await audit.record(actor, 'case.processor_support_provided', id, { tenant: c.tenant, inTime });
      }
      return mustGet(id, scope);
    },

    async close(id: string, scope: CaseScope, cl: { outcome: CaseOutcome; closedAt?: Date; summary?: string }, actor: string): Promise<SubjectCase> {
      const c = await mustGet(id, scope);
      mustBeOpen(c);
      const at = pastInstant(cl.closedAt ?? now(), 'closedAt', { at: new Date(c.receivedAt), what: 'the receipt of the request' });
      const inTime = at.getTime() <= Date.parse(c.deadlines.answerDueAt);
      await store.change(
        id,
        { status: 'closed', outcome: cl.outcome, closed_at: at, closed_by: actor, closure_summary: scrub(cl.summary) ?? null },
        { kind: 'closed', text: scrub(cl.summary) ?? undefined, details: { outcome: cl.outcome, closedAt: at.toISOString(), inTime } },
        actor,
      );
      await audit.record(actor, 'case.closed', id, { tenant: c.tenant, outcome: cl.outcome, inTime });
      return mustGet(id, scope);
    },

    /**
     * The reminder scan (run by the `case-reminders` job): for every open case and each of its deadlines, the
     * latest reminder whose time has come (a before-reminder only while the deadline is ahead; `overdue` once it
     * passed) is recorded once — the store's primary key makes a repeat, another instance or a restart harmless.
     * Each recorded reminder is audited and handed to the delivery channel when one is wired (until it is marked
     * delivered, every scan hands it over again).
     * @returns the reminders this run recorded.
     */
    async scanReminders(at: Date = now()): Promise<CaseReminder[]> {
      const recorded: CaseReminder[] = [];
      for (const c of await store.openDeadlines()) {
        const deadlines: Array<{ deadline: CaseReminder['deadline']; dueAt: Date }> = [{ deadline: 'answer', dueAt: c.answerDueAt }];
        if (c.processorDueAt && !c.processorProvided) deadlines.push({ deadline: 'processor-support', dueAt: c.processorDueAt });
        for (const d of deadlines) {
          const times = reminderTimes(d.dueAt, policy.reminders[d.deadline], policy.reminders.at);
          const due = times.filter((x) => x.remindAt.getTime() <= at.getTime() && (x.offset === 'overdue' || at.getTime() <= d.dueAt.getTime()));
          const latest = due[due.length - 1];
          if (!latest) continue;
          const r = { caseId: c.id, tenant: c.tenant, deadline: d.deadline, dueAt: d.dueAt.toISOString(), offset: latest.offset, remindAt: latest.remindAt.toISOString() };
          if (!(await store.recordReminder(r))) continue;
          const full: CaseReminder = { ...r, reference: c.reference, recordedAt: at.toISOString() };
          recorded.push(full);
          await audit.record(REMINDER_ACTOR, latest.offset === 'overdue' ? 'case.deadline_overdue' : 'case.reminder_due', c.id, { tenant: c.tenant, deadline: d.deadline, dueAt: r.dueAt, offset: r.offset });
        }
      }
      // Hand every reminder not yet handed over to the delivery channel (this run's, and earlier ones whose hand-over
      // failed or whose tenant had no recipients then); the outbox key makes a repeat harmless.
      if (deliver) {
        const failures: unknown[] = [];
        for (const r of await store.reminders('*', { undeliveredOnly: true, limit: 500 })) {
          try {
            await deliver(r);
          } catch (err) {
            failures.push(err);
          }
        }
        if (failures.length) throw new AggregateError(failures, `${failures.length} case reminder(s) not handed to delivery; the next scan tries again`);
      }
      return recorded;
    },
  };
  return service;
}

export type CaseService = ReturnType<typeof createCaseService>;
