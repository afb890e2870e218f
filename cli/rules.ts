/**
 * `sargs rules test`: loads every rule under rules/ and runs its own test events (the Sargs `tests` extension):
 * each `match` event must raise the rule, each `no_match` event must not; a correlation's sequences go through a
 * fresh engine holding the correlation and its base rules. A load error or a failed test gives a non-zero code
 * (CI refuses a broken rule or one without tests, issue 4 "Rules as data").
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDetectionEngine } from '../detection/engine';
import { newContext, resetContext } from '../detection/sigma/field-path';
import { loadRules } from '../detection/sigma/load-rules';
import type { LoadedAnomalyRule, LoadedCorrelationRule, LoadedDetectionRule, LoadedRule } from '../detection/sigma/rule-types';
import { watchlistLookup } from '../detection/watchlist-lookup';

/** Outcome of one rule's tests. */
export interface RuleTestResult {
  rule: LoadedRule;
  failures: string[];
}

/** The default rules folder: ./rules, else the one beside the sources (or beside dist/). */
export function defaultRulesDir(): string {
  const candidates = [join(process.cwd(), 'rules'), resolve(__dirname, '..', 'rules'), resolve(__dirname, '..', '..', 'rules')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Gives test events an event.id (evidence ids) without touching the loaded copies. */
function withId(e: unknown, id: string): unknown {
  const ev = e as { event?: { id?: unknown } };
  if (typeof ev?.event?.id === 'string') return e;
  return { ...(e as object), event: { ...(ev?.event ?? {}), id } };
}

function testDetection(rule: LoadedDetectionRule): string[] {
  const failures: string[] = [];
  if (!rule.tests) return failures;
  const ctx = newContext();
  ctx.watchlist = watchlistLookup(rule.tests.watchlist ?? []);
  const run = (e: unknown): boolean => {
    resetContext(ctx, e);
    return rule.matcher(e, ctx);
  };
  rule.tests.match.forEach((e, i) => { if (!run(e)) failures.push(`tests.match[${i}] did not match`); });
  rule.tests.noMatch.forEach((e, i) => { if (run(e)) failures.push(`tests.no_match[${i}] matched`); });
  return failures;
}

function testCorrelation(rule: LoadedCorrelationRule | LoadedAnomalyRule, all: LoadedRule[]): string[] {
  const failures: string[] = [];
  if (!rule.tests) return failures;
  const bases = all.filter((r) => rule.ruleIds.includes(r.id));
  const fires = (events: unknown[]): boolean => {
    const engine = createDetectionEngine([...bases, rule]);
    let hit = false;
    events.forEach((e, i) => {
      for (const h of engine.process(withId(e, `test-${i}`))) if (h.ruleId === rule.id) hit = true;
    });
    return hit;
  };
  const what = rule.kind === 'anomaly' ? 'the anomaly rule' : 'the correlation';
  rule.tests.match.forEach((s, i) => { if (!fires(s)) failures.push(`tests.match[${i}] sequence did not raise ${what}`); });
  rule.tests.noMatch.forEach((s, i) => { if (fires(s)) failures.push(`tests.no_match[${i}] sequence raised ${what}`); });
  return failures;
}

/**
 * Runs all rule tests under `dir` (default: the rules folder), printing one line per rule and a summary.
 * @returns 0 when every rule loaded and passed, 1 otherwise.
 * @example process.exitCode = rulesTest()
 */
export function rulesTest(dir: string = defaultRulesDir(), print: (line: string) => void = (l) => console.log(l)): number {
  const { rules, errors, files } = loadRules(dir);
  for (const e of errors) print(`ERROR ${e.file}:${e.line}: ${e.reason}`);
  const results: RuleTestResult[] = rules.map((rule) => ({
    rule,
    failures: rule.kind === 'rule' ? testDetection(rule) : testCorrelation(rule, rules),
  }));
  for (const { rule, failures } of results) {
    const n = rule.kind === 'rule' ? (rule.tests ? rule.tests.match.length + rule.tests.noMatch.length : 0) : rule.tests!.match.length + rule.tests!.noMatch.length;
    const what = rule.kind === 'rule' ? (rule.tests ? `${n} events` : 'base rule, tested through its correlation') : `${rule.kind === 'anomaly' ? 'anomaly ' : ''}${rule.type}, ${n} sequences`;
    if (failures.length === 0) print(`ok    ${rule.id}  ${rule.title}  (${what}; ${rule.source})`);
    else for (const f of failures) print(`FAIL  ${rule.id}  ${rule.title}: ${f} (${rule.source})`);
  }
  const failed = results.filter((r) => r.failures.length > 0).length;
  print(`${files} files, ${rules.length} rules loaded, ${errors.length} refused; ${results.length - failed} passed, ${failed} failed`);
  return errors.length > 0 || failed > 0 ? 1 : 0;
}
