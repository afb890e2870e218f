import path from 'node:path';
import { demoScenarios } from '../cli/demo';
import { createPseudonymiser } from '../collector/pseudonymise';
import type { Alert } from '../core/stores/alert-store';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createSqlBaselineStore } from '../core/stores/sql-baseline-store';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { openTestSql } from '../core/testing/services';
import { createAlerting } from './alerting';
import { parsedDemo } from './testing/demo-events';
import { nestDotted } from './testing/nest-dotted';
import { loadRules } from './sigma/load-rules';

// Mon 23 – Fri 27 November 2026: after the MFA deadline, working days, every scripted scenario inside.
const DEMO = { start: new Date('2026-11-23T12:00:00Z'), days: 5, seed: 7, eventsPerDay: 20000 };
const { rules } = loadRules(path.resolve(__dirname, '../rules'));
/** Rule id → rule file name, to say which rule an alert came from. */
const fileOf = new Map(rules.map((r) => [r.id, path.basename(r.source.split(':')[0]!)]));

/** Scripted scenario → the id of the rule that must raise its alert (7 of 7 scripted cases). */
const EXPECTED: Record<string, string> = {
  'bulk-browsing-without-case': '48583834-b8d5-42bc-9ac7-05498bd6abcc', // value_count: persons browsed without a case
  'off-hours-bulk-export': '8bf7c898-33ef-44c9-9b22-c7769d45e0df',
  'password-only-after-cutoff': '8b52e816-ec0e-459c-a288-c29bf4fe5cb5',
  'brute-force-then-success': 'a4189c25-b5f9-48c8-b019-b976af39a57a',
  'police-lookup-without-case': '1de3dff1-da78-49ae-8ed9-4e5c8c2e2e64',
  'dormant-account-wakes': '42f3a62a-9a8c-497f-b661-036615a9dcce', // x-sargs-anomaly dormant (last-seen baseline)
  'watchlisted-person-opened': '9b7933b5-9b80-4ef3-90c3-ec5c183d5918', // sargs.watchlist from the watch-list store
};

