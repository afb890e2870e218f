/**
 * The case routes on the real app (startSargs, embedded PGlite) with real identities: DPOs, the ZZ Dats DPO, an
 * auditor and a security officer, signed in over HTTP with password + TOTP (cookie session and CSRF token).
 * Tenant scoping, problem+json with field and reason, the full case flow, audit trail and timeline.
 */
import { createHash } from 'node:crypto';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { enrolUser, signIn, type HttpClient } from '../testing/identity-fixture';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const isoAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('subject-request case routes (real app, real identities)', () => {
  let sargs: RunningSargs;
  let rigaDpo: HttpClient;
  let jelgavaDpo: HttpClient;
  let zzDpo: HttpClient;
  let auditor: HttpClient;
  let officer: HttpClient;
  let caseId: string;

  beforeAll(async () => {
    sargs = await startSargs();
    const u = async (tenant: string, username: string, role: any, roleTenant = tenant) =>
      signIn(sargs.url, await enrolUser(sargs, { tenant, username, roles: [{ role, tenant: roleTenant }] }));
    rigaDpo = await u('riga', 'riga-dpo', 'dpo');
    jelgavaDpo = await u('jelgava', 'jelgava-dpo', 'dpo');
    zzDpo = await u('zzdats', 'zz-dpo', 'dpo');
    auditor = await u('zzdats', 'auditor', 'auditor', '*');
    officer = await u('riga', 'riga-officer', 'security-officer');
  });
  afterAll(async () => {
    await sargs?.close();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    tenant: 'riga',
    right: 'access',
    receivedAt: isoAgo(2),
    channel: 'e-address',
    summary: 'Vēlas zināt, kas skatījās viņa deklarētās dzīvesvietas datus',
    requester: { name: 'Anna Kalniņa', contact: 'anna@example.lv', personCode: '161175-19997' },
    identity: { method: 'eparaksts' },
    ...over,
  });

  it('a DPO opens a case for its municipality; bad input is refused with the field and the reason', async () => {
    const r = await rigaDpo.call('POST', '/api/v1/cases', body());
    expect(r.status).toBe(201);
    caseId = r.body.id;
    expect(r.body).toMatchObject({ tenant: 'riga', right: 'access', status: 'open', deadlineState: 'on-track', createdBy: 'riga-dpo' });
    expect(r.body.requester.person.masked).toBe('161175-*****');
    expect(r.text).not.toContain('19997');
    expect(r.body.identity).toMatchObject({ method: 'eparaksts', verifiedBy: 'riga-dpo' });

    const bad = async (b: unknown, field: string, status = 400) => {
      const x = await rigaDpo.call('POST', '/api/v1/cases', b);
      expect(x.status).toBe(status);
      expect(x.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(x.body.field).toBe(field);
      return x.body;
    };
    await bad(body({ right: 'forget-me' }), 'right');
    expect((await bad(body({ requester: { name: 'A', personCode: '161175-19998' } }), 'requester.personCode')).reason).toMatch(/check digit/);
    await bad(body({ receivedAt: 'yesterday' }), 'receivedAt');
    await bad(body({ colour: 'red' }), 'colour');
    expect((await bad(body({ tenant: 'jelgava' }), 'tenant', 403)).code).toBe('tenant_out_of_scope');
  });

  it('keeps cases inside the tenant: another municipality\'s DPO sees nothing; ZZ Dats DPO and the auditor read all', async () => {
    expect((await jelgavaDpo.call('GET', `/api/v1/cases/${caseId}`)).status).toBe(404);
    expect((await jelgavaDpo.call('POST', `/api/v1/cases/${caseId}/notes`, { text: 'x' })).status).toBe(404);
    const list = await jelgavaDpo.call('GET', '/api/v1/cases');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(0);
    expect((await jelgavaDpo.call('GET', '/api/v1/cases?tenant=riga')).status).toBe(403);
    expect((await zzDpo.call('GET', `/api/v1/cases/${caseId}`)).status).toBe(200);
    expect((await zzDpo.call('GET', '/api/v1/cases?tenant=riga')).body.total).toBe(1);
    // Reading every controller's cases does not make ZZ Dats a manager of them.
    expect((await zzDpo.call('POST', `/api/v1/cases/${caseId}/notes`, { text: 'x' })).status).toBe(404);
    expect((await auditor.call('GET', `/api/v1/cases/${caseId}`)).status).toBe(200);
    expect((await auditor.call('POST', `/api/v1/cases/${caseId}/notes`, { text: 'x' })).status).toBe(403);
    expect((await officer.call('GET', '/api/v1/cases')).status).toBe(403);
  });

  it('runs a case: fields, note, decision, attachment, report link, processor support, closure — each in the timeline and audited', async () => {
    const base = `/api/v1/cases/${caseId}`;
    const u = await rigaDpo.call('POST', base, { requester: { contact: '+371 20000000' }, identity: { method: 'smart-id', note: 'Smart-ID kvalificēts paraksts' } });
    expect(u.status).toBe(200);
    expect(u.body.requester.contact).toBe('+371 20000000');
    expect((await rigaDpo.call('POST', base, {})).body.field).toBe('body');
    expect((await rigaDpo.call('POST', base, { receivedAt: isoAgo(40) })).body.field).toBe('receivedAt');

    expect((await rigaDpo.call('POST', `${base}/notes`, { text: 'Pieprasījums saņemts caur e-adresi' })).status).toBe(200);
    expect((await rigaDpo.call('POST', `${base}/decisions`, { kind: 'grant', text: 'Sniegt pilnu piekļuves pārskatu' })).status).toBe(200);

    const pdf = '%PDF-1.4\n% Atbildes vēstule\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n';
    const up = await rigaDpo.call('POST', `${base}/attachments?name=${encodeURIComponent('atbilde 1.pdf')}`, undefined, { raw: pdf, contentType: 'application/pdf' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'atbilde 1.pdf', contentType: 'application/pdf', size: Buffer.byteLength(pdf) });
    const down = await auditor.call('GET', `${base}/attachments/${up.body.id}`);
    expect(down.status).toBe(200);
    expect(down.text).toBe(pdf);
    expect(down.headers.get('x-content-sha256')).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(down.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''atbilde%201.pdf");
    const exe = await rigaDpo.call('POST', `${base}/attachments?name=x.exe`, undefined, { raw: 'MZ', contentType: 'application/x-msdownload' });
    expect(exe.status).toBe(415);
    expect(exe.body).toMatchObject({ field: 'content-type', reason: 'not_allowed' });
    expect((await rigaDpo.call('POST', `${base}/attachments?name=a.pdf`, undefined, { raw: '<html>', contentType: 'application/pdf' })).body.reason).toBe('signature_mismatch');
    expect((await rigaDpo.call('POST', `${base}/attachments?name=../a.pdf`, undefined, { raw: pdf, contentType: 'application/pdf' })).body.field).toBe('name');

    // A person access report of Riga about the requester (the table of api/reports; metadata as it writes it).
    const reportId = '4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    await sargs.runtime.sql.query(
      `INSERT INTO person_access_reports (id, controller, person, period_from, period_to, generated_by, generated_by_org, total, content, content_sha256)
       VALUES ($1, 'riga', $2, now() - interval '1 year', now(), 'riga-dpo', 'riga', 0, '{}'::jsonb, 'x')`,
      [reportId, sargs.runtime.ctx.pseudonymiser.person('161175-19997')],
    );
    expect((await rigaDpo.call('POST', `${base}/reports`, { reportId })).body.reports).toEqual([expect.objectContaining({ reportId })]);
    expect((await rigaDpo.call('POST', `${base}/reports`, { reportId: 'r1' })).body.field).toBe('reportId');

    const ps = await rigaDpo.call('POST', `${base}/processor-support`, { event: 'requested' });
    expect(ps.status).toBe(200);
    expect(Date.parse(ps.body.deadlines.processorSupport.dueAt)).toBeGreaterThan(Date.now() + 5 * DAY);

    const closed = await rigaDpo.call('POST', `${base}/close`, { outcome: 'answered', summary: 'Atbilde nosūtīta uz e-adresi' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', deadlineState: 'answered-in-time', closure: { outcome: 'answered', closedBy: 'riga-dpo', inTime: true } });
    expect((await rigaDpo.call('POST', `${base}/close`, { outcome: 'answered' })).status).toBe(409);

    const c = await rigaDpo.call('GET', base);
    expect(c.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'updated', 'note', 'decision', 'attachment', 'report-linked', 'processor-support-requested', 'closed']);
    expect(c.body.timeline.every((e: { by: string }) => e.by === 'riga-dpo')).toBe(true);
    const audit = (await sargs.runtime.ctx.audit.list(50)).filter((a) => a.target === caseId).map((a) => `${a.actor} ${a.action}`);
    expect(audit.sort()).toEqual(
      ['case.created', 'case.updated', 'case.note_added', 'case.decision_recorded', 'case.attachment_added', 'case.report_linked', 'case.processor_support_requested', 'case.closed']
        .map((a) => `riga-dpo ${a}`)
        .sort(),
    );
  });

  it('refuses an extension whose notice came after the first month, with field and reason; accepts one in time', async () => {
    const late = await rigaDpo.call('POST', '/api/v1/cases', body({ receivedAt: isoAgo(40), requester: { name: 'Pēteris' } }));
    expect(late.body.deadlineState).toBe('overdue');
    const r = await rigaDpo.call('POST', `/api/v1/cases/${late.body.id}/extend`, { months: 2, reason: 'Ļoti sarežģīts pieprasījums', noticeAt: isoAgo(1), noticeMethod: 'e-mail' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ field: 'noticeAt', reason: 'notice_after_first_month' });
    const noReason = await rigaDpo.call('POST', `/api/v1/cases/${late.body.id}/extend`, { months: 2, noticeAt: isoAgo(39), noticeMethod: 'e-mail' });
    expect(noReason.body).toMatchObject({ field: 'reason', reason: 'missing_reason' });
    const ok = await rigaDpo.call('POST', `/api/v1/cases/${late.body.id}/extend`, { months: 2, reason: 'Ļoti sarežģīts pieprasījums', noticeAt: isoAgo(39), noticeMethod: 'e-mail' });
    expect(ok.status).toBe(200);
    expect(ok.body.deadlineState).toBe('on-track');
    expect(ok.body.deadlines.extension).toMatchObject({ months: 2, by: 'riga-dpo' });
  });

  it('lists with filters, shows the register per municipality, and the reminders recorded by the scan', async () => {
    await jelgavaDpo.call('POST', '/api/v1/cases', body({ tenant: 'jelgava', right: 'erasure', receivedAt: isoAgo(45) }));
    const overdue = await zzDpo.call('GET', '/api/v1/cases?state=overdue');
    expect(overdue.body.cases.map((c: { tenant: string }) => c.tenant)).toEqual(['jelgava']);
    expect((await rigaDpo.call('GET', '/api/v1/cases?status=closed')).body.total).toBe(1);
    expect((await rigaDpo.call('GET', '/api/v1/cases?size=0')).body.field).toBe('size');

    const reg = await zzDpo.call('GET', '/api/v1/cases/register');
    expect(reg.status).toBe(200);
    expect(reg.body.rows).toEqual([
      expect.objectContaining({ tenant: 'jelgava', name: 'Jelgavas valstspilsēta', total: 1, open: 1, overdue: 1 }),
      expect.objectContaining({ tenant: 'riga', total: 2, open: 1, closed: 1, answeredInTime: 1, inTimePercent: 100, extended: 1 }),
    ]);
    expect(reg.body.totals).toMatchObject({ total: 3, overdue: 1, inTimePercent: 100 });
    // Search by person code: the code travels in the body and is compared as its pseudonym, within the scope.
    const found = await rigaDpo.call('POST', '/api/v1/cases/search', { personCode: '16117519997' });
    expect(found.body.cases.map((c: { id: string }) => c.id)).toEqual([caseId]);
    expect((await zzDpo.call('POST', '/api/v1/cases/search', { personCode: '161175-19997' })).body.total).toBe(2);
    expect((await jelgavaDpo.call('POST', '/api/v1/cases/search', { personCode: '161175-19997', status: 'open' })).body.cases.map((c: { tenant: string }) => c.tenant)).toEqual(['jelgava']);
    const badCode = await rigaDpo.call('POST', '/api/v1/cases/search', { personCode: '161175-19998' });
    expect(badCode.status).toBe(400);
    expect(badCode.body).toMatchObject({ field: 'personCode', reason: expect.stringMatching(/check digit/) });
    const mine = await rigaDpo.call('GET', '/api/v1/cases/register');
    expect(mine.body.rows.map((r: { tenant: string }) => r.tenant)).toEqual(['riga']);

    await sargs.runtime.ctx.cases.service.scanReminders();
    const rem = await jelgavaDpo.call('GET', '/api/v1/cases/reminders?undelivered=true');
    expect(rem.body.reminders).toEqual([expect.objectContaining({ tenant: 'jelgava', deadline: 'answer', offset: 'overdue' })]);
    expect((await rigaDpo.call('GET', '/api/v1/cases/reminders')).text).not.toContain('jelgava');
  });
});
