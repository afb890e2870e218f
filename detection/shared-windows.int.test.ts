import net from 'node:net';
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
import { bruteForceRules, CORR_ID, ev } from './correlation-windows.contract';
import { parsedDemo } from './testing/demo-events';
import { nestDotted } from './testing/nest-dotted';
import type { EcsEvent } from '../core/types';

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

describeWith('redis')('correlation windows unreachable for a while (Redis behind a proxy that goes down)', () => {
  test("the run's single-event alerts are recorded; its correlation feeds wait for the next run and lose nothing", async () => {
    // a TCP proxy in front of the real Redis: closing it is Redis going away for this collector
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(new URL(TEST_REDIS_URL).port || 6379), new URL(TEST_REDIS_URL).hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as net.AddressInfo).port;
    const t = await openTestSql('pglite');
    const prefix = uniqueName('heldfeeds');
    const exportRule = rules.find((r) => /exfiltration_off_hours_bulk_export/.test(r.source))!;
    const store = createSqlAlertStore(t.sql);
    const alerting = createAlerting({
      rules: [...bruteForceRules(), exportRule], alerts: store, suppressions: createSuppressionStore(t.sql),
      correlationWindows: (c) => createRedisCorrelationWindows({ redisUrl: `redis://127.0.0.1:${port}`, prefix, rules: c }),
    });
    try {
      const fails = [ev(0, 'anna'), ev(1, 'anna'), ev(2, 'anna')] as unknown as EcsEvent[];
      const nightExport = nestDotted({ ...(exportRule as { tests?: { match: unknown[] } }).tests!.match[0] as Record<string, unknown>, 'event.id': 'night-export' });
      await alerting.onStored([fails[0]!]);
      // Redis away
      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
      await alerting.onStored([fails[1]!, nightExport]);
      expect(alerting.stats().windowErrors).toBe(1);
      let alerts = await allAlerts(store);
      expect(alerts.map((a) => a.ruleId)).toEqual([exportRule.id]);
      // Redis back on the same port: the held feed goes with the next run, and the burst of three is complete
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
      await alerting.onStored([fails[2]!]);
      alerts = await allAlerts(store);
      const brute = alerts.filter((a) => a.ruleId === CORR_ID);
      expect(brute).toHaveLength(1);
      expect([...brute[0]!.evidence].sort()).toEqual(fails.map((e) => e.event.id).sort());
    } finally {
      await alerting.close();
      proxy.close();
      for (const s of sockets) s.destroy();
      await t.drop();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  }, 30_000);
});
