/**
 * Loads every `*.yml` / `*.yaml` under a rules folder: one Sigma rule per file, or a multi-document correlation
 * file (the correlation and its base rules, Sigma correlation spec). Each file is validated (schema, unique ids and
 * names, known modifiers, a compilable condition, tests present) and compiled; a bad file is refused whole with
 * `file:line: reason` and the other files keep loading.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { ZodError, ZodTypeAny } from 'zod';
import { compileDetection, RuleCompileError } from './compile';
import { detectionRequirements } from './gate';
import { expandDottedKeys } from './field-path';
import { expandSequence, timespanToMs } from '../anomaly/test-series';
import { anomalySchema, baseRuleSchema, correlationSchema, ruleSchema, TIMESPAN, type AnomalyDoc, type BaseRuleDoc, type CorrelationDoc } from './rule-schema';
import type { LoadedAnomalyRule, LoadedCorrelationRule, LoadedDetectionRule, LoadedRule, LoadRulesResult, RuleLoadError, SigmaLevel } from './rule-types';

class FileError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Lists rule files under `dir`, sorted, recursively. */
function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
    // a key's line: find the pair in its parent map
    if (n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
      const pair = items?.find((it) => it.key?.value === path[n - 1]);
      if (pair?.key?.range) return lc.linePos(pair.key.range[0]).line;
    }
  }
  return 1;
}

function validate<T>(schema: ZodTypeAny, value: unknown, doc: Document, lc: LineCounter): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data as T;
  const issue = (r.error as ZodError).issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new FileError(lineOf(doc, lc, issue.path), `${where}${issue.message}`);
}

function timespanMs(s: string): number {
  const m = TIMESPAN.exec(s)!;
  return Number(m[1]) * { s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

const authorOf = (a: unknown): string | undefined => (typeof a === 'string' ? a : undefined);

function detectionRule(d: BaseRuleDoc, doc: Document, lc: LineCounter, file: string, inCorrelationFile: boolean): LoadedDetectionRule {
  let matcher;
  try {
    matcher = compileDetection(d.detection as Record<string, unknown>);
  } catch (err) {
    if (err instanceof RuleCompileError) throw new FileError(lineOf(doc, lc, err.path), `detection: ${err.message}`);
    throw err;
  }
  return {
    kind: 'rule', id: d.id.toLowerCase(), name: d.name, title: d.title, level: (d.level ?? 'medium') as SigmaLevel, status: d.status,
    tags: d.tags ?? [], author: authorOf(d.author), description: d.description, source: `${file}:${lineOf(doc, lc, [])}`,
    matcher, requirements: detectionRequirements(d.detection as Record<string, unknown>), correlationOnly: inCorrelationFile,
    tests: d.tests ? { match: d.tests.match.map(expandDottedKeys), noMatch: d.tests.no_match.map(expandDottedKeys), watchlist: d.tests.watchlist } : undefined,
  };
}

function correlationRule(d: CorrelationDoc, doc: Document, lc: LineCounter, file: string): LoadedCorrelationRule {
  const c = d.correlation;
  const valueField = c.condition?.field ?? c.field;
  if (c.type === 'value_count' && !valueField) throw new FileError(lineOf(doc, lc, ['correlation', 'condition']), 'correlation: value_count needs condition.field');
  if ((c.type === 'event_count' || c.type === 'value_count') && !c.condition) throw new FileError(lineOf(doc, lc, ['correlation']), `correlation: ${c.type} needs a condition`);
  const { field: _f, ...condition } = c.condition ?? {};
  const seq = (xs: { events: Record<string, unknown>[] }[]): unknown[][] => xs.map((x) => x.events.map(expandDottedKeys));
  return {
    kind: 'correlation', id: d.id.toLowerCase(), name: d.name, title: d.title, level: d.level, status: d.status, tags: d.tags ?? [],
    author: authorOf(d.author), description: d.description, source: `${file}:${lineOf(doc, lc, [])}`,
    type: c.type, ruleIds: c.rules, groupBy: c['group-by'] ?? [], aliases: c.aliases ?? {}, timespanMs: timespanMs(c.timespan),
    condition, valueField, generate: c.generate ?? false,
    tests: { match: seq(d.tests.match), noMatch: seq(d.tests.no_match) },
  };
}

const DAY = 86_400_000;

function anomalyRule(d: AnomalyDoc, doc: Document, lc: LineCounter, file: string): LoadedAnomalyRule {
  const a = d['x-sargs-anomaly'];
  return {
    kind: 'anomaly', id: d.id.toLowerCase(), name: d.name, title: d.title, level: d.level, status: d.status, tags: d.tags ?? [],
    author: authorOf(d.author), description: d.description, source: `${file}:${lineOf(doc, lc, [])}`,
    type: a.type, ruleIds: a.rules, groupBy: a['group-by'],
    bucketMs: a.bucket ? timespanToMs(a.bucket) : DAY,
    learningMs: a.learning ? timespanToMs(a.learning) : 14 * DAY,
    minBuckets: a['min-buckets'] ?? 5,
    bound: { stddev: a.bound?.stddev, ratio: a.bound?.ratio, minCount: a.bound?.['min-count'] ?? 1 },
    inactiveMs: a.inactive ? timespanToMs(a.inactive) : 90 * DAY,
    tests: { match: d.tests.match.map(expandSequence), noMatch: d.tests.no_match.map(expandSequence) },
  };
}

/** Parses, validates and compiles one file's documents. */
function loadFile(path: string, file: string): LoadedRule[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { lineCounter: lc });
  if (!Array.isArray(docs)) throw new FileError(1, 'not a YAML document stream');
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new FileError(err.linePos?.[0]?.line ?? 1, `YAML: ${err.message.split('\n')[0]}`);
  }
  const parts = docs.map((doc) => ({ doc, value: doc.toJS({ maxAliasCount: 100 }) as unknown })).filter((p) => p.value !== null && p.value !== undefined);
  if (parts.length === 0) throw new FileError(1, 'file holds no rule');
  const isAnomaly = (v: unknown): boolean => typeof v === 'object' && v !== null && 'x-sargs-anomaly' in v;
  const isCorr = (v: unknown): boolean => typeof v === 'object' && v !== null && ('correlation' in v || 'x-sargs-anomaly' in v);
  const corrFile = parts.some((p) => isCorr(p.value));
  if (!corrFile && parts.length > 1) throw new FileError(lineOf(parts[1]!.doc, lc, []), 'one rule per file (several documents are for correlation files only)');
  return parts.map(({ doc, value }) => {
    if (typeof value !== 'object' || Array.isArray(value)) throw new FileError(lineOf(doc, lc, []), 'a rule must be a YAML map');
    if (isAnomaly(value)) return anomalyRule(validate<AnomalyDoc>(anomalySchema, value, doc, lc), doc, lc, file);
    if (isCorr(value)) return correlationRule(validate<CorrelationDoc>(correlationSchema, value, doc, lc), doc, lc, file);
    const schema = corrFile ? baseRuleSchema : ruleSchema;
    return detectionRule(validate<BaseRuleDoc>(schema, value, doc, lc), doc, lc, file, corrFile);
  });
}

