/**
 * Incident cases end to end over HTTP on the real stores (PGlite and Postgres), the real outbox on the embedded job
 * runner and a real SMTP server: case from alerts, classification aids, clocks, fan-out to municipalities with
 * their own parts and clocks, tenant scoping, review and sending (step-up, a person), delivery stopping the clock,
 * sending by other means, "became aware at" corrected, significant later, escalations once, exports.
 */
import type { SqlClient } from '../../core/sql/sql-client';
import { describeWith, openTestSql } from '../../core/testing/services';
import { startIncidentsApp } from './testing/incidents-test-app';
import { waitFor } from '../../core/delivery/testing/delivery-setups';
import { createAuditLog } from '../../core/stores/audit-log';
import { createIncidentService } from './incident.service';
import { createIncidentStore } from './incident.store';
import { loadIncidentPolicy } from './incident-policy';
import { SqlJobQueue } from '../../core/jobs/sql-queue';
import { ESCALATION_QUEUE, startIncidentEscalations } from './escalation-job';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const answers = (over: Record<string, unknown> = {}) => ({
  serviceDisruptionHours: 0, usersAffected: 40, financialLossEur: 0, maliciousAccess: true, recurrenceCount: 0,
  crossBorder: false, personalDataBreach: true, personalDataReasoning: 'SOPA and PERS records of residents were read by an unauthorised account', ...over,
});

