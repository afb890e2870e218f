/**
 * `sargs rules backtest <rule> --since <date> [--until <date>] [--tenant T] [--dir rules] [--json]`: what a rule
 * would have raised over stored events (detection/backtest.ts). Writes no alerts. Bad arguments: a message naming
 * the argument and exit code 2.
 */
import { parseArgs } from 'node:util';
import type { Runtime } from './runtime';
import { backtest, selectRules, type BacktestReport } from '../detection/backtest';
import { loadRules } from '../detection/sigma/load-rules';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import { watchlistLookup } from '../detection/watchlist-lookup';
import { defaultRulesDir } from './rules';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;

/** A date or date-time: YYYY-MM-DD (midnight UTC) or an ISO 8601 time with zone. */
export function parseWhen(s: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(s)) return undefined;
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function printReport(r: BacktestReport, print: (l: string) => void): void {
  print(`Backtest ${r.from} – ${r.to}${r.tenant ? ` (tenant ${r.tenant})` : ''}: ${r.events} stored events replayed; no alerts written.`);
  for (const rule of r.rules) {
    print('');
    print(`${rule.ruleId}  ${rule.title}  [${rule.kind}, ${rule.level}]: ${rule.hits} hit${rule.hits === 1 ? '' : 's'} in ${rule.groups.length} group${rule.groups.length === 1 ? '' : 's'}`);
    for (const g of rule.groups.slice(0, 50)) {
      print(`  ${g.entity || '(no entity)'}: ${g.hits} hit(s), count ${g.count}, first ${g.first}, last ${g.last}; evidence ${g.evidence.join(', ')}`);
    }
    if (rule.groups.length > 50) print(`  … ${rule.groups.length - 50} more groups (use --json for all)`);
  }
}

/**
 * Runs the command; resolves with the exit code.
 * @example sargs rules backtest 'Dormant account active again' --since 2026-11-01
 */
export async function rulesBacktest(args: string[], withRuntime: WithRuntime, print: (l: string) => void = (l) => console.log(l), fail: (l: string) => void = (l) => console.error(l)): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { since: { type: 'string' }, until: { type: 'string' }, tenant: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const usage = 'usage: sargs rules backtest <rule id | name | title | file> --since <date> [--until <date>] [--tenant T] [--json]';
  if (positionals.length !== 1) {
    fail(`sargs rules backtest: give exactly one rule (${positionals.length} given)\n${usage}`);
    return 2;
  }
  if (!values.since) {
    fail(`sargs rules backtest: --since is required\n${usage}`);
    return 2;
  }
  const from = parseWhen(values.since);
  if (!from) {
    fail(`sargs rules backtest: --since '${values.since}' is not a date (YYYY-MM-DD or an ISO 8601 time)`);
    return 2;
  }
  const to = values.until === undefined ? new Date() : parseWhen(values.until);
  if (!to) {
    fail(`sargs rules backtest: --until '${values.until}' is not a date (YYYY-MM-DD or an ISO 8601 time)`);
    return 2;
  }
  if (!(from < to)) {
    fail(`sargs rules backtest: --since must be before --until (${from.toISOString()} ≥ ${to.toISOString()})`);
    return 2;
  }
  const { rules, errors } = loadRules(values.dir ?? defaultRulesDir());
  for (const e of errors) fail(`rule refused: ${e.file}:${e.line}: ${e.reason}`);
  const selection = selectRules(rules, positionals[0]!);
  if ('error' in selection) {
    fail(`sargs rules backtest: ${selection.error}`);
    return 2;
  }
  return withRuntime(async (rt) => {
    if (values.tenant !== undefined && !rt.ctx.tenants.has(values.tenant)) {
      fail(`sargs rules backtest: unknown tenant '${values.tenant}' (see policies/tenants.yaml)`);
      return 2;
    }
    const watchlist = watchlistLookup(await createSqlWatchlistStore(rt.sql).list('*'));
    const report = await backtest(rt.ctx.events, selection, { from, to, tenant: values.tenant, watchlist });
    if (values.json) print(JSON.stringify(report));
    else printReport(report, print);
    return 0;
  });
}
