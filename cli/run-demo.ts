import type { IntakeSink, ParserName } from '../core/types';
import { demoScenarios, generateDemo } from './demo';

export interface DemoSummary {
  records: number;
  created: number;
  duplicates: number;
  spooled: number;
  rejected: number;
  from: string;
  to: string;
  scenarios: Array<{ id: string; title: string }>;
}

/**
 * Feeds `sargs demo` traffic through the same intake as every transport (parsers, pseudonymisation, store),
 * ending now: the last `days` days in Europe/Riga.
 */
export async function runDemo(
  intake: IntakeSink,
  opts: { days: number; seed: number; eventsPerDay: number; end?: Date; watch?: (personCode: string, note: string) => Promise<void> },
): Promise<DemoSummary> {
  const end = opts.end ?? new Date();
  const start = new Date(end.getTime() - (opts.days - 1) * 86_400_000);
  const o = { start, days: opts.days, seed: opts.seed, eventsPerDay: opts.eventsPerDay };
  // The watch-list case needs its resident on the deployment's watch list (as a pseudonym) before the traffic.
  for (const s of demoScenarios(o)) if (s.person && opts.watch) await opts.watch(s.person, `sargs demo: ${s.id}`);
  const sum: DemoSummary = { records: 0, created: 0, duplicates: 0, spooled: 0, rejected: 0, from: '', to: '', scenarios: [] };
  const batches = new Map<string, Array<{ raw: string }>>();
  const flush = async (key: string) => {
    const b = batches.get(key);
    if (!b?.length) return;
    batches.delete(key);
    const [tenant, parser] = key.split('|');
    const out = await intake.accept(b, { tenant, parser: parser as ParserName, source: 'demo', transport: 'demo' });
    for (const x of out) {
      if (x.status === 'created') sum.created++;
      else if (x.status === 'duplicate') sum.duplicates++;
      else if (x.status === 'spooled') sum.spooled++;
      else sum.rejected++;
    }
  };
  for (const r of generateDemo(o)) {
    if (r.at > end.toISOString()) continue; // nothing from the future
    sum.records++;
    if (!sum.from) sum.from = r.at;
    sum.to = r.at;
    const key = `${r.tenant}|${r.parser}`;
    let b = batches.get(key);
    if (!b) batches.set(key, (b = []));
    b.push({ raw: r.raw });
    if (b.length >= 1000) await flush(key);
  }
  for (const key of [...batches.keys()]) await flush(key);
  sum.scenarios = demoScenarios(o).map((s) => ({ id: s.id, title: s.title }));
  return sum;
}
