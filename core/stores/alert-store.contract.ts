import type { DetectionHit } from '../../detection/engine';
import type { AlertHitInput, AlertStore } from './alert-store';

const WINDOW = 15 * 60_000;

/** A hit for tests: rule `r`, at minute `min` after 2026-11-02 08:00 UTC, evidence `e<n>`. */
export function testHit(n: number, over: Partial<DetectionHit> & { tenant?: string; entity?: string; min?: number } = {}): AlertHitInput {
  const { tenant, entity, min, ...hit } = over;
  return {
    tenant: tenant ?? 'riga',
    entity: entity ?? 'anna.berzina',
    hit: {
      ruleId: 'rule-a', title: 'Rule A', level: 'high', tags: ['attack.collection'], author: 'Sigma Author', kind: 'rule',
      count: 1, eventIds: [`e${n}`], timestamp: new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + (min ?? n) * 60_000).toISOString(),
      ...hit,
    },
  };
}

/**
 * One contract for every AlertStore adapter: run by sql-alert-store.int.test.ts (PGlite and Postgres) and
 * elasticsearch-alert-store.int.test.ts (a real Elasticsearch). The adapters must give the same answers.
 */
export function runAlertStoreContract(make: () => Promise<{ store: AlertStore; cleanup: () => Promise<void> }>): void {
  let store: AlertStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await make());
    await store.init();
  });
  afterAll(async () => cleanup?.());

  test('an empty store has no alerts', async () => {
    expect(await store.search({ scope: '*' })).toEqual({ alerts: [], total: 0 });
  });

  test('a storm of hits within the window is one alert with a count; a later hit opens a new alert', async () => {
    const storm = Array.from({ length: 40 }, (_, i) => testHit(i, { min: i / 4 }));
    const out = await store.record(storm, WINDOW);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ count: 40, ruleId: 'rule-a', tenant: 'riga', entity: 'anna.berzina', author: 'Sigma Author', status: 'open' });
    expect(out[0]!.evidence).toHaveLength(40);
    // the same events again (replay) are not counted twice
    expect((await store.record(storm.slice(0, 5), WINDOW))[0]!.count).toBe(40);
    // within the window of lastSeen: joins; 2 hours later: a new alert
    expect((await store.record([testHit(100, { min: 20 })], WINDOW))[0]!.count).toBe(41);
    const later = await store.record([testHit(200, { min: 200 })], WINDOW);
    expect(later[0]!.count).toBe(1);
    expect(later[0]!.id).not.toBe(out[0]!.id);
    await store.refresh();
    expect((await store.search({ scope: '*' })).total).toBe(2);
    const got = await store.get(out[0]!.id, '*');
    expect(got).toMatchObject({ count: 41, firstSeen: storm[0]!.hit.timestamp, lastSeen: testHit(100, { min: 20 }).hit.timestamp });
  });

  test('keys are separate per rule, tenant and entity', async () => {
    const out = await store.record([
      testHit(300, { min: 300, ruleId: 'rule-b', title: 'Rule B', level: 'critical' }),
      testHit(301, { min: 300, tenant: 'jelgava', level: 'low' }),
      testHit(302, { min: 300, entity: 'janis' }),
    ], WINDOW);
    expect(out).toHaveLength(3);
    await store.refresh();
    const ids = async (q: Parameters<AlertStore['search']>[0]) => (await store.search(q)).alerts.map((a) => a.evidence[0]).sort();
    expect(await ids({ scope: '*', ruleId: 'rule-b' })).toEqual(['e300']);
    expect(await ids({ scope: '*', tenant: 'jelgava' })).toEqual(['e301']);
    expect(await ids({ scope: '*', level: 'critical' })).toEqual(['e300']);
    expect(await ids({ scope: ['jelgava'] })).toEqual(['e301']);
    expect(await ids({ scope: ['jelgava'], tenant: 'riga' })).toEqual([]);
    expect(await ids({ scope: [] })).toEqual([]);
    expect(await store.get(out[0]!.id, ['jelgava'])).toBeUndefined();
  });

  test('triage: status, assignee and comments are kept with who and when; closed alerts are not joined', async () => {
    const [a] = await store.record([testHit(400, { min: 400, ruleId: 'rule-c' })], WINDOW);
    await expect(store.update(a!.id, ['jelgava'], { status: 'acknowledged' }, 'eve')).rejects.toMatchObject({ status: 404 });
    await store.update(a!.id, '*', { assignee: 'liga' }, 'soc1');
    await store.update(a!.id, ['riga'], { status: 'in_progress', comment: 'looking' }, 'liga');
    const b = await store.update(a!.id, '*', { status: 'closed_true_positive' }, 'liga');
    expect(b).toMatchObject({ status: 'closed_true_positive', assignee: 'liga', comments: [{ by: 'liga', text: 'looking' }] });
    expect(b.history.map((h) => [h.action, h.by, h.from, h.to])).toEqual([
      ['raised', 'sargs', undefined, undefined],
      ['assign', 'soc1', undefined, 'liga'],
      ['status', 'liga', 'open', 'in_progress'],
      ['comment', 'liga', undefined, undefined],
      ['status', 'liga', 'in_progress', 'closed_true_positive'],
    ]);
    expect(b.history.every((h) => !Number.isNaN(Date.parse(h.at)))).toBe(true);
    const [c] = await store.record([testHit(401, { min: 401, ruleId: 'rule-c' })], WINDOW);
    expect(c!.id).not.toBe(a!.id);
    await store.refresh();
    expect((await store.search({ scope: '*', status: 'closed_true_positive' })).alerts.map((x) => x.id)).toEqual([a!.id]);
    expect((await store.search({ scope: '*', assignee: 'liga' })).total).toBe(1);
  });

  test('suppressed alerts are left out unless asked for', async () => {
    const [s] = await store.record([{ ...testHit(500, { min: 500, ruleId: 'rule-s' }), suppressedBy: 'sup-1' }], WINDOW);
    await store.refresh();
    expect(s!.suppressedBy).toBe('sup-1');
    expect((await store.search({ scope: '*', ruleId: 'rule-s' })).total).toBe(0);
    expect((await store.search({ scope: '*', ruleId: 'rule-s', includeSuppressed: true })).total).toBe(1);
  });

  test('sorts and deep-pages every alert once', async () => {
    await store.record(Array.from({ length: 30 }, (_, i) => testHit(1000 + i, { min: 1000 + i, ruleId: `page-${i}`, tenant: 'ventspils', level: i % 2 ? 'low' : 'medium' })), WINDOW);
    await store.refresh();
    for (const sort of ['lastSeen', 'level', 'count'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await store.search({ scope: ['ventspils'], size: 7, sort, after });
        expect(page.total).toBe(30);
        seen.push(...page.alerts.map((a) => a.id));
        after = page.next;
      } while (after);
      expect(new Set(seen).size).toBe(30);
      expect(seen).toHaveLength(30);
    }
    const byLevel = (await store.search({ scope: ['ventspils'], sort: 'level', size: 30 })).alerts.map((a) => a.level);
    expect(byLevel.slice(0, 15).every((l) => l === 'medium')).toBe(true);
    const byTime = (await store.search({ scope: ['ventspils'], size: 2 })).alerts.map((a) => a.ruleId);
    expect(byTime).toEqual(['page-29', 'page-28']);
    await expect(store.search({ scope: '*', after: 'garbage' })).rejects.toMatchObject({ status: 400 });
  });

  test('counts by rule, tenant and level within the scope', async () => {
    const c = await store.counts({ scope: ['jelgava', 'ventspils'] });
    expect(c.byTenant).toEqual([{ key: 'ventspils', count: 30 }, { key: 'jelgava', count: 1 }]);
    expect(c.byLevel).toEqual([{ key: 'medium', count: 15 }, { key: 'low', count: 16 }]);
    expect(c.byRule.find((r) => r.key === 'rule-a')).toEqual({ key: 'rule-a', title: 'Rule A', count: 1 });
    expect(c.byRule).toHaveLength(31);
  });
}
