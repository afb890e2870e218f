import { backends } from '../testing/backends';
import { startSargs, type RunningSargs } from '../testing/start-sargs';

/**
 * Detection inside the ingest path, end to end: an event posted to the intake raises its rule's alert, visible
 * through the triage API, on the embedded default and on real Elasticsearch + Postgres.
 */
for (const b of backends) {
  b.describe(`ingest → detection → alert — ${b.name}`, () => {
    let s: RunningSargs;
    beforeAll(async () => {
      s = await startSargs({ env: await b.env() });
    });
    afterAll(async () => s?.close());

    const exportAt = (iso: string, id: string) => ({
      '@timestamp': iso,
      event: { id, dataset: 'vps.audit', kind: 'event', action: 'export_clients', outcome: 'success' },
      service: { name: 'SOPA' },
      organization: { id: 'jelgava' },
      user: { name: 'ieglite' },
      vps: { tenant: 'jelgava', subject: { organization: 'jelgava' }, data_category: 'social_assistance', record: { id: 'SOPA-EXPORT-1' } },
      source: { ip: '10.21.0.44' },
    });

    test('an off-hours bulk export raises its alert before the intake answers; a working-hours export does not', async () => {
      const jelgava = await s.tokenFor('jelgava', 'sopa');
      // 00:22 Riga time on a Tuesday (off hours) and 10:30 Riga time the same day (working hours).
      const body = [exportAt('2026-11-02T22:22:00Z', 'x-night'), exportAt('2026-11-03T08:30:00Z', 'x-day')].map((e) => JSON.stringify(e)).join('\n') + '\n';
      const r = await fetch(`${s.url}/api/v1/ingest`, { method: 'POST', body, headers: { authorization: `Bearer ${jelgava}`, 'content-type': 'application/x-ndjson' } });
      expect((await r.json()).created).toBe(2);
      await s.runtime.ctx.detection.alerts.refresh();
      const list = await (await fetch(`${s.url}/api/v1/alerts?tenant=jelgava`, { headers: { authorization: `Bearer ${s.adminToken}` } })).json();
      const exports = list.alerts.filter((a: { title: string }) => /export/i.test(a.title));
      expect(exports).toHaveLength(1);
      expect(exports[0]).toMatchObject({ tenant: 'jelgava', count: 1, status: 'open', level: expect.any(String) });
      expect(exports[0].evidence).toHaveLength(1);
    });
  });
}
