import { randomUUID } from 'node:crypto';
import type { SqlClient, SqlTx } from '../../core/sql/sql-client';
import { deadlineState } from './case-deadlines';
import type {
  CaseAttachment, CaseReminder, CaseRight, CaseSummary, ComplianceRow, DeadlineState, LinkedReport, SubjectCase, TimelineEntry, TimelineKind,
} from './case.types';

/** '*' = every tenant; else the tenants the caller may see. */
export type CaseScope = readonly string[] | '*';

/** The stored columns a change may set (everything else is fixed at creation or written by its own method). */
export interface CaseColumns {
  request_right: CaseRight;
  channel: string | null;
  summary: string | null;
  requester_name: string;
  requester_contact: string | null;
  person_pseudonym: string | null;
  person_masked: string | null;
  identity_method: string | null;
  identity_verified_by: string | null;
  identity_verified_at: Date | null;
  identity_note: string | null;
  answer_due_at: Date;
  extension_months: number;
  extension_reason: string;
  extension_notice_at: Date;
  extension_notice_method: string;
  extended_at: Date;
  extended_by: string;
  processor_requested_at: Date;
  processor_due_at: Date;
  processor_provided_at: Date;
  status: 'open' | 'closed';
  outcome: string;
  closed_at: Date;
  closed_by: string;
  closure_summary: string | null;
}

const SETTABLE = new Set<string>([
  'request_right', 'channel', 'summary', 'requester_name', 'requester_contact', 'person_pseudonym', 'person_masked', 'identity_method',
  'identity_verified_by', 'identity_verified_at', 'identity_note', 'answer_due_at', 'extension_months', 'extension_reason', 'extension_notice_at',
  'extension_notice_method', 'extended_at', 'extended_by', 'processor_requested_at', 'processor_due_at', 'processor_provided_at', 'status', 'outcome',
  'closed_at', 'closed_by', 'closure_summary',
]);

export interface NewCase {
  tenant: string;
  right: CaseRight;
  channel?: string;
  summary?: string;
  requesterName: string;
  requesterContact?: string;
  person?: { pseudonym: string; masked: string };
  identity?: { method: string; verifiedBy: string; verifiedAt: Date; note?: string };
  receivedAt: Date;
  answerDueAt: Date;
  /** Riga year of receipt, for the reference number. */
  year: number;
}

export interface TimelineInput {
  kind: TimelineKind;
  text?: string;
  details?: Record<string, unknown>;
}

export interface CaseFilter {
  tenant?: string;
  status?: 'open' | 'closed';
  right?: CaseRight;
  state?: DeadlineState;
  /** receivedAt at or after / before. */
  from?: Date;
  to?: Date;
  /** Reference, exact or prefix. */
  reference?: string;
  /** Person pseudonym (a DPO searches by person code; the route computes the pseudonym). */
  person?: string;
  sort: 'due' | 'received';
  size: number;
  offset: number;
}

export interface SubjectCaseStore {
  create(c: NewCase, actor: string): Promise<SubjectCase>;
  /** The case when it exists in `scope`. */
  get(id: string, scope: CaseScope): Promise<SubjectCase | undefined>;
  list(f: CaseFilter, scope: CaseScope): Promise<{ cases: CaseSummary[]; total: number }>;
  /** Sets columns and writes one timeline entry, in one transaction. */
  change(id: string, set: Partial<CaseColumns>, entry: TimelineInput, actor: string): Promise<void>;
  addEntry(id: string, entry: TimelineInput, actor: string): Promise<void>;
  addAttachment(id: string, a: { name: string; contentType: string; sha256: string; content: Buffer }, actor: string): Promise<CaseAttachment>;
  attachment(caseId: string, attachmentId: string, scope: CaseScope): Promise<{ meta: CaseAttachment; content: Buffer } | undefined>;
  /** Links a report; false when it was linked already. */
  linkReport(id: string, reportId: string, actor: string): Promise<boolean>;
  /** Deadline compliance per controller; cases received in [from, to) when given. */
  register(scope: CaseScope, opts: { from?: Date; to?: Date }): Promise<ComplianceRow[]>;
  /** Open cases with their answer and processor deadlines (reminder scan). */
  openDeadlines(): Promise<Array<{ id: string; reference: string; tenant: string; answerDueAt: Date; processorDueAt?: Date; processorProvided: boolean }>>;
  /** Records a reminder once; true when this call recorded it (the primary key makes a repeat a no-op). */
  recordReminder(r: Omit<CaseReminder, 'recordedAt' | 'reference' | 'deliveredAt'>): Promise<boolean>;
  reminders(scope: CaseScope, opts: { undeliveredOnly?: boolean; limit: number }): Promise<CaseReminder[]>;
  /** Marks a reminder delivered (for the delivery channel). */
  markDelivered(r: Pick<CaseReminder, 'caseId' | 'deadline' | 'dueAt' | 'offset'>, at: Date): Promise<void>;
}

