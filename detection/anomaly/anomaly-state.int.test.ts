import { createSqlBaselineStore } from '../../core/stores/sql-baseline-store';
import { describeWith, openTestSql } from '../../core/testing/services';
import type { SqlClient } from '../../core/sql/sql-client';
import { createDetectionEngine } from '../engine';
import { compileDetection } from '../sigma/compile';
import type { LoadedAnomalyRule, LoadedDetectionRule } from '../sigma/rule-types';
import { createAnomalyState } from './anomaly-state';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 9, 5, 7);
const base: LoadedDetectionRule = {
  kind: 'rule', id: 'base', title: 'base', level: 'low', tags: [], source: 't:1', correlationOnly: true,
  matcher: compileDetection({ sel: { 'event.action': 'person_lookup' }, condition: 'sel' }),
};
const rule: LoadedAnomalyRule = {
  kind: 'anomaly', id: 'lookups', title: 'lookups unusual for the user', level: 'medium', tags: [], source: 't:2', type: 'count',
  ruleIds: ['base'], groupBy: ['vps.tenant', 'user.name'], bucketMs: H, learningMs: 7 * DAY, minBuckets: 5,
  bound: { stddev: 3, ratio: 2, minCount: 20 }, inactiveMs: 90 * DAY, tests: { match: [], noMatch: [] },
};
const lookup = (user: string, t: number, n: number) => ({ '@timestamp': new Date(t).toISOString(), event: { action: 'person_lookup', id: `${user}-${t}-${n}` }, user: { name: user }, vps: { tenant: 'riga' } });

/** One collector instance: an engine whose baselines go through the shared store, in batches. */
function instance(sql: SqlClient) {
  const state = createAnomalyState({ store: createSqlBaselineStore(sql), refreshMs: 0 });
  const engine = createDetectionEngine([base, rule], undefined, { anomalies: state });
  return {
    state,
    async batch(events: unknown[]) {
      await state.prefetch(engine.anomalyKeys(events));
      const hits = events.flatMap((e) => engine.process(e));
      await state.flush();
      return hits;
    },
  };
}

function suite(kind: 'pglite' | 'postgres'): void {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await openTestSql(kind)));
  afterAll(async () => drop?.());

  test('baselines learned by two instances add up, survive a restart, and a third instance raises the alert', async () => {
    const a = instance(sql);
    const b = instance(sql);
    // ten days: each instance receives half of the user's eight lookups an hour
    for (let d = 0; d < 10; d++) {
      const day = Array.from({ length: 8 }, (_, i) => lookup('anna', T0 + d * DAY + i * 60_000, i));
      expect(await a.batch(day.filter((_, i) => i % 2 === 0))).toEqual([]);
      expect(await b.batch(day.filter((_, i) => i % 2 === 1))).toEqual([]);
    }
    // a restart: a fresh instance learns the baseline from the database (10 days, 9 closed buckets of 8)
    const c = instance(sql);
    const spike = Array.from({ length: 30 }, (_, i) => lookup('anna', T0 + 10 * DAY + i * 30_000, i));
    const hits = await c.batch(spike);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.baseline).toMatchObject({ type: 'count', mean: 8, buckets: 10, threshold: 20 });
    expect(hits[0]!.count).toBe(20);
    // the alert mark is shared: the other instance does not raise the same bucket again
    expect(await a.batch([lookup('anna', T0 + 10 * DAY + 40 * 60_000, 99)])).toEqual([]);
  });

  test('a batch costs one load query per rule and one write, however many events', async () => {
    let queries = 0;
    const counting: SqlClient = { ...sql, query: (t, p) => (queries++, sql.query(t, p)), transaction: (fn) => sql.transaction((tx) => fn({ query: (t, p) => (queries++, tx.query(t, p)) })) };
    const state = createAnomalyState({ store: createSqlBaselineStore(counting) });
    const engine = createDetectionEngine([base, rule], undefined, { anomalies: state });
    const events = Array.from({ length: 2000 }, (_, i) => lookup(`user${i % 50}`, T0 + 20 * DAY + i * 1000, i));
    await state.prefetch(engine.anomalyKeys(events));
    for (const e of events) engine.process(e);
    await state.flush();
    expect(queries).toBe(1 + 3); // load; merge = create-if-missing, lock-and-read, write
    queries = 0;
    await state.prefetch(engine.anomalyKeys(events)); // all cached and fresh: no query
    expect(queries).toBe(0);
  });
}

describe('anomaly state through the baseline store on PGlite', () => suite('pglite'));
describeWith('postgres')('anomaly state through the baseline store on Postgres', () => suite('postgres'));
