/**
 * Subject-request cases on both SQL backends (PGlite and Postgres): deadlines computed and stored, extension rules
 * of GDPR Art. 12(3), processor support within 5 working days, closure in time / late, the compliance register,
 * attachments in the database, person codes never in clear, reminders recorded once, and the reminder job on the
 * JobQueue port (embedded SQL runner).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createPseudonymiser } from '../../collector/pseudonymise';
import { createWorkingCalendar } from '../../core/calendar/working-days';
import { createJobQueue } from '../../core/jobs/create-job-queue';
import type { SqlClient } from '../../core/sql/sql-client';
import { createAuditLog } from '../../core/stores/audit-log';
import { describeWith, openTestSql } from '../../core/testing/services';
import { loadTenants } from '../../core/tenants';
import { eventually } from '../testing/identity-fixture';
import { parseCasePolicy } from './case-policy';
import { startCaseReminderJobs } from './case-reminders';
import { createCases, type Cases } from './create-cases';

// A valid legacy person code (check digit per DOMAIN.md) used as the requester's.
const CODE = '161175-19997';
const policy = parseCasePolicy({
  reminders: { answer: { daysBefore: [7, 2], overdue: true }, 'processor-support': { daysBefore: [1], overdue: true }, at: '09:00' },
  dueSoonDays: 7,
  scanEveryMinutes: 1,
  attachments: { maxBytes: 4096, contentTypes: ['application/pdf', 'text/plain', 'image/png'] },
});

const backends: Array<[string, jest.Describe, () => ReturnType<typeof openTestSql>]> = [
  ['PGlite', describe, () => openTestSql('pglite')],
  ['Postgres', describeWith('postgres'), () => openTestSql('postgres')],
];

for (const [name, describeIt, open] of backends) {
  describeIt(`subject-request cases (${name})`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let cases: Cases;
    let now = new Date('2026-02-02T10:00:00Z');
    const clock = () => now;
    const tenants = loadTenants().byId;
    const make = () =>
      createCases({ sql, audit: createAuditLog(sql), pseudonymiser: createPseudonymiser(key), tenantsById: tenants, policy, calendar: createWorkingCalendar(), clock });
    const key = randomBytes(32);

    beforeAll(async () => {
      ({ sql, drop } = await open());
      cases = make();
    });
    afterAll(async () => {
      await drop?.();
    });

    const newCase = (over: Partial<Parameters<Cases['service']['create']>[0]> = {}) =>
      cases.service.create(
        {
          tenant: 'riga',
          right: 'access',
          receivedAt: new Date('2026-01-31T09:00:00Z'),
          channel: 'e-address',
          summary: `Pieprasa informāciju par piekļuvi saviem datiem (personas kods ${CODE})`,
          requester: { name: 'Jānis Bērziņš', contact: 'janis@example.lv', personCode: CODE },
          identity: { method: 'eparaksts', verifiedAt: new Date('2026-01-31T09:30:00Z') },
          ...over,
        },
        'riga.dpo',
      );

    it('opens a case with its reference and the 1-month deadline (31 Jan 2026 -> 28 Feb is a Saturday -> Monday 2 Mar)', async () => {
      const c = await newCase();
      expect(c.reference).toMatch(/^DSP-riga-2026-\d{4}$/);
      expect(c.deadlines).toMatchObject({ answerDueAt: '2026-03-02T21:59:59.999Z', originalDueAt: '2026-03-02T21:59:59.999Z' });
      expect(c.status).toBe('open');
      expect(c.deadlineState).toBe('on-track');
      expect(c.identity).toEqual({ method: 'eparaksts', verifiedBy: 'riga.dpo', verifiedAt: '2026-01-31T09:30:00.000Z' });
      expect(c.requester.person).toEqual({ pseudonym: createPseudonymiser(key).person(CODE), masked: '161175-*****' });
      expect(c.timeline.map((e) => e.kind)).toEqual(['created']);
      const second = await newCase();
      expect(Number(second.reference.slice(-4))).toBe(Number(c.reference.slice(-4)) + 1);
    });

    it('never stores the person code in clear (cases, timeline, audit trail)', async () => {
      const c = await newCase();
      await cases.service.addNote(c.id, ['riga'], `Zvanīja, nosauca kodu 16117519997 un ${CODE}`, 'riga.dpo');
      const dump = JSON.stringify([
        (await sql.query('SELECT * FROM subject_cases')).rows,
        (await sql.query('SELECT * FROM subject_case_entries')).rows,
        (await sql.query('SELECT * FROM audit_log')).rows,
      ]);
      expect(dump).not.toContain('19997');
      expect(dump).toContain(createPseudonymiser(key).person(CODE));
    });

    it('refuses a bad person code and a controller that is not a municipality, naming the field', async () => {
      await expect(newCase({ requester: { name: 'X', personCode: '161175-19998' } })).rejects.toMatchObject({ status: 400, details: { field: 'requester.personCode', reason: expect.stringMatching(/check digit/) } });
      await expect(newCase({ tenant: 'zzdats' })).rejects.toMatchObject({ status: 400, details: { field: 'tenant', reason: 'not_a_controller' } });
      await expect(newCase({ receivedAt: new Date('2026-03-01T00:00:00Z') })).rejects.toMatchObject({ status: 400, details: { field: 'receivedAt', reason: 'in_future' } });
    });

    it('extends by up to 2 months only with reasons and a notice given within the first month', async () => {
      const c = await newCase();
      const ext = (e: Partial<{ months: number; reason: string; noticeAt: Date; noticeMethod: 'e-mail' }>) =>
        cases.service.extend(c.id, ['riga'], { months: 2, reason: 'Complex request spanning 14 applications', noticeAt: new Date('2026-02-01T10:00:00Z'), noticeMethod: 'e-mail', ...e }, 'riga.dpo');
      await expect(ext({ months: 3 })).rejects.toMatchObject({ status: 400, details: { field: 'months' } });
      await expect(ext({ reason: ' ' })).rejects.toMatchObject({ status: 400, details: { field: 'reason', reason: 'missing_reason' } });
      await expect(ext({ noticeAt: new Date('2026-01-30T10:00:00Z') })).rejects.toMatchObject({ details: { field: 'noticeAt', reason: 'before_receipt' } });
      await expect(ext({ noticeAt: new Date('2026-02-03T10:00:00Z') })).rejects.toMatchObject({ details: { field: 'noticeAt', reason: 'in_future' } });
      // Later: the notice given on 3 March is after the first month (due 2 March).
      now = new Date('2026-03-04T10:00:00Z');
      await expect(ext({ noticeAt: new Date('2026-03-03T10:00:00Z') })).rejects.toMatchObject({ status: 400, details: { field: 'noticeAt', reason: 'notice_after_first_month' } });
      // A notice given in time (1 February) and recorded late is accepted: 31 Jan + 3 months = 30 April (Thursday).
      const e = await ext({});
      expect(e.deadlines.answerDueAt).toBe('2026-04-30T20:59:59.999Z');
      expect(e.deadlines.originalDueAt).toBe('2026-03-02T21:59:59.999Z');
      expect(e.deadlines.extension).toMatchObject({ months: 2, noticeMethod: 'e-mail', by: 'riga.dpo' });
      expect(e.deadlineState).toBe('on-track');
      expect(e.timeline.at(-1)).toMatchObject({ kind: 'extended', details: { months: 2, previousDueAt: '2026-03-02T21:59:59.999Z' } });
      await expect(ext({})).rejects.toMatchObject({ status: 409, code: 'already_extended' });
      now = new Date('2026-02-02T10:00:00Z');
    });

    it('processor support: 5 working days from the request, overdue when not provided', async () => {
      const c = await newCase({ receivedAt: new Date('2026-01-20T09:00:00Z') });
      // Monday 2 Feb 2026 12:00 Riga -> Monday 9 Feb 2026 23:59:59.999 Riga.
      const r = await cases.service.processorSupport(c.id, ['riga'], { event: 'requested', at: new Date('2026-02-02T10:00:00Z') }, 'riga.dpo');
      expect(r.deadlines.processorSupport).toEqual({ requestedAt: '2026-02-02T10:00:00.000Z', dueAt: '2026-02-09T21:59:59.999Z' });
      await expect(cases.service.processorSupport(c.id, ['riga'], { event: 'requested' }, 'riga.dpo')).rejects.toMatchObject({ status: 409 });
      now = new Date('2026-02-10T08:00:00Z');
      expect((await cases.service.get(c.id, ['riga'])).processorOverdue).toBe(true);
      const p = await cases.service.processorSupport(c.id, ['riga'], { event: 'provided' }, 'zzdats.dpo');
      expect(p.processorOverdue).toBe(false);
      expect(p.timeline.at(-1)).toMatchObject({ kind: 'processor-support-provided', by: 'zzdats.dpo', details: { inTime: false } });
      now = new Date('2026-02-02T10:00:00Z');
    });

    it('closes in time or late; the register counts per municipality; filters by deadline state', async () => {
      const fresh = make();
      const s = fresh.service;
      now = new Date('2026-06-16T10:00:00Z');
      const at = (d: string) => new Date(d);
      const mk = (tenant: string, received: string) => s.create({ tenant, right: 'erasure', receivedAt: at(received), requester: { name: 'R' } }, 'dpo');
      const inTime = await mk('ventspils', '2026-05-04T08:00:00Z'); // due 4 June 2026 (Thursday)
      const late = await mk('ventspils', '2026-04-01T08:00:00Z'); // due 1 May holiday -> Monday 4 May holiday -> Tuesday 5 May
      expect(late.deadlines.answerDueAt).toBe('2026-05-05T20:59:59.999Z');
      const overdue = await mk('ventspils', '2026-05-10T08:00:00Z'); // due 10 June (Wednesday), open on 16 June
      const soon = await mk('ventspils', '2026-05-20T08:00:00Z'); // due 22 June (20 June is a Saturday), under 7 days ahead
      await mk('liepaja', '2026-06-01T08:00:00Z');
      const c1 = await s.close(inTime.id, '*', { outcome: 'answered', closedAt: at('2026-06-04T20:00:00Z') }, 'dpo');
      expect(c1.closure).toMatchObject({ outcome: 'answered', inTime: true });
      expect(c1.deadlineState).toBe('answered-in-time');
      const c2 = await s.close(late.id, '*', { outcome: 'partially-fulfilled', closedAt: at('2026-05-06T06:00:00Z') }, 'dpo');
      expect(c2.closure).toMatchObject({ inTime: false });
      await expect(s.close(late.id, '*', { outcome: 'answered' }, 'dpo')).rejects.toMatchObject({ status: 409 });
      await expect(s.addDecision(late.id, '*', { kind: 'grant', text: 'x' }, 'dpo')).rejects.toMatchObject({ status: 409 });
      expect((await s.get(overdue.id, '*')).deadlineState).toBe('overdue');
      expect((await s.get(soon.id, '*')).deadlineState).toBe('due-soon');

      const from = { from: at('2026-03-15T00:00:00Z') };
      const reg = await s.register(['ventspils', 'liepaja'], from);
      expect(reg).toEqual([
        expect.objectContaining({ tenant: 'liepaja', name: 'Liepājas valstspilsēta', total: 1, open: 1, overdue: 0, closed: 0, inTimePercent: null }),
        expect.objectContaining({ tenant: 'ventspils', total: 4, open: 2, overdue: 1, dueSoon: 1, closed: 2, answeredInTime: 1, answeredLate: 1, inTimePercent: 50, extended: 0 }),
      ]);
      expect(await s.register(['liepaja'], from)).toHaveLength(1);
      const list = await s.list({ tenant: 'ventspils', state: 'overdue', sort: 'due', size: 50, offset: 0 }, '*');
      expect(list.cases.map((x) => x.id)).toEqual([overdue.id]);
      const open = await s.list({ status: 'open', sort: 'due', size: 2, offset: 0 }, ['ventspils']);
      expect(open.total).toBe(2);
      expect(open.cases.map((x) => x.id)).toEqual([overdue.id, soon.id]);
      now = new Date('2026-02-02T10:00:00Z');
    });

    it('keeps a case outside the scope hidden', async () => {
      const c = await newCase();
      await expect(cases.service.get(c.id, ['jelgava'])).rejects.toMatchObject({ status: 404 });
      await expect(cases.service.addNote(c.id, ['jelgava'], 'x', 'j')).rejects.toMatchObject({ status: 404 });
      expect((await cases.service.list({ sort: 'due', size: 500, offset: 0 }, ['jelgava'])).total).toBe(0);
    });

    it('stores attachments in the database with their SHA-256; refuses other types, forged types and oversize files', async () => {
      const c = await newCase();
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200)]);
      const a = await cases.service.addAttachment(c.id, ['riga'], { name: 'atbilde.pdf', contentType: 'application/pdf', content: pdf }, 'riga.dpo');
      expect(a).toMatchObject({ name: 'atbilde.pdf', contentType: 'application/pdf', size: pdf.length });
      expect(a.sha256).toBe(require('node:crypto').createHash('sha256').update(pdf).digest('hex'));
      const back = await cases.service.attachment(c.id, a.id, ['riga']);
      expect(back.content.equals(pdf)).toBe(true);
      await expect(cases.service.attachment(c.id, a.id, ['jelgava'])).rejects.toMatchObject({ status: 404 });
      const add = (contentType: string, content: Buffer) => cases.service.addAttachment(c.id, ['riga'], { name: 'x', contentType, content }, 'riga.dpo');
      await expect(add('application/x-msdownload', Buffer.from('MZ'))).rejects.toMatchObject({ status: 415, details: { field: 'content-type', reason: 'not_allowed' } });
      await expect(add('application/pdf', Buffer.from('<html>'))).rejects.toMatchObject({ status: 415, details: { reason: 'signature_mismatch' } });
      await expect(add('text/plain', Buffer.alloc(5000, 'a'))).rejects.toMatchObject({ status: 413, details: { field: 'body', reason: 'too_large' } });
      const got = await cases.service.get(c.id, ['riga']);
      expect(got.attachments).toHaveLength(1);
      expect(got.timeline.at(-1)).toMatchObject({ kind: 'attachment', text: 'atbilde.pdf', details: { sha256: a.sha256 } });
    });

    /** A stored person access report (the table of api/reports, migration 0072), metadata as the reports code writes it. */
    const report = async (controller: string, person: string, caseId: string | null = null) => {
      const id = randomUUID();
      await sql.query(
        `INSERT INTO person_access_reports (id, controller, person, period_from, period_to, generated_by, generated_by_org, reference, case_id, total, content, content_sha256)
         VALUES ($1, $2, $3, now() - interval '1 year', now(), 'riga.dpo', $2, NULL, $4, 0, '{}'::jsonb, 'x')`,
        [id, controller, person, caseId],
      );
      return id;
    };

    it('links reports of the requester and controller once, with the link in the timeline; refuses others', async () => {
      const c = await newCase();
      const me = createPseudonymiser(key).person(CODE);
      const id = await report('riga', me);
      await cases.service.linkReport(c.id, ['riga'], id, 'riga.dpo');
      const again = await cases.service.linkReport(c.id, ['riga'], id, 'riga.dpo');
      expect(again.reports).toEqual([expect.objectContaining({ reportId: id, linkedBy: 'riga.dpo' })]);
      expect(again.timeline.filter((e) => e.kind === 'report-linked')).toHaveLength(1);
      // A ZZ Dats DPO's report ('*') of the same person may be linked too.
      await expect(cases.service.linkReport(c.id, ['riga'], await report('*', me), 'riga.dpo')).resolves.toBeDefined();
      await expect(cases.service.linkReport(c.id, ['riga'], randomUUID(), 'riga.dpo')).rejects.toMatchObject({ status: 400, details: { field: 'reportId', reason: 'unknown_report' } });
      await expect(cases.service.linkReport(c.id, ['riga'], await report('jelgava', me), 'riga.dpo')).rejects.toMatchObject({ details: { reason: 'other_controller' } });
      await expect(cases.service.linkReport(c.id, ['riga'], await report('riga', 'pk_someone_else'), 'riga.dpo')).rejects.toMatchObject({ details: { reason: 'other_person' } });
      // A report produced for the case (its caseId is the reference) is listed with the case until it is linked.
      const produced = await report('riga', me, c.reference);
      expect((await cases.service.get(c.id, ['riga'])).producedReports).toEqual([expect.objectContaining({ reportId: produced, generatedBy: 'riga.dpo' })]);
      expect((await cases.service.linkReport(c.id, ['riga'], produced, 'riga.dpo')).producedReports).toEqual([]);
    });

    it('records each reminder once: 7 and 2 days before, overdue; again after an extension; not for closed cases; across restarts', async () => {
      await sql.query("UPDATE subject_cases SET status = 'closed', outcome = 'withdrawn', closed_at = received_at, closed_by = 'test' WHERE status = 'open'");
      now = new Date('2026-02-02T10:00:00Z');
      const c = await newCase({ tenant: 'jelgava', receivedAt: new Date('2026-02-02T08:00:00Z') }); // due 2 March 2026 (Monday)
      const closed = await newCase({ tenant: 'jelgava', receivedAt: new Date('2026-02-02T08:00:00Z') });
      await cases.service.close(closed.id, ['jelgava'], { outcome: 'withdrawn' }, 'dpo');
      const scan = async (at: string, svc = cases.service) => (await svc.scanReminders(new Date(at))).map((r) => `${r.deadline}:${r.offset}`);
      expect(await scan('2026-02-23T06:59:00Z')).toEqual([]); // 23 Feb 08:59 Riga: before the 7-day reminder
      expect(await scan('2026-02-23T07:00:00Z')).toEqual(['answer:7d']); // 23 Feb 09:00 Riga
      expect(await scan('2026-02-23T07:05:00Z')).toEqual([]);
      // A new process (fresh store and service on the same database) records nothing twice.
      expect(await scan('2026-02-24T07:00:00Z', make().service)).toEqual([]);
      expect(await scan('2026-02-28T07:00:00Z')).toEqual(['answer:2d']);
      expect(await scan('2026-03-02T21:59:59Z')).toEqual([]);
      expect(await scan('2026-03-02T22:00:01Z')).toEqual(['answer:overdue']);
      expect(await scan('2026-03-03T22:00:00Z')).toEqual([]);
      const rem = await cases.service.reminders(['jelgava'], { limit: 10 });
      expect(rem.map((r) => r.offset)).toEqual(['overdue', '2d', '7d']);
      expect(rem.every((r) => r.caseId === c.id && r.reference === c.reference && r.deliveredAt === undefined)).toBe(true);
      const audited = (await sql.query<{ action: string; target: string }>("SELECT action, target FROM audit_log WHERE actor = 'sargs:case-reminders'")).rows;
      expect(audited.filter((a) => a.target === c.id).map((a) => a.action).sort()).toEqual(['case.deadline_overdue', 'case.reminder_due', 'case.reminder_due']);
      const timeline = (await cases.service.get(c.id, ['jelgava'])).timeline.filter((e) => e.kind === 'reminder');
      expect(timeline).toHaveLength(3);
      // Processor support requested: its own reminder the working day before its due date.
      now = new Date('2026-02-05T10:00:00Z');
      const p = await newCase({ tenant: 'jelgava', receivedAt: new Date('2026-02-05T08:00:00Z') });
      await cases.service.processorSupport(p.id, ['jelgava'], { event: 'requested' }, 'dpo'); // Thu 5 Feb -> due Thu 12 Feb
      expect(await scan('2026-02-11T07:00:00Z')).toEqual(['processor-support:1d']);
      // An extension moves the answer deadline: the reminders of the new date are recorded in their turn.
      now = new Date('2026-02-12T10:00:00Z');
      const x = await newCase({ tenant: 'cesu-novads', receivedAt: new Date('2026-02-12T08:00:00Z') }); // due Thu 12 Mar
      const scanX = async (at: string) => (await cases.service.scanReminders(new Date(at))).filter((r) => r.caseId === x.id).map((r) => `${r.offset}@${r.dueAt}`);
      expect(await scanX('2026-03-05T07:00:00Z')).toEqual(['7d@2026-03-12T21:59:59.999Z']);
      now = new Date('2026-03-06T10:00:00Z');
      await cases.service.extend(x.id, ['cesu-novads'], { months: 1, reason: 'Numerous requests from the same person', noticeAt: new Date('2026-03-06T09:00:00Z'), noticeMethod: 'e-address' }, 'dpo');
      expect(await scanX('2026-03-11T07:00:00Z')).toEqual([]); // the old date's 2-day reminder is no longer due
      expect(await scanX('2026-04-06T06:00:00Z')).toEqual(['7d@2026-04-13T20:59:59.999Z']); // 12 Apr is a Sunday -> Monday 13 Apr
      now = new Date('2026-02-02T10:00:00Z');
    });

    it('the reminder job runs the scan through the JobQueue port (embedded SQL runner)', async () => {
      await sql.query("UPDATE subject_cases SET status = 'closed', outcome = 'withdrawn', closed_at = received_at, closed_by = 'test' WHERE status = 'open'");
      now = new Date('2026-02-02T10:00:00Z');
      const c = await newCase({ tenant: 'dobeles-novads', receivedAt: new Date('2025-12-01T08:00:00Z') }); // long overdue
      const jobs = createJobQueue({ sql, embedded: { pollIntervalMs: 50 } });
      const stop = startCaseReminderJobs({ jobs, cases: { scanReminders: () => cases.service.scanReminders(new Date('2026-02-02T10:00:00Z')) }, everyMinutes: 1 });
      try {
        const rows = await eventually(async () => {
          const r = await cases.service.reminders(['dobeles-novads'], { limit: 10 });
          return r.length ? r : undefined;
        });
        expect(rows).toEqual([expect.objectContaining({ caseId: c.id, deadline: 'answer', offset: 'overdue' })]);
      } finally {
        await stop();
        await jobs.close();
      }
    });
  });
}
