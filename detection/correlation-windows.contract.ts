import type { CorrelationWindows, WindowHit } from './correlation-windows';
import { createDetectionEngine, type DetectionEngine } from './engine';
import { compileDetection } from './sigma/compile';
import type { LoadedCorrelationRule, LoadedDetectionRule, LoadedRule } from './sigma/rule-types';

const BASE_ID = '00000000-0000-4000-8000-000000000001';
const BASE2_ID = '00000000-0000-4000-8000-000000000002';
export const CORR_ID = 'c0000000-0000-4000-8000-000000000000';

function base(id: string, detection: Record<string, unknown>): LoadedDetectionRule {
  return { kind: 'rule', id, title: `base ${id}`, level: 'low', tags: [], source: 't.yml:1', matcher: compileDetection(detection), correlationOnly: true };
}
function corr(over: Partial<LoadedCorrelationRule>): LoadedCorrelationRule {
  return {
    kind: 'correlation', id: CORR_ID, title: 'corr', level: 'high', tags: [], author: 'Sargs', source: 't.yml:20', type: 'event_count',
    ruleIds: [BASE_ID], groupBy: ['user.name'], aliases: {}, timespanMs: 10 * 60000, condition: { gte: 3 }, generate: false, ...over,
  };
}

/** Three failed logins of one user within ten minutes. */
export const bruteForceRules = (): LoadedRule[] => [base(BASE_ID, { sel: failed, condition: 'sel' }), corr({})];
const failed = { 'event.outcome': 'failure' };

const T0 = Date.parse('2026-11-02T08:00:00Z');
let seq = 0;
export const ev = (minute: number, user: string, extra: Record<string, unknown> = {}) => ({
  '@timestamp': new Date(T0 + minute * 60000).toISOString(),
  user: { name: user },
  vps: { tenant: 'riga' },
  ...extra,
  event: { id: `e${seq++}`, outcome: 'failure', ...((extra.event as object) ?? {}) },
});

export type MakeWindows = (rules: readonly LoadedCorrelationRule[]) => Promise<{
  windows: CorrelationWindows;
  /** Another instance on the same shared state (the same windows for the memory adapter). */
  again: () => CorrelationWindows;
}>;

/** Engine (feeds only) → windows, `batch` events per apply. */
export async function run(make: MakeWindows, rules: LoadedRule[], events: unknown[], batch = 1): Promise<WindowHit[]> {
  const engine: DetectionEngine = createDetectionEngine(rules, undefined, { externalWindows: true });
  const { windows } = await make(engine.correlations);
  const hits: WindowHit[] = [];
  try {
    for (let i = 0; i < events.length; i += batch) {
      for (const e of events.slice(i, i + batch)) expect(engine.process(e)).toHaveLength(0);
      const { feeds, clockMs } = engine.takeFeeds();
      hits.push(...(await windows.apply(feeds, clockMs)));
    }
  } finally {
    await windows.close();
  }
  return hits;
}

/**
 * One contract for the correlation windows (detection/correlation-windows.ts): the in-process windows
 * (correlation-windows.test.ts) and Redis (core/stores/redis-correlation-windows.int.test.ts) give the same hits as
 * the engine's own correlators (detection/sigma/correlate.test.ts) for every correlation type.
 */
