import path from 'node:path';
import { requireServices, serviceUp, TEST_REDIS_URL } from '../../core/testing/services';
import { loadRules } from '../../detection/sigma/load-rules';
import type { LoadedCorrelationRule } from '../../detection/sigma/rule-types';
import { nestDotted } from '../../detection/testing/nest-dotted';
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

/**
 * Scale-out: two Sargs instances behind a load balancer on the same Elasticsearch, Postgres and Redis. A brute force
 * whose failed logons reach both instances is still one burst: the correlation windows are shared in Redis.
 */
const real = backends.find((b) => b.name.startsWith('real services'))!;
const cases = [
  { name: 'windows shared in Redis: one alert', redis: true, alerts: 1 },
  { name: 'control, windows in each process (no REDIS_URL): each instance saw five, no alert', redis: false, alerts: 0 },
];
for (const c of cases) {
  (serviceUp('redis') || requireServices ? real.describe : describe.skip)(`two collector instances — ${c.name}`, () => {
    const instances: RunningSargs[] = [];
    beforeAll(async () => {
      const env = { ...(await real.env()), SARGS_PSEUDONYM_KEY: 'a'.repeat(64), SARGS_SECRET_KEY: 'b'.repeat(64), ...(c.redis ? { REDIS_URL: TEST_REDIS_URL } : {}) };
      for (let i = 0; i < 2; i++) instances.push(await startSargs({ env }));
    });
    afterAll(async () => {
      for (const s of instances) await s.close();
    });

    test('ten failed logons of one account within a minute and a half, alternately to either instance', async () => {
      const { rules } = loadRules(path.resolve(__dirname, '../../rules'));
      const brute = rules.find((r) => r.kind === 'correlation' && /brute_force_single_account/.test(r.source)) as LoadedCorrelationRule;
      const events = brute.tests!.match[0]!.map((e) => nestDotted(e as Record<string, unknown>));
      expect(events).toHaveLength(10);
      const health = await (await fetch(instances[0]!.url + '/healthz')).json();
      expect(health.backends.correlations).toEqual(c.redis ? { kind: 'redis', ok: true } : { kind: 'in-process', ok: true });
      const tokens = await Promise.all(instances.map((s) => s.tokenFor('riga', 'winlogbeat')));
      for (const [i, e] of events.entries()) {
        const r = await fetch(`${instances[i % 2]!.url}/api/v1/ingest`, {
          method: 'POST', body: JSON.stringify(e) + '\n', headers: { authorization: `Bearer ${tokens[i % 2]}`, 'content-type': 'application/x-ndjson' },
        });
        expect((await r.json()).created).toBe(1);
      }
      await instances[0]!.runtime.ctx.detection.alerts.refresh();
      const list = await (await fetch(`${instances[1]!.url}/api/v1/alerts?tenant=riga`, { headers: { authorization: `Bearer ${instances[1]!.adminToken}` } })).json();
      const alerts = list.alerts.filter((a: { ruleId: string }) => a.ruleId === brute.id);
      expect(alerts).toHaveLength(c.alerts);
      if (c.alerts) {
        expect(alerts[0]).toMatchObject({ tenant: 'riga', count: 1 });
        expect(alerts[0].evidence).toHaveLength(10);
      }
    });
  });
}
