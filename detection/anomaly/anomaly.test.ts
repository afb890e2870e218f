import { createDetectionEngine } from '../engine';
import { compileDetection } from '../sigma/compile';
import type { LoadedAnomalyRule, LoadedDetectionRule } from '../sigma/rule-types';
import { countInBucket, emptyBaseline, stddevOf } from './baseline';
import { thresholdOf } from './anomaly-detector';
import { expandSequence } from './test-series';

const H = 3_600_000;
const DAY = 24 * H;
const base: LoadedDetectionRule = {
  kind: 'rule', id: 'base', title: 'base', level: 'low', tags: [], source: 't:1', correlationOnly: true,
  matcher: compileDetection({ sel: { 'event.action': 'person_lookup' }, condition: 'sel' }),
};
const rule = (over: Partial<LoadedAnomalyRule> = {}): LoadedAnomalyRule => ({
  kind: 'anomaly', id: 'anomaly', title: 'lookups unusual for the user', level: 'medium', tags: [], source: 't:2', type: 'count',
  ruleIds: ['base'], groupBy: ['user.name'], bucketMs: H, learningMs: 7 * DAY, minBuckets: 5,
  bound: { stddev: 3, ratio: 2, minCount: 20 }, inactiveMs: 90 * DAY, tests: { match: [], noMatch: [] }, ...over,
});
const lookup = (user: string, t: number, n: number) => ({ '@timestamp': new Date(t).toISOString(), event: { action: 'person_lookup', id: `${user}-${t}-${n}` }, user: { name: user } });
const T0 = Date.UTC(2026, 9, 5, 7);

/** `perHour` lookups in one hour of each of `days` days. */
function history(user: string, days: number, perHour: number): unknown[] {
  const out: unknown[] = [];
  for (let d = 0; d < days; d++) for (let i = 0; i < perHour; i++) out.push(lookup(user, T0 + d * DAY + i * 60_000, i));
  return out;
}

describe('anomaly baselines', () => {
  test("Welford's mean and variance over the entity's non-empty buckets", () => {
    const b = emptyBaseline();
    for (const [i, n] of [4, 6, 8, 2].entries()) countInBucket(b, i * H, n);
    countInBucket(b, 10 * H, 1); // closes the bucket of 2; the empty hours between are not buckets
    expect(b).toMatchObject({ n: 4, mean: 5, bucketStart: 10 * H, bucketCount: 1 });
    expect(stddevOf(b)).toBeCloseTo(Math.sqrt(20 / 3));
    countInBucket(b, 3 * H, 5); // late: not counted
    expect(b.bucketCount).toBe(1);
  });

  test('the threshold takes every bound, with σ floored at √mean and an absolute floor', () => {
    const b = { ...emptyBaseline(), n: 10, mean: 9, m2: 0 };
    expect(thresholdOf(rule(), b)).toBe(20); // mean + 3·√9 = 18 → 19; ratio 18; floor 20
    expect(thresholdOf(rule({ bound: { stddev: 3, minCount: 1 } }), b)).toBe(19);
    expect(thresholdOf(rule({ bound: { ratio: 4, minCount: 1 } }), b)).toBe(36);
  });
});

describe('count anomaly in the engine', () => {
  const run = (events: unknown[], r = rule()) => {
    const engine = createDetectionEngine([base, r]);
    return events.flatMap((e) => engine.process(e));
  };

  test("a user departing from their own normal alerts once per bucket, with the baseline's figures", () => {
    const spike = Array.from({ length: 40 }, (_, i) => lookup('anna', T0 + 10 * DAY + i * 30_000, i));
    const hits = run([...history('anna', 10, 8), ...spike]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ ruleId: 'anomaly', kind: 'anomaly', group: { 'user.name': 'anna' }, count: 20 });
    expect(hits[0]!.baseline).toMatchObject({ type: 'count', mean: 8, stddev: 0, buckets: 10, threshold: 20 });
    expect(hits[0]!.eventIds).toHaveLength(20);
    expect(hits[0]!.eventIds[0]).toBe(`anna-${T0 + 10 * DAY}-0`);
  });

  test("another user's normal is their own: 40 an hour is normal for a heavy user", () => {
    const spike = Array.from({ length: 40 }, (_, i) => lookup('liga', T0 + 10 * DAY + i * 60_000, i));
    expect(run([...history('liga', 10, 35), ...spike])).toHaveLength(0);
  });

  test('no alert in the learning period (too few days or too few buckets)', () => {
    const spike = Array.from({ length: 60 }, (_, i) => lookup('anna', T0 + 3 * DAY + i * 30_000, i));
    expect(run([...history('anna', 3, 8), ...spike])).toHaveLength(0);
    const late = Array.from({ length: 60 }, (_, i) => lookup('anna', T0 + 10 * DAY + i * 30_000, i));
    expect(run([lookup('anna', T0, 0), ...late])).toHaveLength(0); // 10 days, but one bucket learned
  });
});