describe('alerting on the demo stream (real demo events → parseRecord → rules → PGlite alert store)', () => {
  let alerts: Alert[] = [];
  const scenarioIds = new Map<string, Set<string>>();
  let drop: () => Promise<void>;
  let stats: ReturnType<ReturnType<typeof createAlerting>['stats']>;

  beforeAll(async () => {
    const t = await openTestSql('pglite');
    drop = t.drop;
    const store = createSqlAlertStore(t.sql);
    const pseudonymiser = createPseudonymiser(Buffer.alloc(32, 7));
    // the SOC puts the demo's watched resident on the watch list before the traffic comes in (as a pseudonym)
    const watchlist = createSqlWatchlistStore(t.sql);
    const watched = demoScenarios(DEMO).find((s) => s.id === 'watchlisted-person-opened')!.person!;
    await watchlist.add({ list: 'vip', person: pseudonymiser.person(watched), tenant: '*', note: 'demo', createdBy: 'test' });
    const alerting = createAlerting({
      rules, alerts: store, suppressions: createSuppressionStore(t.sql), baselines: createSqlBaselineStore(t.sql), watchlist,
    });
    const demo = parsedDemo(DEMO, pseudonymiser);
    for (const [k, v] of demo.scenarioIds) scenarioIds.set(k, v);
    for (let i = 0; i < demo.events.length; i += 500) await alerting.onStored(demo.events.slice(i, i + 500));
    await alerting.flush();
    stats = alerting.stats();
    for (let after: string | undefined, first = true; first || after; first = false) {
      const page = await store.search({ scope: '*', size: 1000, after });
      alerts.push(...page.alerts);
      after = page.next;
    }
  }, 240_000);
  afterAll(async () => drop?.());

  const fromScenario = (a: Alert, s: string) => a.evidence.some((id) => scenarioIds.get(s)?.has(id));

  test('every scripted case of the demo is expected to raise an alert', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(demoScenarios(DEMO).map((s) => s.id).sort());
    expect([...scenarioIds.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('scripted case %s raises its alert', (scenario, ruleId) => {
    expect(scenarioIds.get(scenario)?.size).toBeGreaterThan(0);
    expect(rules.some((r) => r.id === ruleId)).toBe(true);
    const raised = alerts.filter((a) => fromScenario(a, scenario)).map((a) => a.ruleId);
    expect(raised).toContain(ruleId);
  });

  test('a storm of hits is one alert with a count', () => {
    // 25 vehicle lookups without a case by one officer within minutes: 25 hits of one rule, ONE alert
    const lookups = alerts.filter((a) => fromScenario(a, 'police-lookup-without-case') && /vehicle_lookup_without_case/.test(fileOf.get(a.ruleId) ?? ''));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.count).toBe(25);
    expect(lookups[0]!.evidence).toHaveLength(25);
    expect(lookups[0]!.entity).toBeTruthy();
    const storms = alerts.filter((a) => a.count > 1);
    expect(storms.length).toBeGreaterThan(0);
    const keys = new Set(alerts.map((a) => `${a.ruleId}|${a.tenant}|${a.groupKey}|${a.firstSeen}`));
    expect(keys.size).toBe(alerts.length);
    const hits = alerts.reduce((s, a) => s + a.count, 0);
    expect(alerts.length).toBeLessThan(hits);
  });

  test('reports the alerts on normal traffic (false positives)', () => {
    const all = new Set([...scenarioIds.values()].flatMap((s) => [...s]));
    const normal = alerts.filter((a) => !a.evidence.some((id) => all.has(id)));
    const byRule = new Map<string, number>();
    for (const a of normal) byRule.set(fileOf.get(a.ruleId) ?? a.ruleId, (byRule.get(fileOf.get(a.ruleId) ?? a.ruleId) ?? 0) + 1);
    const scripted = alerts.length - normal.length;
    // eslint-disable-next-line no-console
    console.log(`demo ${DEMO.days} days, ${stats.events} events, ${stats.hits} hits → ${alerts.length} alerts: ${scripted} on scripted misuse, ` +
      `${normal.length} on normal traffic ${JSON.stringify(Object.fromEntries(byRule))}; per scenario ` +
      JSON.stringify(Object.fromEntries([...scenarioIds.keys()].map((s) => [s, alerts.filter((a) => fromScenario(a, s)).map((a) => `${fileOf.get(a.ruleId)}×${a.count}`)]))));
    expect(normal.length).toBeLessThan(alerts.length);
  });
});

const nest = nestDotted;

describe('alerting: tenant, entity, author and suppression', () => {
  const rule = rules.find((r) => /collection_vehicle_lookup_without_case/.test(r.source))!;
  const sample = (rule as { tests?: { match: unknown[] } }).tests!.match[0] as Record<string, unknown>;
  const event = (n: number, over: Record<string, unknown> = {}) =>
    nest({ ...structuredClone(sample), '@timestamp': new Date(Date.parse(sample['@timestamp'] as string) + n * 60_000).toISOString(), 'event.id': `ev-${n}`, ...over });

  test('hits become alerts for the evidence tenant and user; suppressed ones are kept but left out of searches', async () => {
    const t = await openTestSql('pglite');
    try {
      const store = createSqlAlertStore(t.sql);
      const suppressions = createSuppressionStore(t.sql, { cacheMs: 0 });
      await suppressions.add({ tenant: 'jelgava', ruleId: rule.id, entityPattern: 'test-*', reason: 'training accounts', createdBy: 'soc', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      const alerting = createAlerting({ rules: [rule], alerts: store, suppressions });
      await alerting.onStored([event(1), event(2), event(3, { 'vps.tenant': 'jelgava', 'organization.id': 'jelgava', 'user.name': 'test-officer' })]);
      await alerting.onStored([event(4)]);
      const { alerts } = await store.search({ scope: '*' });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ tenant: 'riga', entity: event(1).user?.name, count: 3, evidence: ['ev-1', 'ev-2', 'ev-4'], ruleId: rule.id, title: rule.title });
      expect(alerts[0]!.author).toBe(rule.author);
      const suppressed = await store.search({ scope: ['jelgava'], includeSuppressed: true });
      expect(suppressed.alerts).toHaveLength(1);
      expect(suppressed.alerts[0]!.suppressedBy).toBeTruthy();
      expect((await store.search({ scope: ['jelgava'] })).total).toBe(0);
      expect(alerting.stats()).toMatchObject({ events: 4, hits: 4, suppressedHits: 1 });
    } finally {
      await t.drop();
    }
  });
});
