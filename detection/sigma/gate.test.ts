import { join } from 'node:path';
import type { EcsEvent } from '../../core/types';
import { parsedDemo } from '../testing/demo-events';
import { createDetectionEngine } from '../engine';
import { compileFieldGetter, newContext, resetContext } from './field-path';
import { chooseGates, detectionRequirements, gateKey } from './gate';
import { loadRules } from './load-rules';
import type { LoadedDetectionRule } from './rule-types';

const req = (detection: Record<string, unknown>) =>
  Object.fromEntries([...detectionRequirements(detection)].map(([f, vs]) => [f, [...vs].sort()]));

describe('detectionRequirements', () => {
  it('takes plain equality fields of a selection, lowercased, numbers as text', () => {
    expect(req({ sel: { 'event.dataset': 'VPS.Audit', 'event.code': [4624, '4625'] }, condition: 'sel' })).toEqual({
      'event.dataset': ['vps.audit'],
      'event.code': ['4624', '4625'],
    });
  });

  it('ignores modifiers, wildcards, nulls, keyword searches and pseudo-fields', () => {
    expect(
      req({
        sel: {
          'event.action|contains': 'export',
          'url.path': '/admin*',
          'user.name': null,
          'service.name': ['PERS', null],
          'sargs.riga.working_day': false,
          'event.outcome|cased': 'success',
        },
        kw: ['select'],
        condition: 'sel and kw',
      }),
    ).toEqual({});
  });

  it('keeps an escaped wildcard as a literal', () => {
    expect(req({ sel: { 'file.name': 'a\\*b' }, condition: 'sel' })).toEqual({ 'file.name': ['a*b'] });
  });

  it('OR keeps only the fields both sides require, with the values of either', () => {
    expect(
      req({
        a: { 'event.dataset': 'vps.audit', 'event.action': 'export' },
        b: { 'event.dataset': 'oracle.audit' },
        condition: 'a or b',
      }),
    ).toEqual({ 'event.dataset': ['oracle.audit', 'vps.audit'] });
    expect(req({ sel: [{ 'event.code': 4624 }, { 'event.code': 4625, 'winlog.channel': 'Security' }], condition: 'sel' })).toEqual({
      'event.code': ['4624', '4625'],
    });
    expect(req({ a: { 'event.code': 1 }, b: { 'event.action': 'x' }, condition: 'a or b' })).toEqual({});
  });

  it('AND keeps the requirements of both sides; NOT requires nothing', () => {
    expect(req({ a: { 'event.dataset': 'vps.audit' }, f: { 'user.name': 'svc' }, condition: 'a and not f' })).toEqual({
      'event.dataset': ['vps.audit'],
    });
    expect(req({ a: { 'event.dataset': 'x' }, f: { 'user.name': 'svc' }, condition: 'not f' })).toEqual({});
  });

  it('reads "1 of" as OR and "all of" as AND over the named searches, and a condition list as OR', () => {
    const d = { sel_a: { 'event.code': 1, 'host.name': 'a' }, sel_b: { 'event.code': 2 }, other: { 'user.name': 'u' } };
    expect(req({ ...d, condition: '1 of sel_*' })).toEqual({ 'event.code': ['1', '2'] });
    expect(req({ ...d, condition: 'all of sel_* and other' })).toEqual({ 'event.code': ['1'], 'host.name': ['a'], 'user.name': ['u'] });
    expect(req({ ...d, condition: ['sel_a', 'sel_b'] })).toEqual({ 'event.code': ['1', '2'] });
  });

  it('gives nothing for a condition that does not parse', () => {
    expect(req({ sel: { a: 1 }, condition: 'sel and (' })).toEqual({});
  });
});

describe('chooseGates', () => {
  it('prefers the field most rules require, then the fewest values', () => {
    const r = (o: Record<string, string[]>) => new Map(Object.entries(o).map(([k, v]) => [k, new Set(v)]));
    const gates = chooseGates([
      r({ 'event.dataset': ['vps.audit'], 'event.action': ['export'] }),
      r({ 'event.dataset': ['vps.audit', 'oracle.audit'] }),
      r({ 'event.code': ['4624', '4625'], 'winlog.channel': ['security'] }),
      undefined,
    ]);
    expect(gates.map((g) => g?.field)).toEqual(['event.dataset', 'event.dataset', 'winlog.channel', undefined]);
  });
});

/** Demo days through the intake's parser: the events the engine sees in production. */
const demoDays = (days: number): EcsEvent[] => parsedDemo({ start: new Date('2026-11-23T00:00:00Z'), days, seed: 11 }).events;

describe('gates over rules/ (never reject an event the rule matches)', () => {
  const { rules } = loadRules(join(__dirname, '..', '..', 'rules'));
  const detections = rules.filter((r): r is LoadedDetectionRule => r.kind === 'rule');
  const gates = chooseGates(detections.map((d) => d.requirements));
  const events = demoDays(2);
  const testEvents = detections.flatMap((d) => [...(d.tests?.match ?? []), ...(d.tests?.noMatch ?? [])]);

  it('every rule that matches an event (rule tests and two demo days) passes its gate', () => {
    const ctx = newContext();
    const missed: string[] = [];
    let skipped = 0;
    let checks = 0;
    detections.forEach((d, i) => {
      const g = gates[i];
      const get = g && compileFieldGetter(g.field);
      for (const e of [...testEvents, ...events]) {
        resetContext(ctx, e);
        checks++;
        if (!g || !get) continue;
        const v = get(e, ctx);
        const vs = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
        const passes = vs.some((x) => x !== undefined && x !== null && g.values.has(gateKey(x)));
        if (!passes) skipped++;
        if (!passes && d.matcher(e, ctx)) missed.push(`${d.source}: gate ${g.field} rejected a matching event`);
      }
    });
    expect(missed).toEqual([]);
    // most rules have a gate, and most matcher calls on a demo stream are spared
    expect(gates.filter(Boolean).length).toBeGreaterThanOrEqual(Math.ceil(detections.length * 0.8));
    expect(skipped / checks).toBeGreaterThan(0.5);
  });

  it('the engine raises the same hits with and without gates', () => {
    const withGates = createDetectionEngine(rules);
    const without = createDetectionEngine(rules.map((r) => (r.kind === 'rule' ? { ...r, requirements: undefined } : r)));
    const a = events.flatMap((e) => withGates.process(e).map((h) => `${h.ruleId} ${h.eventIds.join(',')} ${h.count}`));
    const b = events.flatMap((e) => without.process(e).map((h) => `${h.ruleId} ${h.eventIds.join(',')} ${h.count}`));
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});
