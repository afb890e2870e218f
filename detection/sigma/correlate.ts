/**
 * Streaming evaluation of Sigma correlation rules (https://sigmahq.io/docs/meta/correlations.html) over a
 * time-ordered stream: event_count, value_count, temporal and temporal_ordered, per group-by key, within the
 * timespan. State is bounded: at most `maxGroups` groups (least recently touched evicted first) and
 * `maxEntries` events per group.
 *
 * Window semantics. Conditions that zero events cannot satisfy (gt, gte, eq ≥ 1) use a sliding window: the hit is
 * raised by the event that makes the count satisfy the condition, then the group starts afresh (one hit per burst,
 * not one per further event). Conditions that zero satisfies (lt, lte: "too few", e.g. an audit gap) use a tumbling
 * window opened by a group's first event and judged when the stream clock passes its end (any later event).
 */
import { compileFieldGetter, type FieldGetter } from './field-path';
import type { CountCondition, LoadedCorrelationRule, MatchContext } from './rule-types';

/** A correlation firing. */
export interface CorrelationHit {
  ruleId: string;
  /** group-by field → value. */
  group: Record<string, string>;
  groupKey: string;
  /** Events (event_count), distinct values (value_count) or distinct rules (temporal) counted. */
  count: number;
  /** event.id of the evidence, oldest first (at most `maxEvidence`). */
  eventIds: string[];
  /** Stream time of the firing (UTC ms). */
  timeMs: number;
}

/** Limits of the state kept per correlation. */
export interface CorrelatorLimits {
  maxGroups?: number;
  maxEntries?: number;
  maxEvidence?: number;
}

/**
 * What a correlation takes from an event that matched one of its base rules: its group, its counted value and its
 * id. The windows work on feeds only, so they can live elsewhere than the engine (detection/correlation-windows.ts:
 * in this process, or in Redis shared by every collector).
 */
export interface CorrelationFeed {
  ruleId: string;
  baseRuleId: string;
  /** The group-by values joined with U+0000 (the window's key). */
  key: string;
  values: string[];
  /** value_count: the counted field's value. */
  value?: string;
  /** The event's time (UTC ms). */
  timeMs: number;
  /** event.id ('' when the event has none). */
  eventId: string;
}

/** One correlation's state machine. */
export interface Correlator {
  readonly rule: LoadedCorrelationRule;
  /** Feeds an event that matched base rule `baseRuleId`; returns a hit or null. */
  onMatch(baseRuleId: string, event: unknown, ctx: MatchContext, timeMs: number): CorrelationHit | null;
  /** The feed of an event that matched base rule `baseRuleId`: null when it lacks a group-by or counted value. */
  feedOf(baseRuleId: string, event: unknown, ctx: MatchContext, timeMs: number): CorrelationFeed | null;
  /** Takes a feed into the windows; returns a hit or null. `onMatch` is `feedOf` then `onFeed`. */
  onFeed(feed: CorrelationFeed): CorrelationHit | null;
  /** Advances the stream clock: closes tumbling windows that ended; returns their hits. */
  tick(timeMs: number): CorrelationHit[];
  /** Number of groups held (for tests and metrics). */
  groupCount(): number;
}

interface Group {
  values: string[];
  start: number;
  times: number[];
  ids: string[];
  vals: string[];
  distinct: Map<string, number>;
  /** temporal: rule id → last time seen; temporal_ordered: stage → chain start. */
  seen: Map<string, number>;
  seenIds: Map<string, string[]>;
  head: number;
}

/** True when `n` satisfies the condition (all given bounds). */
export function satisfies(c: CountCondition, n: number): boolean {
  return (c.gt === undefined || n > c.gt) && (c.gte === undefined || n >= c.gte) && (c.lt === undefined || n < c.lt) && (c.lte === undefined || n <= c.lte) && (c.eq === undefined || n === c.eq);
}

const NO_HITS: CorrelationHit[] = [];

const eventIdOf = (e: unknown): string => {
  const id = (e as { event?: { id?: unknown } } | null)?.event?.id;
  return typeof id === 'string' ? id : '';
};

const scalarKey = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? v.map(String).join(',') : undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

/**
 * The condition a correlation is judged by (temporal ones without a condition: every rule seen) and whether its
 * windows are tumbling (a condition zero events satisfy, "too few": judged when the clock passes the window's end).
 * Shared by the in-process correlators and the Redis windows (core/stores/redis-correlation-windows.ts).
 */
export function windowKind(rule: LoadedCorrelationRule): { condition: CountCondition; tumbling: boolean } {
  const temporal = rule.type === 'temporal' || rule.type === 'temporal_ordered';
  const condition: CountCondition = temporal && Object.keys(rule.condition).length === 0 ? { gte: rule.ruleIds.length } : rule.condition;
  return { condition, tumbling: !temporal && satisfies(condition, 0) };
}

/**
 * Creates the correlator of one rule.
 * @example const c = createCorrelator(rule); const hit = c.onMatch(baseId, event, ctx, Date.parse(event['@timestamp']))
 */