const lineFromSource = (s: string): number => Number(s.slice(s.lastIndexOf(':') + 1)) || 1;

/**
 * Loads all rules under `dir`. Never throws for a bad rule file: it goes to `errors` and is left out.
 * @example const { rules, errors } = loadRules('rules'); for (const e of errors) console.error(`${e.file}:${e.line}: ${e.reason}`)
 */
export function loadRules(dir: string): LoadRulesResult {
  const errors: RuleLoadError[] = [];
  const byFile = new Map<string, LoadedRule[]>();
  const paths = ruleFiles(dir);
  for (const path of paths) {
    const file = relative(process.cwd(), path) || path;
    try {
      byFile.set(file, loadFile(path, file));
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      errors.push({ file, line: err.line, reason: err.message });
    }
  }
  // unique ids and names across files (SigmaHQ CI): a later file repeating one is refused
  const seen = new Map<string, string>();
  for (const [file, rules] of [...byFile]) {
    const clash = rules.flatMap((r) => [r.id, ...(r.name ? [`name:${r.name}`] : [])]).find((k) => seen.has(k));
    const own = new Set<string>();
    const selfClash = rules.flatMap((r) => [r.id, ...(r.name ? [`name:${r.name}`] : [])]).find((k) => (own.has(k) ? true : (own.add(k), false)));
    if (clash || selfClash) {
      const k = (clash ?? selfClash)!;
      const rule = rules.find((r) => r.id === k || `name:${r.name}` === k)!;
      errors.push({ file, line: lineFromSource(rule.source), reason: `duplicate ${k.startsWith('name:') ? 'name' : 'id'} ${k.replace(/^name:/, '')}${clash ? ` (first in ${seen.get(k)})` : ''}` });
      byFile.delete(file);
      continue;
    }
    for (const r of rules) for (const k of [r.id, ...(r.name ? [`name:${r.name}`] : [])]) seen.set(k, r.source);
  }
  // correlations reference detection rules by id or name
  const all = [...byFile.values()].flat();
  const index = new Map<string, LoadedRule>();
  for (const r of all) {
    index.set(r.id, r);
    if (r.name) index.set(r.name, r);
  }
  for (const [file, rules] of [...byFile]) {
    for (const r of rules) {
      if (r.kind === 'rule') continue;
      const missing = r.ruleIds.find((ref) => index.get(ref.toLowerCase())?.kind !== 'rule' && index.get(ref)?.kind !== 'rule');
      if (missing) {
        const where = r.kind === 'anomaly' ? 'x-sargs-anomaly.rules' : 'correlation.rules';
        errors.push({ file, line: lineFromSource(r.source), reason: `${where}: "${missing}" is no loaded detection rule` });
        byFile.delete(file);
        break;
      }
      r.ruleIds = r.ruleIds.map((ref) => (index.get(ref) ?? index.get(ref.toLowerCase()))!.id);
      if (r.kind === 'anomaly') continue;
      for (const alias of Object.values(r.aliases)) {
        for (const ref of Object.keys(alias)) {
          const target = index.get(ref) ?? index.get(ref.toLowerCase());
          if (target && target.id !== ref) alias[target.id] = alias[ref]!;
        }
      }
    }
  }
  const rules = [...byFile.values()].flat();
  // Sigma `generate`: base rules of correlation files raise hits of their own only when a correlation says so
  for (const r of rules) {
    if (r.kind === 'correlation' && r.generate) {
      for (const id of r.ruleIds) {
        const base = rules.find((x) => x.id === id);
        if (base?.kind === 'rule') base.correlationOnly = false;
      }
    }
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { rules, errors, files: paths.length };
}
