import path from 'node:path';
import { createElasticsearchEventStore } from '../core/stores/elasticsearch-event-store';
import type { EventStore } from '../core/stores/event-store';
import { createSqlEventStore } from '../core/stores/sql-event-store';
import { describeWith, openTestSql, TEST_ELASTICSEARCH_URL, uniqueName } from '../core/testing/services';
import type { EcsEvent } from '../core/types';
import { backtest, selectRules, type RuleSelection } from './backtest';
import { loadRules } from './sigma/load-rules';
import type { LoadedAnomalyRule, LoadedDetectionRule, LoadedRule } from './sigma/rule-types';

const { rules } = loadRules(path.resolve(__dirname, '../rules'));
const byFile = (f: string): LoadedRule[] => rules.filter((r) => r.source.includes(f));
const select = (ref: string): RuleSelection => {
  const s = selectRules(rules, ref);
  if ('error' in s) throw new Error(s.error);
  return s;
};

/** Stored events: a dormant account waking up (the rule's own test sequence), vehicle lookups without a case, noise. */
function storedEvents(): EcsEvent[] {
  const dormant = byFile('dormant_account_active_again').find((r): r is LoadedAnomalyRule => r.kind === 'anomaly')!;
  const vehicle = byFile('collection_vehicle_lookup_without_case')[0] as LoadedDetectionRule;
  const out: EcsEvent[] = [];
  dormant.tests.match[0]!.forEach((e, i) => out.push({ ...(e as EcsEvent), event: { ...(e as EcsEvent).event, id: `dormant-${i}` } }));
  // another user of the same municipality working every day
  dormant.tests.noMatch[0]!.forEach((e, i) => out.push({ ...(e as EcsEvent), user: { name: 'akalnina' }, event: { ...(e as EcsEvent).event, id: `daily-${i}` } }));
  const sample = vehicle.tests!.match[0] as EcsEvent;
  for (let i = 0; i < 4; i++) {
    out.push({ ...structuredClone(sample), '@timestamp': new Date(Date.UTC(2026, 10, 20, 10, i * 7)).toISOString(), event: { ...sample.event, id: `vehicle-${i}` } });
  }
  return out;
}

function runBacktestSuite(make: () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>): void {
  let store: EventStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await make());
    await store.init();
    const results = await store.bulk(storedEvents());
    expect(results.every((r) => r.status === 'created')).toBe(true);
    await store.refresh();
  }, 120_000);
  afterAll(async () => cleanup?.());

  test('a dormant account is found over stored events replayed oldest first (the store pages newest first)', async () => {
    const r = await backtest(store, select('Dormant account active again'), { from: new Date('2026-07-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), sliceMs: 7 * 86_400_000 });
    expect(r.rules).toHaveLength(1);
    const [rule] = r.rules;
    expect(rule).toMatchObject({ ruleId: '42f3a62a-9a8c-497f-b661-036615a9dcce', kind: 'anomaly dormant', hits: 1 });
    expect(rule!.groups[0]).toMatchObject({ entity: 'valmieras-novads / vsprogis', hits: 1, first: '2026-11-26T14:40:00.000Z', evidence: ['dormant-1'] });
    expect(r.events).toBe(storedEvents().filter((e) => e['@timestamp'] >= '2026-07-01' && e['@timestamp'] < '2026-12-01').length);
  });

  test('a single-event rule chosen by its file: hits per group with first, last and sample evidence; tenant narrows', async () => {
    const r = await backtest(store, select('rules/enz/collection_vehicle_lookup_without_case.yml'), { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z'), samples: 3 });
    expect(r.rules[0]!.hits).toBe(4);
    expect(r.rules[0]!.groups).toHaveLength(1);
    expect(r.rules[0]!.groups[0]).toMatchObject({ hits: 4, count: 4, first: '2026-11-20T10:00:00.000Z', last: '2026-11-20T10:21:00.000Z', evidence: ['vehicle-0', 'vehicle-1', 'vehicle-2'] });
    const other = await backtest(store, select('1de3dff1-da78-49ae-8ed9-4e5c8c2e2e64'), { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z'), tenant: 'valmieras-novads' });
    expect(other.rules[0]!.hits).toBe(0);
    expect(other.events).toBe(3); // akalnina's three actions that day, none of them a vehicle lookup
  });

  test('a range that misses the silence raises nothing (the baseline is learned within the range only)', async () => {
    const r = await backtest(store, select('42f3a62a-9a8c-497f-b661-036615a9dcce'), { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), sliceMs: 7 * 86_400_000 });
    expect(r.rules[0]!.hits).toBe(0);
  });
}

describe('rules backtest on the embedded store (PGlite)', () => {
  runBacktestSuite(async () => {
    const { sql, drop } = await openTestSql('pglite');
    return { store: createSqlEventStore(sql), cleanup: drop };
  });
});

describeWith('elasticsearch')('rules backtest on Elasticsearch', () => {
  runBacktestSuite(async () => {
    const prefix = uniqueName('bt').toLowerCase().replace(/_/g, '-');
    const store = createElasticsearchEventStore({ url: TEST_ELASTICSEARCH_URL, prefix, retentionDays: 3650 });
    return {
      store,
      cleanup: async () => {
        const { Client } = await import('@elastic/elasticsearch');
        const c = new Client({ node: TEST_ELASTICSEARCH_URL });
        await c.indices.deleteDataStream({ name: `${prefix}-events*` }).catch(() => undefined);
        await c.indices.deleteIndexTemplate({ name: `${prefix}-events` }).catch(() => undefined);
        await c.close();
        await store.close();
      },
    };
  });
});

describe('rule selection for backtests', () => {
  test('by id, name, title or file; a correlation or anomaly brings its base rules; unknown is an error', () => {
    expect(select('42F3A62A-9A8C-497F-B661-036615A9DCCE').run.map((r) => r.kind).sort()).toEqual(['anomaly', 'rule']);
    expect(select('vps_user_activity').report[0]!.kind).toBe('rule');
    expect(select('initial_access_dormant_account_active_again.yml').report.map((r) => r.id)).toEqual(['42f3a62a-9a8c-497f-b661-036615a9dcce']);
    expect(selectRules(rules, 'no such rule')).toEqual({ error: "no rule with id, name, title or file 'no such rule'" });
  });
});
