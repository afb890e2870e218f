import { createDetectionEngine } from '../engine';
import { compileDetection } from './compile';
import type { LoadedCorrelationRule, LoadedDetectionRule, LoadedRule } from './rule-types';

const BASE_ID = '00000000-0000-4000-8000-000000000001';
const BASE2_ID = '00000000-0000-4000-8000-000000000002';

function base(id: string, detection: Record<string, unknown>, correlationOnly = true): LoadedDetectionRule {
  return { kind: 'rule', id, title: `base ${id}`, level: 'low', tags: [], source: 't.yml:1', matcher: compileDetection(detection), correlationOnly };
}
function corr(over: Partial<LoadedCorrelationRule>): LoadedCorrelationRule {
  return {
    kind: 'correlation', id: 'c0000000-0000-4000-8000-000000000000', title: 'corr', level: 'high', tags: ['attack.t1110'], author: 'Sargs',
    source: 't.yml:20', type: 'event_count', ruleIds: [BASE_ID], groupBy: ['user.name'], aliases: {}, timespanMs: 10 * 60000,
    condition: { gte: 3 }, generate: false, ...over,
  };
}
const failed = { 'event.outcome': 'failure' };
const T0 = Date.parse('2026-11-02T08:00:00Z');
let n = 0;
const ev = (minute: number, user: string, extra: Record<string, unknown> = {}) => ({
  '@timestamp': new Date(T0 + minute * 60000).toISOString(),
  event: { id: `e${n++}`, outcome: 'failure', ...((extra.event as object) ?? {}) },
  user: { name: user },
  ...extra,
});
function run(rules: LoadedRule[], events: unknown[]) {
  const engine = createDetectionEngine(rules);
  return events.flatMap((e) => engine.process(e));
}

describe('event_count', () => {
  const rules = () => [base(BASE_ID, { sel: failed, condition: 'sel' }), corr({})];
  it('a burst inside the timespan fires once, with group key, count and evidence ids', () => {
    const evs = [ev(0, 'anna'), ev(2, 'anna'), ev(4, 'anna'), ev(5, 'anna')];
    const hits = run(rules(), evs);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ ruleId: corr({}).id, kind: 'event_count', group: { 'user.name': 'anna' }, count: 3, level: 'high', author: 'Sargs', tags: ['attack.t1110'] });
    expect(hits[0]!.eventIds).toEqual([evs[0]!.event.id, evs[1]!.event.id, evs[2]!.event.id]);
    expect(hits[0]!.timestamp).toBe(evs[2]!['@timestamp']);
  });
  it('the same count spread over a longer time does not fire', () => {
    expect(run(rules(), [ev(0, 'anna'), ev(6, 'anna'), ev(12, 'anna'), ev(18, 'anna')])).toHaveLength(0);
  });
  it('group-by separates entities', () => {
    expect(run(rules(), [ev(0, 'anna'), ev(1, 'bob'), ev(2, 'anna'), ev(3, 'bob')])).toHaveLength(0);
    const hits = run(rules(), [ev(0, 'anna'), ev(1, 'bob'), ev(2, 'anna'), ev(3, 'bob'), ev(4, 'bob')]);
    expect(hits.map((h) => h.group)).toEqual([{ 'user.name': 'bob' }]);
  });
  it('base rules of a correlation raise nothing alone unless generate: true', () => {
    expect(run(rules(), [ev(0, 'anna')])).toHaveLength(0);
    const gen = [base(BASE_ID, { sel: failed, condition: 'sel' }, false), corr({ generate: true })];
    expect(run(gen, [ev(0, 'anna')]).map((h) => h.kind)).toEqual(['rule']);
  });
  it('lt: a window that closes with too few events fires when the clock passes its end (audit gap)', () => {
    const gap = [base(BASE_ID, { sel: { 'service.name': 'PERS' }, condition: 'sel' }), corr({ groupBy: ['service.name'], condition: { lt: 3 }, timespanMs: 3600000 })];
    const pers = (m: number) => ev(m, 'x', { service: { name: 'PERS' } });
    const other = (m: number) => ev(m, 'y', { service: { name: 'NINO' } });
    expect(run(gap, [pers(0), pers(10), pers(20), pers(30), other(70)])).toHaveLength(0);
    const hits = run(gap, [pers(0), pers(10), other(30), other(61)]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ count: 2, group: { 'service.name': 'PERS' }, timestamp: '2026-11-02T09:00:00.000Z' });
  });
  it('state stays bounded: least recently touched groups are evicted', () => {
    const engine = createDetectionEngine([base(BASE_ID, { sel: failed, condition: 'sel' }), corr({})], { maxGroups: 100 });
    for (let i = 0; i < 1000; i++) engine.process(ev(0, `u${i}`));
    // 1000 distinct users, only 100 groups kept; no hit since each has one event
    expect(engine.process(ev(1, 'u999'))).toHaveLength(0);
  });
});

describe('value_count', () => {
  const rules = () => [
    base(BASE_ID, { sel: { 'event.action': 'person-viewed' }, condition: 'sel' }),
    corr({ type: 'value_count', valueField: 'vps.subject.person', condition: { gte: 3 } }),
  ];
  const view = (m: number, user: string, person: string) => ev(m, user, { event: { action: 'person-viewed' }, vps: { subject: { person } } });
  it('counts distinct values in the window', () => {
    expect(run(rules(), [view(0, 'a', 'p1'), view(1, 'a', 'p1'), view(2, 'a', 'p2'), view(3, 'a', 'p2')])).toHaveLength(0);
    const hits = run(rules(), [view(0, 'a', 'p1'), view(1, 'a', 'p1'), view(2, 'a', 'p2'), view(3, 'a', 'p3')]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.count).toBe(3);
  });
  it('values that left the window no longer count', () => {
    expect(run(rules(), [view(0, 'a', 'p1'), view(8, 'a', 'p2'), view(15, 'a', 'p3')])).toHaveLength(0);
  });
});

describe('temporal and temporal_ordered', () => {
  const rules = (type: 'temporal' | 'temporal_ordered') => [
    base(BASE_ID, { sel: { 'event.action': 'login' }, condition: 'sel' }),
    base(BASE2_ID, { sel: { 'event.action': 'export' }, condition: 'sel' }),
    corr({ type, ruleIds: [BASE_ID, BASE2_ID], condition: {} }),
  ];
  const act = (m: number, user: string, action: string) => ev(m, user, { event: { action } });
  it('temporal: both rules within the timespan, any order', () => {
    expect(run(rules('temporal'), [act(0, 'a', 'export'), act(5, 'a', 'login')])).toHaveLength(1);
    expect(run(rules('temporal'), [act(0, 'a', 'export'), act(15, 'a', 'login')])).toHaveLength(0);
    expect(run(rules('temporal'), [act(0, 'a', 'export'), act(5, 'b', 'login')])).toHaveLength(0);
  });
  it('temporal_ordered: only in the given order', () => {
    expect(run(rules('temporal_ordered'), [act(0, 'a', 'export'), act(5, 'a', 'login')])).toHaveLength(0);
    const hits = run(rules('temporal_ordered'), [act(0, 'a', 'login'), act(5, 'a', 'export')]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.eventIds).toHaveLength(2);
    expect(run(rules('temporal_ordered'), [act(0, 'a', 'login'), act(11, 'a', 'export')])).toHaveLength(0);
  });
});
