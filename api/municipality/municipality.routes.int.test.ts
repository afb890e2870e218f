/**
 * The municipality view over HTTP (issue 5), the real app with real identities (users signed in with password and
 * TOTP), on the embedded setup (PGlite) and on the real services (Elasticsearch + Postgres): events shipped through
 * the intake API, the same answers from both.
 */
import { backends } from '../testing/backends';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { enrolUser, eventually, httpClient, signIn, type HttpClient } from '../testing/identity-fixture';
import { createMonthlyReports } from './monthly-reports';
import { loadTenants } from '../../core/tenants';
import { CROSS_ACCESS_LINES as LINES, personCode } from './cross-access-fixture';

jest.setTimeout(240_000);

for (const b of backends) {
  b.describe(`municipality view over HTTP — ${b.name}`, () => {
    let sargs: RunningSargs;
    const c = {} as Record<'jurmalaReviewer' | 'jurmalaDpo' | 'rigaReviewer' | 'rigaOfficer' | 'soc' | 'norole', HttpClient>;
    let jurmalaReviewerId: string;
    let admin: HttpClient;

    beforeAll(async () => {
      sargs = await startSargs({ env: await b.env() });
      const specs = [
        ['jurmalaReviewer', 'jurmala', [{ role: 'municipality-reviewer', tenant: 'jurmala' }]],
        ['jurmalaDpo', 'jurmala', [{ role: 'dpo', tenant: 'jurmala' }]],
        ['rigaReviewer', 'riga', [{ role: 'municipality-reviewer', tenant: 'riga' }]],
        ['rigaOfficer', 'riga', [{ role: 'security-officer', tenant: 'riga' }]],
        ['soc', 'zzdats', [{ role: 'soc-analyst', tenant: '*' }]],
        ['norole', 'jurmala', []],
      ] as const;
      for (const [who, tenant, roles] of specs) {
        const u = await enrolUser(sargs, { tenant, username: `mv-${who.toLowerCase()}`, roles: [...roles] });
        if (who === 'jurmalaReviewer') jurmalaReviewerId = u.id;
        c[who] = await signIn(sargs.url, u);
      }
      admin = httpClient(sargs.url, { bearer: sargs.adminToken });
      const collector = httpClient(sargs.url, { bearer: sargs.collectorToken });
      const r = await collector.call('post', '/api/v1/ingest?parser=vps_audit', undefined, { raw: LINES.join('\n') + '\n', contentType: 'application/x-ndjson' });
      expect(r.status).toBe(200);
      expect(r.body.created + r.body.spooled).toBe(LINES.length);
      await eventually(async () => (await admin.call('get', '/api/v1/events/count?from=2026-03-01T00:00:00Z&to=2026-10-01T00:00:00Z')).body?.count === LINES.length);
      await sargs.runtime.ctx.events.refresh();
    });
    afterAll(async () => sargs?.close());

    it('shows who from other organisations read the residents\' data, by organisation × application × category, with outliers', async () => {
      const r = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09');
      expect(r.status).toBe(200);
      const v = r.body;
      expect(v.period).toEqual({ from: '2026-08-31T21:00:00.000Z', to: '2026-09-30T21:00:00.000Z' });
      expect(v.history.unit).toBe('months');
      expect(v.history.windows[0].from).toBe('2026-02-28T22:00:00.000Z'); // 1 March, Riga winter time
      expect(v.totals).toEqual({ accesses: 68, organizations: 3, outlierOrganizations: 2 });
      expect(v.rows.map((x: any) => [x.organization, x.kind, x.application, x.dataCategory, x.accesses, x.distinctPersons, x.distinctUsers])).toEqual([
        ['riga', 'other-municipality', 'SOPA', 'social_assistance', 60, 60, 3],
        ['vid', 'state-institution', 'NINO', 'tax', 5, 5, 1],
        ['vp', 'state-institution', 'ENZ', 'vehicle', 3, 3, 1],
      ]);
      const riga = v.organizations.find((o: any) => o.organization === 'riga');
      expect(riga.name).toBe('Rīgas valstspilsēta');
      expect(riga.history).toEqual([10, 10, 10, 10, 10, 10]);
      expect(riga.outliers.map((f: any) => f.text.en)).toEqual(['6× its 6-month median (10)', 'distinct persons 6× its 6-month median (10)']);
      expect(riga.outliers[0].text.lv).toBe('6× pret savu 6 mēnešu mediānu (10)');
      expect(v.organizations.find((o: any) => o.organization === 'vp').outliers[0]).toMatchObject({ test: 'new', text: { en: 'new: never accessed before (previous 6 months)' } });
      expect(v.organizations.find((o: any) => o.organization === 'vid').outliers).toEqual([]);
      expect(v.rows[0].outliers.length).toBeGreaterThan(0);
    });

    it('is tenant-scoped: a reviewer of one municipality cannot see another\'s view', async () => {
      expect((await c.rigaReviewer.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09')).status).toBe(403);
      expect((await c.rigaOfficer.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09')).status).toBe(403);
      expect((await c.norole.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09')).status).toBe(403);
      expect((await c.jurmalaReviewer.call('get', '/api/v1/municipality/riga/cross-access?month=2026-09')).status).toBe(403);
      expect((await c.jurmalaReviewer.call('get', '/api/v1/municipality/riga/cross-access/events?month=2026-09&organization=jurmala')).status).toBe(403);
      expect((await c.jurmalaReviewer.call('get', '/api/v1/municipality/riga/reports')).status).toBe(403);
      // Riga's reviewer sees Riga's residents only: Jūrmala's residents' events are not in it.
      const own = await c.rigaReviewer.call('get', '/api/v1/municipality/riga/cross-access?month=2026-09');
      expect(own.status).toBe(200);
      expect(own.body.rows).toEqual([]);
      // The DPO of the municipality and the SOC (platform-wide) may review it.
      expect((await c.jurmalaDpo.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09')).body.totals.accesses).toBe(68);
      expect((await c.soc.call('get', '/api/v1/municipality/jurmala/cross-access?month=2026-09')).body.totals.accesses).toBe(68);
      // A state institution has no residents: refused with the reason.
      const vid = await c.soc.call('get', '/api/v1/municipality/vid/cross-access');
      expect(vid.status).toBe(400);
      expect(vid.body).toMatchObject({ field: 'tenant', code: 'invalid_tenant' });
    });

    it('drills down to the events of a row, and refuses the municipality\'s own staff and bad input with the field', async () => {
      const r = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/cross-access/events?month=2026-09&organization=riga&app=SOPA&dataCategory=social_assistance&size=50');
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(60);
      expect(r.body.events).toHaveLength(50);
      for (const e of r.body.events) expect([e.organization.id, e.vps.subject.organization, e.service.name]).toEqual(['riga', 'jurmala', 'SOPA']);
      // Person codes are never shown: the events carry pseudonyms.
      expect(r.text).not.toMatch(/32\d{4}-\d{5}/);
      const next = await c.jurmalaReviewer.call('get', `/api/v1/municipality/jurmala/cross-access/events?month=2026-09&organization=riga&app=SOPA&size=50&after=${r.body.next}`);
      expect(next.body.events).toHaveLength(10);
      const audit = await sargs.runtime.ctx.audit.list(20);
      const viewed = audit.filter((a) => a.action === 'municipality.cross-access.events-viewed');
      expect(viewed.map((a) => [a.target, (a.details as { organization: string }).organization, (a.details as { events: number }).events])).toEqual([
        ['jurmala', 'riga', 10],
        ['jurmala', 'riga', 50],
      ]);

      const bad = async (q: string, field: string) => {
        const x = await c.jurmalaReviewer.call('get', `/api/v1/municipality/jurmala/cross-access/events?${q}`);
        expect([x.status, x.body?.field]).toEqual([400, field]);
      };
      await bad('month=2026-09&organization=jurmala', 'organization');
      await bad('month=2026-09', 'organization');
      await bad('month=2026-13&organization=riga', 'month');
      await bad('from=2026-09-01&organization=riga', 'to');
      await bad('from=2026-09-30&to=2026-09-01&organization=riga', 'from');
      await bad('month=2026-09&organization=riga&persn=1', 'persn');
      await bad('month=2026-09&organization=riga&after=nonsense', 'after');
    });

    it('exports the view as CSV in Latvian and English, with the outlier reasons', async () => {
      const lv = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/cross-access.csv?month=2026-09');
      expect(lv.status).toBe(200);
      expect(lv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = lv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).toBe('organizācija;nosaukums;veids;lietotne;datu kategorija;piekļuves;personas;lietotāji;novirze;iemesls');
      expect(lines[1]).toBe('riga;Rīgas valstspilsēta;other-municipality;SOPA;social_assistance;60;60;3;jā;"6× pret savu 6 mēnešu mediānu (10); personas: 6× pret savu 6 mēnešu mediānu (10)"');
      const en = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/cross-access.csv?month=2026-09&lang=en');
      expect(en.text).toContain('vp;Valsts policija;state-institution;ENZ;vehicle;3;3;1;yes;new: never accessed before (previous 6 months)');
    });

    it('delivers the monthly report once per reviewer, from stored state, through the job queue', async () => {
      const all = loadTenants().byId;
      // Two municipalities keep the test short; the runtime passes every tenant.
      const tenants = new Map([...all].filter(([id]) => id === 'jurmala' || id === 'riga'));
      // The reviewer has an e-mail address: the report also goes to the delivery outbox (core/delivery), once.
      await sargs.runtime.sql.query('UPDATE users SET email = $1 WHERE id = $2', ['reviewer@jurmala.lv', jurmalaReviewerId]);
      const outbox = sargs.runtime.ctx.delivery.outbox;
      const deps = { sql: sargs.runtime.sql, jobs: sargs.runtime.jobs, events: sargs.runtime.ctx.events, tenants, audit: sargs.runtime.ctx.audit, publicUrl: 'https://sargs.example', outbox };
      const reports = createMonthlyReports(deps);
      // 1 October 2026 (Thursday) is the first working day: September is due.
      const now = new Date('2026-10-01T07:00:00Z');
      expect(await reports.tick(now)).toEqual({ month: '2026-09', created: 2, queued: 2 });
      const worker = reports.process();
      try {
        const listed = await eventually(async () => {
          const l = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/reports');
          return l.body?.reports?.[0]?.deliveredAt ? l.body.reports : undefined;
        });
        expect(listed[0]).toMatchObject({ month: '2026-09', state: 'built', accesses: 68, outlierOrganizations: 2, channel: 'email' });
        const mail = await outbox.byKey(`municipality-report:jurmala:2026-09:${jurmalaReviewerId}`);
        expect(mail).toMatchObject({ channel: 'email', to: ['reviewer@jurmala.lv'], tenant: 'jurmala', subject: 'Sargs: piekļuves iedzīvotāju datiem 09.2026 / Cross-access report 2026-09' });
        const one = await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/reports/2026-09');
        expect(one.body.view.totals.accesses).toBe(68);
        expect(one.body.deliveries).toEqual([{ userId: jurmalaReviewerId, channel: 'email', deliveredAt: expect.any(String) }]);
        // Aggregates only: no pseudonym or user name is stored in the report.
        const stored = JSON.stringify(one.body.view);
        expect(stored).not.toContain('riga.user');
        expect(stored).not.toContain(sargs.runtime.ctx.pseudonymiser.person(personCode(100)));
        expect((await c.jurmalaReviewer.call('get', '/api/v1/municipality/jurmala/reports/2026-08')).status).toBe(404);
        await eventually(async () => (await reports.list('riga')).every((x) => x.state === 'built'));
      } finally {
        await worker.close();
      }
      // Again, and after a "restart" (a fresh instance over the same database): nothing built or delivered twice.
      expect(await reports.tick(now)).toEqual({ month: '2026-09', created: 0, queued: 0 });
      const restarted = createMonthlyReports(deps);
      expect(await restarted.tick(new Date('2026-10-20T07:00:00Z'))).toEqual({ month: '2026-09', created: 0, queued: 0 });
      expect(await restarted.run('jurmala', '2026-09')).toEqual({ built: false, delivered: 0 });
      expect(await restarted.deliveries('jurmala', '2026-09')).toHaveLength(1);
      expect((await outbox.list({ tenant: 'jurmala', subjectRef: { kind: 'municipality-report', id: 'jurmala/2026-09' } })).length).toBe(1);
      const audit = (await sargs.runtime.ctx.audit.list(200)).filter((a) => a.action === 'municipality.report.delivered' && a.target === 'jurmala/2026-09');
      expect(audit).toHaveLength(1);
    });
  });
}