export function runCorrelationWindowsContract(make: MakeWindows): void {
  const brute = () => [base(BASE_ID, { sel: failed, condition: 'sel' }), corr({})];

  describe.each([1, 3, 100])('in runs of %i events', (batch) => {
    test('event_count: a burst fires once, with group, count, evidence ids oldest first, time and tenant', async () => {
      const evs = [ev(0, 'anna'), ev(2, 'anna'), ev(4, 'anna', { vps: { tenant: 'cesis' } }), ev(5, 'anna')];
      const hits = await run(make, brute(), evs, batch);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ ruleId: CORR_ID, group: { 'user.name': 'anna' }, groupKey: 'anna', count: 3, tenant: 'cesis' });
      expect(hits[0]!.eventIds).toEqual([evs[0]!.event.id, evs[1]!.event.id, evs[2]!.event.id]);
      expect(new Date(hits[0]!.timeMs).toISOString()).toBe(evs[2]!['@timestamp']);
    });

    test('event_count: the same count spread over a longer time does not fire; group-by separates entities', async () => {
      expect(await run(make, brute(), [ev(0, 'anna'), ev(6, 'anna'), ev(12, 'anna'), ev(18, 'anna')], batch)).toHaveLength(0);
      expect(await run(make, brute(), [ev(0, 'anna'), ev(1, 'bob'), ev(2, 'anna'), ev(3, 'bob')], batch)).toHaveLength(0);
      const hits = await run(make, brute(), [ev(0, 'anna'), ev(1, 'bob'), ev(2, 'anna'), ev(3, 'bob'), ev(4, 'bob')], batch);
      expect(hits.map((h) => h.group)).toEqual([{ 'user.name': 'bob' }]);
    });

    test('a group of two fields keeps both values', async () => {
      const rules = [base(BASE_ID, { sel: failed, condition: 'sel' }), corr({ groupBy: ['user.name', 'source.ip'] })];
      const at = (m: number, ip: string) => ev(m, 'anna', { source: { ip } });
      const hits = await run(make, rules, [at(0, '10.0.0.1'), at(1, '10.0.0.2'), at(2, '10.0.0.1'), at(3, '10.0.0.1')], batch);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ group: { 'user.name': 'anna', 'source.ip': '10.0.0.1' }, groupKey: 'anna\u000010.0.0.1', count: 3 });
    });

    test('lt: a window that closes with too few events fires when the clock passes its end (audit gap)', async () => {
      const gap = [base(BASE_ID, { sel: { 'service.name': 'PERS' }, condition: 'sel' }), corr({ groupBy: ['service.name'], condition: { lt: 3 }, timespanMs: 3600000 })];
      const pers = (m: number) => ev(m, 'x', { service: { name: 'PERS' } });
      const other = (m: number) => ev(m, 'y', { service: { name: 'NINO' } });
      expect(await run(make, gap, [pers(0), pers(10), pers(20), pers(30), other(70)], batch)).toHaveLength(0);
      const evs = [pers(0), pers(10), other(30), other(61)];
      const hits = await run(make, gap, evs, batch);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ count: 2, group: { 'service.name': 'PERS' }, eventIds: [evs[0]!.event.id, evs[1]!.event.id] });
      expect(new Date(hits[0]!.timeMs).toISOString()).toBe('2026-11-02T09:00:00.000Z');
      // a window that a later event of its own group closes: judged, and the event opens the next window
      const again = await run(make, gap, [pers(0), pers(61), other(122)], batch);
      expect(again.map((h) => [h.count, new Date(h.timeMs).toISOString()])).toEqual([[1, '2026-11-02T09:00:00.000Z'], [1, '2026-11-02T10:01:00.000Z']]);
    });

    test('value_count: distinct values in the window; values that left it no longer count', async () => {
      const rules = [base(BASE_ID, { sel: { 'event.action': 'person-viewed' }, condition: 'sel' }), corr({ type: 'value_count', valueField: 'vps.subject.person', condition: { gte: 3 } })];
      const view = (m: number, person: string) => ev(m, 'a', { event: { action: 'person-viewed' }, vps: { tenant: 'riga', subject: { person } } });
      expect(await run(make, rules, [view(0, 'p1'), view(1, 'p1'), view(2, 'p2'), view(3, 'p2')], batch)).toHaveLength(0);
      const hits = await run(make, rules, [view(0, 'p1'), view(1, 'p1'), view(2, 'p2'), view(3, 'p3')], batch);
      expect(hits).toHaveLength(1);
      expect(hits[0]!.count).toBe(3);
      expect(hits[0]!.eventIds).toHaveLength(4);
      expect(await run(make, rules, [view(0, 'p1'), view(8, 'p2'), view(15, 'p3')], batch)).toHaveLength(0);
    });

    test('temporal: both rules within the timespan, any order; temporal_ordered: only in the given order', async () => {
      const rules = (type: 'temporal' | 'temporal_ordered') => [
        base(BASE_ID, { sel: { 'event.action': 'login' }, condition: 'sel' }),
        base(BASE2_ID, { sel: { 'event.action': 'export' }, condition: 'sel' }),
        corr({ type, ruleIds: [BASE_ID, BASE2_ID], condition: {} }),
      ];
      const act = (m: number, user: string, action: string) => ev(m, user, { event: { action } });
      const both = [act(0, 'a', 'export'), act(5, 'a', 'login')];
      const hits = await run(make, rules('temporal'), both, batch);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ count: 2, eventIds: [both[0]!.event.id, both[1]!.event.id] });
      expect(await run(make, rules('temporal'), [act(0, 'a', 'export'), act(15, 'a', 'login')], batch)).toHaveLength(0);
      expect(await run(make, rules('temporal'), [act(0, 'a', 'export'), act(5, 'b', 'login')], batch)).toHaveLength(0);
      expect(await run(make, rules('temporal_ordered'), both, batch)).toHaveLength(0);
      const chain = [act(0, 'a', 'login'), act(5, 'a', 'export')];
      const ordered = await run(make, rules('temporal_ordered'), chain, batch);
      expect(ordered).toHaveLength(1);
      expect(ordered[0]!.eventIds).toEqual([chain[0]!.event.id, chain[1]!.event.id]);
      expect(await run(make, rules('temporal_ordered'), [act(0, 'a', 'login'), act(11, 'a', 'export')], batch)).toHaveLength(0);
    });
  });

  test('after a hit the group starts afresh: the next burst fires again', async () => {
    const evs = [0, 1, 2, 3, 4, 5].map((m) => ev(m, 'anna'));
    const hits = await run(make, brute(), evs, 2);
    expect(hits.map((h) => h.count)).toEqual([3, 3]);
    expect(hits[1]!.eventIds).toEqual(evs.slice(3).map((e) => e.event.id));
  });
}