function suite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startIncidentsApp>>;

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql(kind));
    app = await startIncidentsApp(sql);
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const hit = (ruleId: string, eventId: string, ts: string) => ({ ruleId, title: `Rule ${ruleId}`, level: 'high' as const, tags: [], kind: 'rule' as const, count: 1, eventIds: [eventId], timestamp: ts });

  test('a processor incident from alerts, classified, fans out to each municipality with its own part and clocks; scoped per tenant', async () => {
    const [riga] = await app.alerts.record([{ hit: hit('r-bulk', 'e1', new Date().toISOString()), tenant: 'riga', entity: 'x.user' }], 900_000);
    const awareAt = new Date(Date.now() - 2 * HOUR).toISOString();
    const created = await app.call('soc', 'POST', '/api/v1/incidents', {
      title: 'Neatļauta piekļuve SOPA un PERS datiem', description: 'Kompromitēts konts lasīja iedzīvotāju datus', severity: 'high', ownerTenant: 'zzdats', alertIds: [riga.id], awareAt,
      affected: [
        { tenant: 'riga', applications: ['SOPA'], dataCategories: ['social_assistance'], personsAffected: 120, records: 340 },
        { tenant: 'jelgava', applications: ['PERS'], dataCategories: ['residence'], personsAffected: 40 },
      ],
      facts: { indicators: '10.20.30.40', mitigation: 'Konts bloķēts', consequences: 'Iespējama identitātes zādzība', measures: 'Paroles nomainītas' },
    });
    expect(created.status).toBe(201);
    const id = created.body.incident.id;
    expect(created.body.incident.alertIds).toEqual([riga.id]);
    // The alert links back to the case.
    expect((await app.alerts.get(riga.id, '*'))!.comments.map((c) => c.text)).toEqual([expect.stringContaining(`Linked to incident ${id}`)]);
    expect(created.body.clocks).toEqual([]); // nothing applies before classification

    // Bad input names the field; a decision against the aid needs a reason.
    const bad = await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: { ...answers(), usersAffected: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('answers.usersAffected');
    const noReason = await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers(), significant: false });
    expect(noReason).toMatchObject({ status: 400, body: { field: 'overrideReason' } });

    const cls = await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers() });
    expect(cls.status).toBe(200);
    expect(cls.body.incident.classification).toMatchObject({ criteriaMet: ['maliciousAccess'], suggestedSignificant: true, significant: true, by: 'soc.analyst' });
    const keys = cls.body.clocks.map((c: any) => c.key).sort();
    expect(keys).toEqual(['gdpr-dvi:jelgava', 'gdpr-dvi:riga', 'gdpr-processor:jelgava', 'gdpr-processor:riga', 'nis2-early-warning', 'nis2-final', 'nis2-notification']);
    const ew = cls.body.clocks.find((c: any) => c.key === 'nis2-early-warning');
    expect(ew).toMatchObject({ state: 'running', startsAt: awareAt, dueAt: new Date(Date.parse(awareAt) + 24 * HOUR).toISOString() });
    expect(ew.dueRiga).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
    expect(ew.msLeft).toBeGreaterThan(21 * HOUR);

    // Fan-out: one draft per municipality with its own applications, data categories and counts.
    const fan = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/fan-out`, { lang: 'lv' });
    expect(fan.status).toBe(201);
    const byAudience = Object.fromEntries(fan.body.notices.map((n: any) => [n.audience, n]));
    expect(Object.keys(byAudience).sort()).toEqual(['jelgava', 'riga']);
    const rigaText = JSON.stringify(byAudience.riga.content);
    expect(rigaText).toContain('Lietotnes: SOPA. Datu kategorijas: social_assistance. Datu subjekti (aptuveni): 120. Ieraksti (aptuveni): 340.');
    expect(rigaText).not.toContain('PERS');
    expect(byAudience.riga.recipients).toEqual(['dpo@riga.lv']);
    expect(JSON.stringify(byAudience.jelgava.content)).toContain('Datu subjekti (aptuveni): 40.');
    // Fan-out again adds nothing.
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/fan-out`, {})).body.notices).toEqual([]);

    // Riga's officer sees the case, its own part only: no jelgava notice, clock, share or alert ids.
    const asRiga = await app.call('riga', 'GET', `/api/v1/incidents/${id}`);
    expect(asRiga.status).toBe(200);
    expect(asRiga.body.full).toBe(false);
    expect(JSON.stringify(asRiga.body)).not.toContain('jelgava');
    expect(asRiga.body.notices.map((n: any) => n.audience)).toEqual(['riga']);
    expect(asRiga.body.clocks.map((c: any) => c.key).sort()).toEqual(['gdpr-dvi:riga', 'gdpr-processor:riga']);
    expect(asRiga.body.incident.alertIds).toEqual([]);
    const list = await app.call('riga', 'GET', '/api/v1/incidents');
    expect(list.body.incidents.map((x: any) => x.id)).toContain(id);
    expect(list.body.incidents.find((x: any) => x.id === id).affectedTenants).toEqual(['riga']);
    // Jelgava's officer cannot export riga's notice; riga's officer cannot change the processor's case.
    expect((await app.call('jelgava', 'GET', `/api/v1/incidents/${id}/notices/${byAudience.riga.id}/export`)).status).toBe(404);
    expect((await app.call('riga', 'POST', `/api/v1/incidents/${id}/notes`, { text: 'x' })).status).toBe(403);
    expect((await app.call('riga', 'GET', '/api/v1/incidents?tenant=jelgava')).status).toBe(403);

    // Review and send: a person with a fresh second factor; the clock stops when the SMTP server took the mail.
    const notice = byAudience.riga;
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/send`)).status).toBe(409); // not reviewed yet
    expect((await app.call('token', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/review`, { decision: 'approve' }))).toMatchObject({ status: 403, body: { code: 'person_required' } });
    const approved = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/review`, { decision: 'approve', note: 'ok' });
    expect(approved.body).toMatchObject({ status: 'approved', reviewedBy: 'soc.analyst' });
    expect((await app.call('soc-stale', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/send`)).body.code).toBe('step_up_required');
    const sent = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ method: 'outbox', sentBy: 'soc.analyst', recipients: ['dpo@riga.lv'], channel: 'email', contentHash: approved.body.contentHash });
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${notice.id}/send`)).status).toBe(409); // once
    const mail = await waitFor('mail to riga', async () => app.smtp!.accepted.find((m) => m.envelope.to.includes('dpo@riga.lv')));
    expect(mail.text).toContain('Datu subjekti (aptuveni): 120');
    const afterDelivery = await waitFor('riga clock stopped', async () => {
      const d = await app.call('soc', 'GET', `/api/v1/incidents/${id}`);
      return d.body.clocks.find((c: any) => c.key === 'gdpr-processor:riga').stoppedAt ? d.body : undefined;
    });
    const s = afterDelivery.sendings.find((x: any) => x.noticeId === notice.id);
    expect(s).toMatchObject({ state: 'delivered', sentBy: 'soc.analyst', channel: 'email', recipients: ['dpo@riga.lv'] });
    expect(s.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(afterDelivery.clocks.find((c: any) => c.key === 'gdpr-processor:riga')).toMatchObject({ state: 'met', stoppedBy: s.id, stoppedAt: s.deliveredAt });
    // Riga's own 72 h to DVI started when the notice reached it; jelgava's waits for its notice.
    expect(afterDelivery.clocks.find((c: any) => c.key === 'gdpr-dvi:riga')).toMatchObject({ state: 'running', startsAt: s.deliveredAt, tenant: 'riga' });
    expect(afterDelivery.clocks.find((c: any) => c.key === 'gdpr-dvi:jelgava').state).toBe('waiting');
    expect(afterDelivery.timeline.map((e: any) => e.kind)).toEqual(expect.arrayContaining(['created', 'classified', 'notice_drafted', 'notice_approved', 'notice_sent', 'notice_delivered', 'clock']));

    // Riga's DPO drafts, reviews and records its own notice to DVI (sent through DVI's e-form); jelgava cannot.
    expect((await app.call('rigaDpo', 'POST', `/api/v1/incidents/${id}/notices`, { kind: 'nis2-early-warning' })).status).toBe(403);
    expect((await app.call('jelgava', 'POST', `/api/v1/incidents/${id}/notices`, { kind: 'gdpr-controller-to-dvi', audience: 'riga' })).status).toBe(403);
    const dvi = await app.call('rigaDpo', 'POST', `/api/v1/incidents/${id}/notices`, { kind: 'gdpr-controller-to-dvi', audience: 'riga', lang: 'en' });
    expect(dvi.status).toBe(201);
    expect(dvi.body.content.subject).toBe('Notification of a personal data breach: Rīgas valstspilsēta');
    await app.call('rigaDpo', 'POST', `/api/v1/incidents/${id}/notices/${dvi.body.id}/review`, { decision: 'approve' });
    const sentAt = new Date(Date.now() - 60_000).toISOString();
    const rec = await app.call('rigaDpo', 'POST', `/api/v1/incidents/${id}/notices/${dvi.body.id}/sent-elsewhere`, { sentAt, channel: 'dvi-eform', to: ['DVI e-forma'], reference: 'DVI-2026-77' });
    expect(rec.status).toBe(201);
    expect(rec.body).toMatchObject({ method: 'other', state: 'recorded', sentBy: 'riga.dpo', sentAt, channel: 'dvi-eform' });
    const rigaView = await app.call('rigaDpo', 'GET', `/api/v1/incidents/${id}`);
    expect(rigaView.body.clocks.find((c: any) => c.key === 'gdpr-dvi:riga')).toMatchObject({ state: 'met', stoppedAt: sentAt });

    // Exports: JSON with the sendings, PDF with the DejaVu font embedded (Latvian glyphs).
    const j = await app.call('riga', 'GET', `/api/v1/incidents/${id}/notices/${notice.id}/export?format=json`);
    expect(j.headers.get('content-disposition')).toContain('.json');
    expect(j.body.sendings[0].contentHash).toBe(s.contentHash);
    const pdf = await app.call('riga', 'GET', `/api/v1/incidents/${id}/notices/${notice.id}/export?format=pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.bytes.toString('latin1')).toContain('DejaVuSans');

    const audit = (await app.audit.list(100)).filter((a) => a.target === id).map((a) => `${a.actor} ${a.action}`);
    expect(audit).toEqual(expect.arrayContaining(['soc.analyst incident.created', 'soc.analyst incident.classified', 'soc.analyst incident.notice_sent', 'riga.dpo incident.notice_sent_elsewhere', 'sargs incident.notice_delivered']));
  });

  test('CERT.LV portal sending recorded by hand stops the early warning; a correction of "became aware at" moves the clocks; significant later counts from becoming aware', async () => {
    const aware = new Date(Date.now() - 30 * HOUR).toISOString();
    const c = await app.call('soc', 'POST', '/api/v1/incidents', { title: 'VISVARIS nepieejams', severity: 'medium', awareAt: aware });
    expect(c.body.incident.ownerTenant).toBe('zzdats');
    const id = c.body.incident.id;
    const notSig = await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers({ maliciousAccess: false, personalDataBreach: false, personalDataReasoning: 'no personal data involved' }) });
    expect(notSig.body.incident.significant).toBe(false);
    expect(notSig.body.clocks).toEqual([]);
    // Classified significant 30 h after becoming aware: the 24 h early warning is overdue already.
    const sig = await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers({ maliciousAccess: false, serviceDisruptionHours: 6, personalDataBreach: false, personalDataReasoning: 'no personal data involved' }) });
    const ew = sig.body.clocks.find((x: any) => x.key === 'nis2-early-warning');
    expect(ew).toMatchObject({ startsAt: aware, state: 'overdue', step: 'overdue' });

    const bad = await app.call('soc', 'POST', `/api/v1/incidents/${id}`, { awareAt: new Date(Date.parse(aware) + 10 * HOUR).toISOString() });
    expect(bad).toMatchObject({ status: 400, body: { field: 'awareAtReason' } });
    const corrected = new Date(Date.parse(aware) + 10 * HOUR).toISOString();
    const moved = await app.call('soc', 'POST', `/api/v1/incidents/${id}`, { awareAt: corrected, awareAtReason: 'the monitoring alert was seen only at the shift change' });
    expect(moved.body.clocks.find((x: any) => x.key === 'nis2-notification').dueAt).toBe(new Date(Date.parse(corrected) + 72 * HOUR).toISOString());
    expect(moved.body.clocks.find((x: any) => x.key === 'nis2-early-warning').state).toBe('running');
    expect(moved.body.timeline.find((e: any) => e.kind === 'aware_corrected')).toMatchObject({ actor: 'soc.analyst', details: { from: aware, to: corrected, reason: expect.any(String) } });

    const draft = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices`, { kind: 'nis2-early-warning', lang: 'lv' });
    expect(draft.body.recipients).toEqual(['cert@cert.lv']);
    expect(draft.body.content.sections.find((x: any) => x.key === 'malicious').text).toBe('Nav aizdomu par ļaunprātīgu cēloni.');
    // Edit after approval sends it back to draft; recording needs an approved notice.
    await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${draft.body.id}/review`, { decision: 'approve' });
    const edited = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${draft.body.id}`, { channel: 'cert-portal' });
    expect(edited.body.status).toBe('draft');
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${draft.body.id}/sent-elsewhere`, { sentAt: new Date().toISOString(), channel: 'cert-portal', to: ['CERT.LV portāls'] })).status).toBe(409);
    const ok = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${draft.body.id}/review`, { decision: 'approve' });
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    const rec = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${draft.body.id}/sent-elsewhere`, { sentAt: at, channel: 'cert-portal', to: ['CERT.LV portāls'], reference: 'CERT-123' });
    expect(rec.body.contentHash).toBe(ok.body.contentHash);
    const d = await app.call('auditor', 'GET', `/api/v1/incidents/${id}`);
    expect(d.body.clocks.find((x: any) => x.key === 'nis2-early-warning')).toMatchObject({ state: 'met', stoppedAt: at });
    expect(d.body.clocks.find((x: any) => x.key === 'nis2-notification').state).toBe('running');
    expect((await app.call('auditor', 'POST', `/api/v1/incidents/${id}/notes`, { text: 'x' })).status).toBe(403);
  });

  test('escalations: the highest step reached goes to on-call and deputy once; lower steps are recorded, not sent; a second run sends nothing', async () => {
    const aware = new Date(Date.now() - 60_000).toISOString();
    const c = await app.call('riga', 'POST', '/api/v1/incidents', { title: 'Rīgas SOPA datu noplūde', severity: 'high', awareAt: aware });
    expect(c.body.incident.ownerTenant).toBe('riga');
    const id = c.body.incident.id;
    await app.call('riga', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers({ maliciousAccess: false }) });
    const clocks = (await app.call('riga', 'GET', `/api/v1/incidents/${id}`)).body.clocks;
    expect(clocks.map((x: any) => x.key)).toEqual(['gdpr-dvi:riga']);
    const mailsBefore = app.smtp!.accepted.length;
    // 80 % of the 72 h used: the 75 % step (on-call and deputy); 50 % is recorded as passed.
    app.clock.offsetMs = 0.8 * 72 * HOUR;
    try {
      expect(await app.service.escalate()).toBeGreaterThanOrEqual(1);
      expect(await app.service.escalate()).toBe(0);
      const mail = await waitFor('escalation mail', async () => app.smtp!.accepted.slice(mailsBefore).find((m) => m.headers.subject?.includes('Rīgas SOPA') || m.text.includes(id)));
      expect(mail.envelope.to.sort()).toEqual(['dpo@riga.lv', 'drosiba@riga.lv']);
      const d = (await app.call('riga', 'GET', `/api/v1/incidents/${id}`)).body;
      expect(d.clocks[0]).toMatchObject({ step: '75%', escalations: [{ step: '50%', notified: false }, { step: '75%', notified: true }] });
      expect(d.timeline.filter((e: any) => e.kind === 'escalation')).toHaveLength(1);
      const msg = await app.outbox!.byKey(`incident-escalation:${id}:gdpr-dvi:riga:${Date.parse(d.clocks[0].dueAt)}:75%`);
      expect(msg).toBeDefined();

      // Two workers (two service instances on the same database) at 95 %: the 90 % step is recorded and sent once.
      app.clock.offsetMs = 0.95 * 72 * HOUR;
      const other = createIncidentService({ store: createIncidentStore(sql), audit: createAuditLog(sql), policy: loadIncidentPolicy(), tenantName: (t) => t, now: () => Date.now() + app.clock.offsetMs });
      other.attachOutbox(app.outbox!);
      // (other incidents of this database reach steps too: counted per incident below)
      await Promise.all([app.service.escalate(), other.escalate()]);
      const ninety = () => app.smtp!.accepted.filter((m) => m.text.includes(id) && m.text.includes('Step: 90%'));
      await waitFor('90 % mail', async () => (ninety().length ? true : undefined));
      await new Promise((r) => setTimeout(r, 500));
      expect(ninety()).toHaveLength(1);
      const sentFor = await app.outbox!.list({ subjectRef: { kind: 'incident-escalation', id } });
      expect(sentFor.map((r) => r.key.split(':').pop()).sort()).toEqual(['75%', '90%']);
      const after = (await app.call('riga', 'GET', `/api/v1/incidents/${id}`)).body;
      expect(after.timeline.filter((e: any) => e.kind === 'escalation')).toHaveLength(2);
    } finally {
      app.clock.offsetMs = 0;
    }
  });

  test('the escalation job on the JobQueue port finds a clock near its end and escalates it through the outbox', async () => {
    const aware = new Date(Date.now() - 70 * HOUR).toISOString();
    const c = await app.call('jelgava', 'POST', '/api/v1/incidents', { title: 'Jelgavas PERS noplūde', severity: 'medium', awareAt: aware });
    const id = c.body.incident.id;
    await app.call('jelgava', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers({ maliciousAccess: false }) });
    const jobs = new SqlJobQueue({ sql, pollIntervalMs: 50, leaseMs: 2000 });
    const stop = startIncidentEscalations({ jobs, service: app.service, intervalSeconds: 5 });
    try {
      const mail = await waitFor('job escalation mail', async () => app.smtp!.accepted.find((m) => m.text.includes(id)));
      expect(mail.text).toContain('Step: 90%');
      expect(mail.envelope.to.sort()).toEqual(['dpo@jelgava.lv', 'drosiba@jelgava.lv']);
      expect((await jobs.counts(ESCALATION_QUEUE)).completed).toBeGreaterThanOrEqual(1);
    } finally {
      await stop();
      await jobs.close({ force: true });
    }
  });
}

