import path from 'node:path';
import { generateDemo } from '../cli/demo/generate-demo';
import { parseRecord } from '../collector/parse-record';
import { createPseudonymiser } from '../collector/pseudonymise';
import type { Alert } from '../core/stores/alert-store';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { loadTenants } from '../core/tenants';
import { openTestSql } from '../core/testing/services';
import type { EcsEvent } from '../core/types';
import { createAlerting } from './alerting';
import { loadRules } from './sigma/load-rules';

// Mon 23 – Fri 27 November 2026: after the MFA deadline, working days, every scripted scenario inside.
const DEMO = { start: new Date('2026-11-23T12:00:00Z'), days: 5, seed: 7, eventsPerDay: 20000 };
const { rules } = loadRules(path.resolve(__dirname, '../rules'));
/** Rule id → rule file name, to say which rule an alert came from. */
const fileOf = new Map(rules.map((r) => [r.id, path.basename(r.source.split(':')[0]!)]));

/** Scripted scenario → the rule file that must raise its alert. */
const EXPECTED: Record<string, RegExp> = {
  'bulk-browsing-without-case': /bulk_person_browsing_without_case/,
  'off-hours-bulk-export': /off_hours_bulk_export/,
  'password-only-after-cutoff': /password_only_login_after_mfa_deadline/,
  'brute-force-then-success': /brute_force_single_account/,
  'police-lookup-without-case': /vehicle_lookup/,
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
    const alerting = createAlerting({ rules, alerts: store, suppressions: createSuppressionStore(t.sql) });
    const deps = { pseudonymiser: createPseudonymiser(Buffer.alloc(32, 7)), tenants: loadTenants().ids, keepOriginal: 'none' as const };
    let batch: EcsEvent[] = [];
    for (const rec of generateDemo(DEMO)) {
      const r = parseRecord({ raw: rec.raw }, { tenant: rec.tenant, source: 'demo', parser: rec.parser, transport: 'file', receivedAt: rec.at }, deps);
      if (!r.ok) continue;
      if (rec.scenario) {
        if (!scenarioIds.has(rec.scenario)) scenarioIds.set(rec.scenario, new Set());
        scenarioIds.get(rec.scenario)!.add(r.event.event.id);
      }
      batch.push(r.event);
      if (batch.length >= 500) {
        await alerting.onStored(batch);
        batch = [];
      }
    }
    await alerting.onStored(batch);
    stats = alerting.stats();
    for (let after: string | undefined, first = true; first || after; first = false) {
      const page = await store.search({ scope: '*', size: 1000, after });
      alerts.push(...page.alerts);
      after = page.next;
    }
  }, 240_000);
  afterAll(async () => drop?.());

  const fromScenario = (a: Alert, s: string) => a.evidence.some((id) => scenarioIds.get(s)?.has(id));

  test.each(Object.entries(EXPECTED))('scripted case %s raises its alert', (scenario, rule) => {
    expect(scenarioIds.get(scenario)?.size).toBeGreaterThan(0);
    const raised = alerts.filter((a) => fromScenario(a, scenario)).map((a) => fileOf.get(a.ruleId) ?? a.ruleId);
    expect(raised.some((f) => rule.test(f))).toBe(true);
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

/** Dotted keys of a rule's test event (the loader may have nested some) → a nested ECS document. */
function nest(flat: Record<string, unknown>): EcsEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    const parts = k.startsWith('@') ? [k] : k.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts[parts.length - 1]!] = v;
  }
  return out as unknown as EcsEvent;
}

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
