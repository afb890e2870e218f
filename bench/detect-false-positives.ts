/**
 * The false-positive table of issue 4 ("a demo day of normal traffic raises few"): demo traffic through every rule
 * and the real alerting step (grouping, anomaly baselines in PGlite, the watch list), twice —
 *   (a) normal traffic only: the same days with the scripted misuse left out; every alert here is a false positive;
 *   (b) the full demo: alerts whose evidence holds a scripted event, per rule and per scripted case.
 *
 *   npm run build && node dist/bench/detect-false-positives.js [days] [events-per-day]
 *
 * Prints a Markdown table (rule, alerts on normal traffic, alerts on scripted misuse) for README.md.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { demoScenarios, generateDemo } from '../cli/demo';
import { parseRecord } from '../collector/parse-record';
import { createPseudonymiser } from '../collector/pseudonymise';
import type { Alert } from '../core/stores/alert-store';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createSqlBaselineStore } from '../core/stores/sql-baseline-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import { createPgliteClient } from '../core/sql/pglite-client';
import { migrate } from '../core/sql/migrate';
import { loadTenants } from '../core/tenants';
import type { EcsEvent } from '../core/types';
import { createAlerting } from '../detection/alerting';
import { loadRules } from '../detection/sigma/load-rules';
import type { LoadedRule } from '../detection/sigma/rule-types';

export interface FalsePositiveRow {
  rule: string;
  file: string;
  normal: number;
  scripted: number;
}

export interface FalsePositiveResult {
  days: number;
  normalEvents: number;
  fullEvents: number;
  rows: FalsePositiveRow[];
  /** Scripted case → rule files that alerted on its events. */
  cases: Record<string, string[]>;
}

async function runStream(rules: LoadedRule[], opts: { start: Date; days: number; seed: number; eventsPerDay: number }, withScripted: boolean) {
  const sql = await createPgliteClient(undefined);
  await migrate(sql);
  const store = createSqlAlertStore(sql);
  const pseudonymiser = createPseudonymiser(Buffer.alloc(32, 7));
  const watchlist = createSqlWatchlistStore(sql);
  const watched = demoScenarios(opts).find((s) => s.person)?.person;
  if (watched) await watchlist.add({ list: 'vip', person: pseudonymiser.person(watched), tenant: '*', note: 'demo', createdBy: 'bench' });
  const alerting = createAlerting({ rules, alerts: store, suppressions: createSuppressionStore(sql), baselines: createSqlBaselineStore(sql), watchlist });
  const deps = { pseudonymiser, tenants: loadTenants().ids, keepOriginal: 'none' as const };
  const scripted = new Map<string, string>();
  let batch: EcsEvent[] = [];
  let events = 0;
  for (const rec of generateDemo(opts)) {
    if (rec.scenario && !withScripted) continue;
    const r = parseRecord({ raw: rec.raw }, { tenant: rec.tenant, source: 'demo', parser: rec.parser, transport: 'file', receivedAt: rec.at }, deps);
    if (!r.ok) continue;
    events++;
    if (rec.scenario) scripted.set(r.event.event.id, rec.scenario);
    batch.push(r.event);
    if (batch.length >= 1000) {
      await alerting.onStored(batch);
      batch = [];
    }
  }
  await alerting.onStored(batch);
  await alerting.flush();
  const alerts: Alert[] = [];
  for (let after: string | undefined, first = true; first || after; first = false) {
    const page = await store.search({ scope: '*', size: 1000, after, includeSuppressed: true });
    alerts.push(...page.alerts);
    after = page.next;
  }
  await sql.close();
  return { alerts, scripted, events };
}

/** Runs both streams and builds the table. */
export async function falsePositiveTable(dir: string, days: number, eventsPerDay: number): Promise<FalsePositiveResult> {
  const { rules } = loadRules(dir);
  const fileOf = new Map(rules.map((r) => [r.id, path.basename(r.source.split(':')[0]!)]));
  const titleOf = new Map(rules.map((r) => [r.id, r.title]));
  // Monday 2 November 2026: four weeks after the MFA deadline, so the anomaly rules leave their learning period
  const opts = { start: new Date('2026-11-02T12:00:00Z'), days, seed: 7, eventsPerDay };
  const normal = await runStream(rules, opts, false);
  const full = await runStream(rules, opts, true);
  const rows = new Map<string, FalsePositiveRow>();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { rule: titleOf.get(id) ?? id, file: fileOf.get(id) ?? id, normal: 0, scripted: 0 }));
    return r;
  };
  for (const r of rules) if (r.kind !== 'rule' || !r.correlationOnly) row(r.id);
  for (const a of normal.alerts) row(a.ruleId).normal++;
  const cases: Record<string, string[]> = {};
  for (const a of full.alerts) {
    const hit = a.evidence.map((id) => full.scripted.get(id)).filter((s): s is string => !!s);
    if (!hit.length) continue;
    row(a.ruleId).scripted++;
    for (const s of new Set(hit)) (cases[s] ??= []).push(fileOf.get(a.ruleId) ?? a.ruleId);
  }
  return {
    days, normalEvents: normal.events, fullEvents: full.events, cases,
    rows: [...rows.values()].sort((a, b) => b.normal - a.normal || b.scripted - a.scripted || a.file.localeCompare(b.file)),
  };
}

if (require.main === module) {
  const days = Number(process.argv[2] ?? 28);
  const perDay = Number(process.argv[3] ?? 20000);
  const dir = [path.join(process.cwd(), 'rules'), path.join(__dirname, '..', '..', 'rules')].find(existsSync)!;
  void falsePositiveTable(dir, days, perDay).then((r) => {
    const normal = r.rows.reduce((s, x) => s + x.normal, 0);
    console.log(`${r.days} demo days from 02.11.2026, ${perDay} events per working day: normal traffic ${r.normalEvents} events → ${normal} alerts ` +
      `(${(normal / r.days).toFixed(2)} a day); full demo ${r.fullEvents} events.\n`);
    console.log('| rule | file | alerts on normal traffic | alerts on scripted misuse |');
    console.log('|---|---|---:|---:|');
    for (const x of r.rows) console.log(`| ${x.rule} | ${x.file} | ${x.normal} | ${x.scripted} |`);
    console.log('\nScripted cases → rules that alerted on their events:');
    for (const [s, files] of Object.entries(r.cases)) console.log(`  ${s}: ${[...new Set(files)].join(', ')}`);
  });
}