describe('incidents over HTTP (PGlite)', () => suite('pglite'));

describe('a notice the relay refuses (PGlite, SMTP 554)', () => {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startIncidentsApp>>;
  beforeAll(async () => {
    ({ sql, drop } = await openTestSql('pglite'));
    // The first message is refused for good, the next accepted.
    app = await startIncidentsApp(sql, { smtpOnData: (n) => (n === 1 ? { code: 554, message: 'mailbox unavailable' } : 'accept') });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  test('is dead: the clock keeps running, the timeline says so, and the notice can be sent again, once', async () => {
    const c = await app.call('soc', 'POST', '/api/v1/incidents', { title: 'SOPA', severity: 'high', awareAt: new Date(Date.now() - HOUR).toISOString(), affected: [{ tenant: 'riga', applications: ['SOPA'], dataCategories: ['social_assistance'], personsAffected: 3 }] });
    const id = c.body.incident.id;
    await app.call('soc', 'POST', `/api/v1/incidents/${id}/classification`, { answers: answers({ maliciousAccess: false }) });
    const [n] = (await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/fan-out`, {})).body.notices;
    await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${n.id}/review`, { decision: 'approve' });
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${n.id}/send`)).status).toBe(202);
    const dead = await waitFor('dead', async () => {
      const d = (await app.call('soc', 'GET', `/api/v1/incidents/${id}`)).body;
      return d.sendings[0]?.state === 'dead' ? d : undefined;
    });
    expect(dead.sendings[0].lastError).toContain('554');
    expect(dead.clocks.find((x: any) => x.key === 'gdpr-processor:riga')).toMatchObject({ stoppedAt: null, state: 'running' });
    expect(dead.timeline.find((e: any) => e.kind === 'notice_dead').summary).toContain('could not be delivered');
    // Sent again: a new outbox message (a new key), delivered; the clock stops; a third send is refused.
    const again = await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${n.id}/send`);
    expect(again.status).toBe(202);
    await waitFor('stopped', async () => ((await app.call('soc', 'GET', `/api/v1/incidents/${id}`)).body.clocks.find((x: any) => x.key === 'gdpr-processor:riga').stoppedBy === again.body.id ? true : undefined));
    expect((await app.call('soc', 'POST', `/api/v1/incidents/${id}/notices/${n.id}/send`)).status).toBe(409);
    expect(app.smtp!.accepted.filter((m) => m.envelope.to.includes('dpo@riga.lv'))).toHaveLength(1);
  });
});
describeWith('postgres')('incidents over HTTP (Postgres)', () => suite('postgres'));
