import path from 'node:path';
import Redis from 'ioredis';
import { createPseudonymiser } from '../collector/pseudonymise';
import type { Alert, AlertStore } from '../core/stores/alert-store';
import { createRedisCorrelationWindows } from '../core/stores/redis-correlation-windows';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { describeWith, openTestSql, TEST_REDIS_URL, uniqueName } from '../core/testing/services';
import { createAlerting, type Alerting } from './alerting';
import { loadRules } from './sigma/load-rules';
import { parsedDemo } from './testing/demo-events';

const { rules } = loadRules(path.resolve(__dirname, '../rules'));
const correlationIds = new Set(rules.filter((r) => r.kind === 'correlation').map((r) => r.id));
const DEMO = { start: new Date('2026-11-23T12:00:00Z'), days: 5, seed: 7, eventsPerDay: 20000 };

async function allAlerts(store: AlertStore): Promise<Alert[]> {
  const out: Alert[] = [];
  for (let after: string | undefined, first = true; first || after; first = false) {
    const page = await store.search({ scope: '*', size: 1000, after });
    out.push(...page.alerts);
    after = page.next;
  }
  return out;
}

/** A correlation alert as comparable text: rule, tenant, group, count and evidence. */
const signature = (a: Alert) => `${a.ruleId} ${a.tenant} ${a.groupKey} ×${a.count} [${[...a.evidence].sort().join(',')}]`;

describeWith('redis')('correlation windows shared in Redis by two collector instances (demo stream)', () => {
  const { events, scenarioIds } = parsedDemo(DEMO, createPseudonymiser(Buffer.alloc(32, 7)));
  const prefix = uniqueName('sharedwin');
  let single: Alert[];
  let shared: Alert[];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    // one collector with its windows in memory: the reference
    const a = await openTestSql('pglite');
    closers.push(a.drop);
    const one = createAlerting({ rules, alerts: createSqlAlertStore(a.sql), suppressions: createSuppressionStore(a.sql) });
    for (let i = 0; i < events.length; i += 500) await one.onStored(events.slice(i, i + 500));
    single = await allAlerts(createSqlAlertStore(a.sql));

    // two collectors behind a load balancer: requests go to either, windows and alerts are shared
    const b = await openTestSql('pglite');
    closers.push(b.drop);
    const store = createSqlAlertStore(b.sql);
    const suppressions = createSuppressionStore(b.sql);
    const instances: Alerting[] = [0, 1].map(() =>
      createAlerting({ rules, alerts: store, suppressions, correlationWindows: (c) => createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules: c }) }),
    );
    for (const x of instances) closers.push(() => x.close());
    expect(instances.map((x) => x.windows)).toEqual(['redis', 'redis']);
    for (let i = 0, n = 0; i < events.length; i += 500, n++) await instances[n % 2]!.onStored(events.slice(i, i + 500));
    shared = await allAlerts(store);
  }, 240_000);

  afterAll(async () => {
    for (const c of closers) await c();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  test('the correlation alerts are the same as one collector raises alone', () => {
    const corr = (list: Alert[]) => list.filter((a) => correlationIds.has(a.ruleId)).map(signature).sort();
    expect(corr(single).length).toBeGreaterThan(0);
    expect(corr(shared)).toEqual(corr(single));
  });

  test('every scripted correlation case is found although its events went to both collectors', () => {
    const byScenario = (list: Alert[]) =>
      [...scenarioIds].map(([s, ids]) => [s, list.filter((a) => correlationIds.has(a.ruleId) && a.evidence.some((id) => ids.has(id))).length > 0] as const);
    const found = byScenario(shared).filter(([, f]) => f).map(([s]) => s);
    expect(found).toEqual(byScenario(single).filter(([, f]) => f).map(([s]) => s));
    expect(found).toEqual(expect.arrayContaining(['bulk-browsing-without-case', 'brute-force-then-success', 'police-lookup-without-case']));
  });
});