describe('dormant anomaly in the engine', () => {
  const dormant = rule({ id: 'dormant', type: 'dormant' });
  test('activity after a silence longer than the bound alerts once; the first sighting and short absences do not', () => {
    const engine = createDetectionEngine([base, dormant]);
    const hits = [lookup('anna', T0, 0), lookup('anna', T0 + 60 * DAY, 1), lookup('anna', T0 + 151 * DAY, 2), lookup('anna', T0 + 151 * DAY + 60_000, 3)]
      .flatMap((e) => engine.process(e));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ ruleId: 'dormant', group: { 'user.name': 'anna' }, eventIds: [`anna-${T0 + 151 * DAY}-2`] });
    expect(hits[0]!.baseline).toMatchObject({ type: 'dormant', inactiveDays: 91, lastSeen: new Date(T0 + 60 * DAY).toISOString() });
  });
});

describe('test series', () => {
  test('expands bursts and repeats in time order, skipping weekends on request, with ids', () => {
    const events = expandSequence({
      events: [{ '@timestamp': '2026-10-05T07:30:00Z', 'event.action': 'x' }],
      series: [{ event: { 'event.action': 'y' }, start: '2026-10-02T07:00:00Z', count: 2, spacing: '1h', repeat: 4, period: '1d', weekdays: true }],
    }) as Array<{ '@timestamp': string; event: { id: string; action: string } }>;
    // Fri 2 Oct, (Sat, Sun skipped), Mon 5 Oct: 2 + 2 series events and the explicit one between them
    expect(events.map((e) => `${e['@timestamp'].slice(5, 16)} ${e.event.action}`)).toEqual([
      '10-02T07:00 y', '10-02T08:00 y', '10-05T07:00 y', '10-05T07:30 x', '10-05T08:00 y',
    ]);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(5);
  });
});

describe('anomaly rule files', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const { loadRules } = require('../sigma/load-rules') as typeof import('../sigma/load-rules');
  const { rulesTest } = require('../../cli/rules') as typeof import('../../cli/rules');
  const file = (anomaly: string, tests: string): string => `title: Base
id: 4d015a22-25b4-42c3-a586-46fdc6c90d8d
name: base_lookup
logsource: { product: vps }
detection: { sel: { event.action: person_lookup }, condition: sel }
---
title: Lookups unusual for the user
id: 1295ccc4-4223-485c-8983-f44e36c707fe
status: experimental
description: test
author: Sargs
date: 2026-12-01
level: medium
x-sargs-anomaly:
${anomaly}
tests:
${tests}
`;
  const good = '  type: count\n  rules: [base_lookup]\n  group-by: [user.name]\n  bucket: 1h\n  learning: 2d\n  min-buckets: 2\n  bound: { stddev: 3, min-count: 10 }';
  const ev = "{ event.action: person_lookup, user.name: anna }";
  const seq = (n: number) => `    - series:\n        - { event: ${ev}, start: '2026-10-05T07:00:00Z', count: 3, spacing: 5m, repeat: 4 }\n        - { event: ${ev}, start: '2026-10-09T07:00:00Z', count: ${n}, spacing: 1m }`;
  const inDir = (text: string) => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'sargs-anomaly-'));
    fs.writeFileSync(join(dir, 'rule.yml'), text);
    return dir;
  };

  test('a bad anomaly block is refused with file, line and reason', () => {
    const dir = inDir(file('  type: count\n  rules: [base_lookup]\n  group-by: [user.name]\n  bucket: 1h', `  match:\n${seq(30)}\n  no_match:\n${seq(3)}`));
    const { errors, rules } = loadRules(dir);
    expect(rules).toHaveLength(0);
    expect(errors).toEqual([expect.objectContaining({ line: 15, reason: expect.stringMatching(/x-sargs-anomaly\.bound: a count anomaly needs a bound/) })]);
    const unknown = loadRules(inDir(file(good.replace('[base_lookup]', '[nope]'), `  match:\n${seq(30)}\n  no_match:\n${seq(3)}`)));
    expect(unknown.errors[0]!.reason).toMatch(/x-sargs-anomaly\.rules: "nope" is no loaded detection rule/);
  });

  test('sargs rules test runs the sequences and fails a rule whose departure does not alert', () => {
    const lines: string[] = [];
    expect(rulesTest(inDir(file(good, `  match:\n${seq(30)}\n  no_match:\n${seq(3)}`)), (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/ok .*anomaly count, 2 sequences/);
    lines.length = 0;
    expect(rulesTest(inDir(file(good, `  match:\n${seq(5)}\n  no_match:\n${seq(3)}`)), (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL .*tests\.match\[0\] sequence did not raise the anomaly rule/);
  });
});