const iso = (v: unknown): string => new Date(v as string).toISOString();
const isoOpt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : iso(v));
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

type Row = Record<string, any>;

/**
 * The SQL state expression of a case at time $now (the same rule as case-deadlines.ts deadlineState), so that
 * the register counts and the `state` filter are computed in the database.
 */
const STATE_SQL = (now: string, soon: string) => `CASE
  WHEN status = 'closed' AND closed_at <= answer_due_at THEN 'answered-in-time'
  WHEN status = 'closed' THEN 'answered-late'
  WHEN ${now} > answer_due_at THEN 'overdue'
  WHEN ${now} >= answer_due_at - (${soon} * interval '1 day') THEN 'due-soon'
  ELSE 'on-track' END`;

/**
 * Subject-request cases in SQL (PGlite or Postgres through core/sql SqlClient; migration 0075-subject-cases.sql).
 * `clock` gives "now" for the deadline state (tests pin it).
 */
export function createSqlCaseStore(sql: SqlClient, opts: { dueSoonDays: number; clock?: () => Date }): SubjectCaseStore {
  const now = opts.clock ?? (() => new Date());

  function summaryOf(r: Row, at: Date): CaseSummary {
    const answerDue = new Date(r.answer_due_at);
    const closedAt = r.closed_at ? new Date(r.closed_at) : undefined;
    const state = deadlineState({ status: r.status, answerDueAt: answerDue, closedAt }, at, opts.dueSoonDays);
    const processorDue = r.processor_due_at ? new Date(r.processor_due_at) : undefined;
    return {
      id: r.id,
      reference: r.reference,
      tenant: r.tenant,
      right: r.request_right,
      status: r.status,
      channel: opt(r.channel),
      summary: opt(r.summary),
      requester: {
        name: r.requester_name,
        contact: opt(r.requester_contact),
        person: r.person_pseudonym ? { pseudonym: r.person_pseudonym, masked: r.person_masked } : undefined,
      },
      identity: r.identity_method
        ? { method: r.identity_method, verifiedBy: r.identity_verified_by, verifiedAt: iso(r.identity_verified_at), note: opt(r.identity_note) }
        : undefined,
      receivedAt: iso(r.received_at),
      deadlines: {
        answerDueAt: answerDue.toISOString(),
        originalDueAt: iso(r.original_due_at),
        extension: r.extension_months
          ? { months: r.extension_months, reason: r.extension_reason, noticeAt: iso(r.extension_notice_at), noticeMethod: r.extension_notice_method, at: iso(r.extended_at), by: r.extended_by }
          : undefined,
        processorSupport: r.processor_requested_at
          ? { requestedAt: iso(r.processor_requested_at), dueAt: processorDue!.toISOString(), providedAt: isoOpt(r.processor_provided_at) }
          : undefined,
      },
      deadlineState: state,
      processorOverdue: r.status === 'open' && !!processorDue && !r.processor_provided_at && at.getTime() > processorDue.getTime(),
      closure: r.status === 'closed'
        ? { outcome: r.outcome, closedAt: iso(r.closed_at), closedBy: r.closed_by, summary: opt(r.closure_summary), inTime: state === 'answered-in-time' }
        : undefined,
      createdAt: iso(r.created_at),
      createdBy: r.created_by,
      updatedAt: iso(r.updated_at),
      reportCount: Number(r.report_count ?? 0),
      attachmentCount: Number(r.attachment_count ?? 0),
    };
  }

  function scopeClause(scope: CaseScope, params: unknown[], column = 'tenant'): string {
    if (scope === '*') return 'TRUE';
    params.push([...scope]);
    return `${column} = ANY($${params.length}::text[])`;
  }

  async function insertEntry(tx: SqlTx | SqlClient, id: string, e: TimelineInput, actor: string): Promise<void> {
    await tx.query('INSERT INTO subject_case_entries (case_id, actor, kind, text, details) VALUES ($1, $2, $3, $4, $5::jsonb)', [
      id, actor, e.kind, e.text ?? null, JSON.stringify(e.details ?? {}),
    ]);
  }

  const COUNTS = `(SELECT count(*) FROM subject_case_reports r WHERE r.case_id = c.id) AS report_count,
    (SELECT count(*) FROM subject_case_attachments a WHERE a.case_id = c.id) AS attachment_count`;

  const store: SubjectCaseStore = {
    async create(c, actor) {
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        const n = (
          await tx.query<{ n: number }>(
            `INSERT INTO subject_case_counters (tenant, year, n) VALUES ($1, $2, 1)
             ON CONFLICT (tenant, year) DO UPDATE SET n = subject_case_counters.n + 1 RETURNING n`,
            [c.tenant, c.year],
          )
        ).rows[0].n;
        const reference = `DSP-${c.tenant}-${c.year}-${String(n).padStart(4, '0')}`;
        await tx.query(
          `INSERT INTO subject_cases (id, reference, tenant, request_right, status, channel, summary, requester_name, requester_contact,
             person_pseudonym, person_masked, identity_method, identity_verified_by, identity_verified_at, identity_note,
             received_at, answer_due_at, original_due_at, created_by)
           VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17)`,
          [
            id, reference, c.tenant, c.right, c.channel ?? null, c.summary ?? null, c.requesterName, c.requesterContact ?? null,
            c.person?.pseudonym ?? null, c.person?.masked ?? null, c.identity?.method ?? null, c.identity?.verifiedBy ?? null,
            c.identity?.verifiedAt ?? null, c.identity?.note ?? null, c.receivedAt, c.answerDueAt, actor,
          ],
        );
        await insertEntry(tx, id, { kind: 'created', details: { right: c.right, receivedAt: c.receivedAt.toISOString(), answerDueAt: c.answerDueAt.toISOString() } }, actor);
      });
      return (await store.get(id, '*'))!;
    },

    async get(id, scope) {
      const params: unknown[] = [id];
      const where = scopeClause(scope, params);
      const r = await sql.query<Row>(`SELECT c.*, ${COUNTS} FROM subject_cases c WHERE id = $1 AND ${where}`, params);
      if (!r.rows[0]) return undefined;
      const [entries, reports, attachments] = await Promise.all([
        sql.query<Row>('SELECT at, actor, kind, text, details FROM subject_case_entries WHERE case_id = $1 ORDER BY id', [id]),
        sql.query<Row>('SELECT report_id, linked_at, linked_by FROM subject_case_reports WHERE case_id = $1 ORDER BY linked_at, report_id', [id]),
        sql.query<Row>('SELECT id, name, content_type, size, sha256, added_at, added_by FROM subject_case_attachments WHERE case_id = $1 ORDER BY added_at, id', [id]),
      ]);
      const { reportCount: _r, attachmentCount: _a, ...summary } = summaryOf(r.rows[0], now());
      const timeline: TimelineEntry[] = entries.rows.map((e) => ({
        at: iso(e.at), by: e.actor, kind: e.kind, ...(e.text === null ? {} : { text: e.text }), details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details,
      }));
      const linked: LinkedReport[] = reports.rows.map((x) => ({ reportId: x.report_id, linkedAt: iso(x.linked_at), linkedBy: x.linked_by }));
      return { ...summary, reports: linked, attachments: attachments.rows.map(attachmentOf), timeline };
    },

    async list(f, scope) {
      const at = now();
      const params: unknown[] = [];
      const conds = [scopeClause(scope, params)];
      const add = (cond: (p: string) => string, v: unknown) => {
        params.push(v);
        conds.push(cond(`$${params.length}`));
      };
      if (f.tenant) add((p) => `tenant = ${p}`, f.tenant);
      if (f.status) add((p) => `status = ${p}`, f.status);
      if (f.right) add((p) => `request_right = ${p}`, f.right);
      if (f.state) {
        params.push(at, opts.dueSoonDays);
        add((p) => `${STATE_SQL(`$${params.length - 2}::timestamptz`, `$${params.length - 1}::integer`)} = ${p}`, f.state);
      }
      if (f.from) add((p) => `received_at >= ${p}`, f.from);
      if (f.to) add((p) => `received_at < ${p}`, f.to);
      if (f.reference) add((p) => `reference LIKE ${p}`, f.reference.replace(/[\\%_]/g, (m) => `\\${m}`) + '%');
      if (f.person) add((p) => `person_pseudonym = ${p}`, f.person);
      const where = conds.join(' AND ');
      // Open cases first, nearest deadline first; closed ones by closure, newest first.
      const order = f.sort === 'due' ? "CASE WHEN status = 'open' THEN 0 ELSE 1 END, CASE WHEN status = 'open' THEN answer_due_at END ASC, closed_at DESC, id" : 'received_at DESC, id';
      const total = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM subject_cases c WHERE ${where}`, params)).rows[0].n);
      params.push(f.size, f.offset);
      const rows = await sql.query<Row>(`SELECT c.*, ${COUNTS} FROM subject_cases c WHERE ${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
      return { cases: rows.rows.map((r) => summaryOf(r, at)), total };
    },

    async change(id, set, entry, actor) {
      const cols = Object.keys(set);
      for (const c of cols) if (!SETTABLE.has(c)) throw new Error(`column ${c} cannot be changed`);
      await sql.transaction(async (tx) => {
        const values = cols.map((c) => (set as Record<string, unknown>)[c]);
        const assignments = cols.map((c, i) => `${c} = $${i + 2}`);
        assignments.push('updated_at = now()');
        await tx.query(`UPDATE subject_cases SET ${assignments.join(', ')} WHERE id = $1`, [id, ...values]);
        await insertEntry(tx, id, entry, actor);
      });
    },

    async addEntry(id, entry, actor) {
      await sql.transaction(async (tx) => {
        await insertEntry(tx, id, entry, actor);
        await tx.query('UPDATE subject_cases SET updated_at = now() WHERE id = $1', [id]);
      });
    },

    async addAttachment(id, a, actor) {
      const attId = randomUUID();
      let row: Row | undefined;
      await sql.transaction(async (tx) => {
        row = (
          await tx.query<Row>(
            `INSERT INTO subject_case_attachments (id, case_id, name, content_type, size, sha256, content, added_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, name, content_type, size, sha256, added_at, added_by`,
            [attId, id, a.name, a.contentType, a.content.length, a.sha256, a.content, actor],
          )
        ).rows[0];
        await insertEntry(tx, id, { kind: 'attachment', text: a.name, details: { attachmentId: attId, contentType: a.contentType, size: a.content.length, sha256: a.sha256 } }, actor);
        await tx.query('UPDATE subject_cases SET updated_at = now() WHERE id = $1', [id]);
      });
      return attachmentOf(row!);
    },

    async attachment(caseId, attachmentId, scope) {
      const params: unknown[] = [caseId, attachmentId];
      const where = scopeClause(scope, params, 'c.tenant');
      const r = await sql.query<Row>(
        `SELECT a.id, a.name, a.content_type, a.size, a.sha256, a.added_at, a.added_by, a.content
         FROM subject_case_attachments a JOIN subject_cases c ON c.id = a.case_id WHERE a.case_id = $1 AND a.id = $2 AND ${where}`,
        params,
      );
      const row = r.rows[0];
      return row ? { meta: attachmentOf(row), content: Buffer.from(row.content as Uint8Array) } : undefined;
    },

    async linkReport(id, reportId, actor) {
      return sql.transaction(async (tx) => {
        const r = await tx.query('INSERT INTO subject_case_reports (case_id, report_id, linked_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, reportId, actor]);
        if (r.rowCount === 0) return false;
        await insertEntry(tx, id, { kind: 'report-linked', details: { reportId } }, actor);
        await tx.query('UPDATE subject_cases SET updated_at = now() WHERE id = $1', [id]);
        return true;
      });
    },

    async register(scope, o) {
      const params: unknown[] = [now(), opts.dueSoonDays];
      const conds = [scopeClause(scope, params)];
      if (o.from) {
        params.push(o.from);
        conds.push(`received_at >= $${params.length}`);
      }
      if (o.to) {
        params.push(o.to);
        conds.push(`received_at < $${params.length}`);
      }
      const state = STATE_SQL('$1::timestamptz', '$2::integer');
      const r = await sql.query<Row>(
        `SELECT tenant, count(*) AS total,
           count(*) FILTER (WHERE status = 'open') AS open,
           count(*) FILTER (WHERE ${state} = 'overdue') AS overdue,
           count(*) FILTER (WHERE ${state} = 'due-soon') AS due_soon,
           count(*) FILTER (WHERE status = 'closed') AS closed,
           count(*) FILTER (WHERE ${state} = 'answered-in-time') AS in_time,
           count(*) FILTER (WHERE ${state} = 'answered-late') AS late,
           count(*) FILTER (WHERE extension_months IS NOT NULL) AS extended,
           count(*) FILTER (WHERE status = 'open' AND processor_due_at IS NOT NULL AND processor_provided_at IS NULL AND $1::timestamptz > processor_due_at) AS processor_overdue
         FROM subject_cases WHERE ${conds.join(' AND ')} GROUP BY tenant ORDER BY tenant`,
        params,
      );
      return r.rows.map((x) => {
        const closed = Number(x.closed);
        const inTime = Number(x.in_time);
        return {
          tenant: x.tenant, total: Number(x.total), open: Number(x.open), overdue: Number(x.overdue), dueSoon: Number(x.due_soon), closed,
          answeredInTime: inTime, answeredLate: Number(x.late), inTimePercent: closed ? Math.round((inTime / closed) * 1000) / 10 : null,
          extended: Number(x.extended), processorOverdue: Number(x.processor_overdue),
        };
      });
    },

    async openDeadlines() {
      const r = await sql.query<Row>(
        "SELECT id, reference, tenant, answer_due_at, processor_due_at, processor_provided_at FROM subject_cases WHERE status = 'open' ORDER BY answer_due_at",
      );
      return r.rows.map((x) => ({
        id: x.id, reference: x.reference, tenant: x.tenant, answerDueAt: new Date(x.answer_due_at),
        processorDueAt: x.processor_due_at ? new Date(x.processor_due_at) : undefined, processorProvided: !!x.processor_provided_at,
      }));
    },

    async recordReminder(r) {
      return sql.transaction(async (tx) => {
        const ins = await tx.query(
          `INSERT INTO subject_case_reminders (case_id, deadline, due_at, offset_label, tenant, remind_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING`,
          [r.caseId, r.deadline, new Date(r.dueAt), r.offset, r.tenant, new Date(r.remindAt)],
        );
        if (ins.rowCount === 0) return false;
        await insertEntry(tx, r.caseId, { kind: 'reminder', details: { deadline: r.deadline, dueAt: r.dueAt, offset: r.offset } }, 'sargs:case-reminders');
        return true;
      });
    },

    async reminders(scope, o) {
      const params: unknown[] = [];
      const conds = [scopeClause(scope, params, 'm.tenant')];
      if (o.undeliveredOnly) conds.push('m.delivered_at IS NULL');
      params.push(o.limit);
      const r = await sql.query<Row>(
        `SELECT m.*, c.reference FROM subject_case_reminders m JOIN subject_cases c ON c.id = m.case_id
         WHERE ${conds.join(' AND ')} ORDER BY m.recorded_at DESC, m.remind_at DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows.map((x) => ({
        caseId: x.case_id, reference: x.reference, tenant: x.tenant, deadline: x.deadline, dueAt: iso(x.due_at), offset: x.offset_label,
        remindAt: iso(x.remind_at), recordedAt: iso(x.recorded_at), deliveredAt: isoOpt(x.delivered_at),
      }));
    },

    async markDelivered(r, at) {
      await sql.query('UPDATE subject_case_reminders SET delivered_at = $5 WHERE case_id = $1 AND deadline = $2 AND due_at = $3 AND offset_label = $4', [
        r.caseId, r.deadline, new Date(r.dueAt), r.offset, at,
      ]);
    },
  };
  return store;
}

function attachmentOf(r: Row): CaseAttachment {
  return { id: r.id, name: r.name, contentType: r.content_type, size: Number(r.size), sha256: r.sha256, addedAt: iso(r.added_at), addedBy: r.added_by };
}