export function createCorrelator(rule: LoadedCorrelationRule, limits: CorrelatorLimits = {}): Correlator {
  const maxGroups = limits.maxGroups ?? 50_000;
  const maxEntries = limits.maxEntries ?? 10_000;
  const maxEvidence = limits.maxEvidence ?? 100;
  const span = rule.timespanMs;
  const { condition, tumbling } = windowKind(rule);
  const groups = new Map<string, Group>();
  // group-by getters per base rule (Sigma `aliases` map one group name to a field per rule)
  const getters = new Map<string, FieldGetter[]>();
  for (const id of rule.ruleIds) getters.set(id, rule.groupBy.map((g) => compileFieldGetter(rule.aliases[g]?.[id] ?? g)));
  const valueGetter = rule.valueField ? compileFieldGetter(rule.valueField) : undefined;

  const newGroup = (values: string[], t: number): Group => ({ values, start: t, times: [], ids: [], vals: [], distinct: new Map(), seen: new Map(), seenIds: new Map(), head: 0 });

  const hit = (key: string, g: Group, count: number, ids: string[], t: number): CorrelationHit => {
    const group: Record<string, string> = {};
    rule.groupBy.forEach((f, i) => (group[f] = g.values[i]!));
    return { ruleId: rule.id, group, groupKey: key, count, eventIds: ids.slice(-maxEvidence), timeMs: t };
  };

  const evict = (g: Group, t: number): void => {
    while (g.head < g.times.length && (t - g.times[g.head]! > span || g.times.length - g.head > maxEntries)) {
      if (valueGetter) {
        const v = g.vals[g.head]!;
        const n = g.distinct.get(v)! - 1;
        if (n === 0) g.distinct.delete(v);
        else g.distinct.set(v, n);
      }
      g.head++;
    }
    if (g.head > 1024 && g.head * 2 > g.times.length) {
      g.times = g.times.slice(g.head);
      g.ids = g.ids.slice(g.head);
      g.vals = g.vals.slice(g.head);
      g.head = 0;
    }
  };

  const countOf = (g: Group): number => (valueGetter ? g.distinct.size : g.times.length - g.head);

  const feedOf = (baseRuleId: string, event: unknown, ctx: MatchContext, t: number): CorrelationFeed | null => {
    const gs = getters.get(baseRuleId);
    if (!gs) return null;
    let key = '';
    const values: string[] = [];
    for (let i = 0; i < gs.length; i++) {
      const v = scalarKey(gs[i]!(event, ctx));
      if (v === undefined) return null; // an event without a group-by value is not counted
      values.push(v);
      key += i ? `\u0000${v}` : v;
    }
    let value: string | undefined;
    if (valueGetter) {
      value = scalarKey(valueGetter(event, ctx));
      if (value === undefined) return null;
    }
    return { ruleId: rule.id, baseRuleId, key, values, value, timeMs: t, eventId: eventIdOf(event) };
  };

  const onFeed = (feed: CorrelationFeed): CorrelationHit | null => {
    const { baseRuleId, key, values, value, timeMs: t, eventId: id } = feed;
    let g = groups.get(key);
    let closed: CorrelationHit | null = null;
    if (g && tumbling && t - g.start > span) {
      const n = countOf(g);
      if (satisfies(condition, n)) closed = hit(key, g, n, g.ids.slice(g.head), g.start + span);
      groups.delete(key);
      g = undefined;
    }
    if (!g) {
      g = newGroup(values, t);
      if (groups.size >= maxGroups) groups.delete(groups.keys().next().value!);
    } else if (!tumbling) groups.delete(key); // re-inserted below: Map order = least recently touched first
    groups.set(key, g);

    if (rule.type === 'temporal') {
      g.seen.set(baseRuleId, t);
      g.seenIds.set(baseRuleId, [id]);
      for (const [r, at] of g.seen) if (t - at > span) { g.seen.delete(r); g.seenIds.delete(r); }
      if (satisfies(condition, g.seen.size)) {
        const ids = [...g.seenIds.values()].flat();
        groups.delete(key);
        return hit(key, g, g.seen.size, ids, t);
      }
      return null;
    }
    if (rule.type === 'temporal_ordered') {
      const last = rule.ruleIds.length - 1;
      for (let k = last; k >= 0; k--) {
        if (rule.ruleIds[k] !== baseRuleId) continue;
        if (k === 0) {
          g.seen.set('0', t);
          g.seenIds.set('0', [id]);
          continue;
        }
        const start = g.seen.get(String(k - 1));
        if (start === undefined || t - start > span) continue;
        const ids = [...g.seenIds.get(String(k - 1))!, id];
        if (k === last) {
          groups.delete(key);
          return hit(key, g, rule.ruleIds.length, ids, t);
        }
        g.seen.set(String(k), start);
        g.seenIds.set(String(k), ids);
      }
      return null;
    }
    // event_count, value_count
    if (!tumbling) evict(g, t);
    g.times.push(t);
    g.ids.push(id);
    if (valueGetter) {
      g.vals.push(value!);
      g.distinct.set(value!, (g.distinct.get(value!) ?? 0) + 1);
    }
    if (tumbling) {
      if (g.times.length > maxEntries) evict(g, t);
      return closed;
    }
    const n = countOf(g);
    if (satisfies(condition, n)) {
      groups.delete(key);
      return hit(key, g, n, g.ids.slice(g.head), t);
    }
    return closed;
  };

  const tick = (t: number): CorrelationHit[] => {
    if (!tumbling || groups.size === 0) return NO_HITS;
    let out: CorrelationHit[] | undefined;
    // tumbling groups sit in Map order of their window start
    for (const [key, g] of groups) {
      if (t - g.start <= span) break;
      const n = countOf(g);
      if (satisfies(condition, n)) (out ??= []).push(hit(key, g, n, g.ids.slice(g.head), g.start + span));
      groups.delete(key);
    }
    return out ?? NO_HITS;
  };

  const onMatch = (baseRuleId: string, event: unknown, ctx: MatchContext, t: number): CorrelationHit | null => {
    const feed = feedOf(baseRuleId, event, ctx, t);
    return feed ? onFeed(feed) : null;
  };

  return { rule, onMatch, feedOf, onFeed, tick, groupCount: () => groups.size };
}
