/**
 * Backtesting (issue 4, `sargs rules backtest`): runs chosen rules over events already stored and reports what they
 * would have raised — hits per group key with first and last time and sample evidence — without writing alerts.
 * Events are read through the EventStore port (Elasticsearch or SQL) in time slices, each slice paged with the
 * store's cursor and replayed oldest first, so correlations and anomaly baselines see the stream in order.
 * Anomaly rules learn in memory from the backtested range only (the live baselines are neither read nor changed).
 */
import type { EventStore } from '../core/stores/event-store';
import type { EcsEvent } from '../core/types';
import { createDetectionEngine } from './engine';
import type { LoadedRule, WatchlistLookup } from './sigma/rule-types';

/** What a rule reference given on the command line resolved to. */
export interface RuleSelection {
  /** The rules whose hits are reported. */
  report: LoadedRule[];
  /** Everything the engine needs to run them (their base rules too). */
  run: LoadedRule[];
}

/**
 * Finds rules by id, name, title (case-insensitive, exact) or rule file (path ending as given).
 * @returns the selection, or an error message naming what matched (none, or several titles).
 */
export function selectRules(all: LoadedRule[], ref: string): RuleSelection | { error: string } {
  const r = ref.trim();
  const low = r.toLowerCase();
  let report = all.filter((x) => x.id === low || x.name === r);
  if (!report.length) report = all.filter((x) => x.title.toLowerCase() === low);
  if (!report.length && /\.ya?ml$/i.test(r)) {
    const norm = r.replace(/\\/g, '/').replace(/^\.\//, '');
    const inFile = all.filter((x) => {
      const file = x.source.slice(0, x.source.lastIndexOf(':')).replace(/\\/g, '/');
      return file === norm || file.endsWith(`/${norm}`) || norm.endsWith(`/${file}`) || norm === file;
    });
    report = inFile.filter((x) => x.kind !== 'rule' || !x.correlationOnly);
  }
  if (!report.length) return { error: `no rule with id, name, title or file '${ref}'` };
  const titles = new Set(report.map((x) => x.id));
  if (titles.size > 1 && report.every((x) => x.title.toLowerCase() === low)) {
    return { error: `several rules are titled '${ref}': ${report.map((x) => x.id).join(', ')}; give the id` };
  }
  const run = new Map<string, LoadedRule>(report.map((x) => [x.id, x]));
  for (const x of report) {
    if (x.kind === 'rule') continue;
    for (const id of x.ruleIds) {
      const base = all.find((b) => b.id === id);
      if (base) run.set(base.id, base);
    }
  }
  return { report, run: [...run.values()] };
}

/** One group key's hits. */
export interface BacktestGroup {
  groupKey: string;
  /** A readable entity: the group-by values, else the event's user or address. */
  entity: string;
  hits: number;
  /** Events / distinct values counted over all hits. */
  count: number;
  first: string;
  last: string;
  /** event.id of the first hits' evidence (up to `samples`). */
  evidence: string[];
}

export interface BacktestRuleReport {
  ruleId: string;
  title: string;
  level: string;
  kind: string;
  hits: number;
  groups: BacktestGroup[];
}

export interface BacktestReport {
  from: string;
  to: string;
  tenant?: string;
  events: number;
  rules: BacktestRuleReport[];
}

export interface BacktestOptions {
  from: Date;
  to: Date;
  tenant?: string;
  /** Size of the time slices read oldest first (default 1 hour). */
  sliceMs?: number;
  /** Sample evidence ids per group (default 5). */
  samples?: number;
  watchlist?: WatchlistLookup;
  /** Called after each slice (progress on long ranges). */
  onProgress?: (doneUntil: Date, events: number) => void;
}

const entityOfEvent = (e: EcsEvent): string => {
  const x = e as EcsEvent & { user?: { name?: unknown }; source?: { ip?: unknown } };
  if (typeof x.user?.name === 'string' && x.user.name) return x.user.name;
  if (typeof x.source?.ip === 'string' && x.source.ip) return x.source.ip;
  return '';
};

/**
 * Runs `selection` over the stored events of [from, to).
 * @example const report = await backtest(ctx.events, selectRules(rules, 'Dormant account active again'), { from, to: new Date() })
 */
export async function backtest(store: EventStore, selection: RuleSelection, opts: BacktestOptions): Promise<BacktestReport> {
  const engine = createDetectionEngine(selection.run, undefined, { watchlist: opts.watchlist });
  const wanted = new Map(selection.report.map((r) => [r.id, { rule: r, hits: 0, groups: new Map<string, BacktestGroup>() }]));
  const slice = opts.sliceMs ?? 3_600_000;
  const samples = opts.samples ?? 5;
  const query = { scope: '*' as const, ...(opts.tenant ? { tenant: opts.tenant } : {}) };
  let events = 0;
  for (let t = opts.from.getTime(); t < opts.to.getTime(); t += slice) {
    const from = new Date(t).toISOString();
    const to = new Date(Math.min(t + slice, opts.to.getTime())).toISOString();
    const chunk: EcsEvent[] = [];
    // the store pages newest first (its cursor): read the slice whole, then replay it oldest first
    for (let after: string | undefined, first = true; first || after; first = false) {
      const page = await store.search({ ...query, from, to, size: 1000, after });
      chunk.push(...page.events);
      after = page.next;
    }
    chunk.reverse();
    for (const event of chunk) {
      events++;
      for (const hit of engine.process(event)) {
        const w = wanted.get(hit.ruleId);
        if (!w) continue;
        w.hits++;
        const key = hit.groupKey ?? '';
        let g = w.groups.get(key);
        if (!g) {
          const entity = hit.group ? Object.values(hit.group).join(' / ') : entityOfEvent(event);
          w.groups.set(key, (g = { groupKey: key, entity, hits: 0, count: 0, first: hit.timestamp, last: hit.timestamp, evidence: [] }));
        }
        g.hits++;
        g.count += hit.count;
        if (hit.timestamp < g.first) g.first = hit.timestamp;
        if (hit.timestamp > g.last) g.last = hit.timestamp;
        for (const id of hit.eventIds) if (g.evidence.length < samples) g.evidence.push(id);
      }
    }
    opts.onProgress?.(new Date(to), events);
  }
  return {
    from: opts.from.toISOString(), to: opts.to.toISOString(), ...(opts.tenant ? { tenant: opts.tenant } : {}), events,
    rules: [...wanted.values()].map(({ rule, hits, groups }) => ({
      ruleId: rule.id, title: rule.title, level: rule.level, kind: rule.kind === 'rule' ? 'rule' : rule.kind === 'anomaly' ? `anomaly ${rule.type}` : rule.type,
      hits, groups: [...groups.values()].sort((a, b) => b.hits - a.hits || a.first.localeCompare(b.first)),
    })),
  };
}
