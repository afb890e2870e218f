/**
 * Streaming evaluation of one anomaly rule (rules/README.md "Anomaly rules") over the events its base rules matched:
 * `count` compares the entity's count in the open bucket with its own baseline (mean + k·σ, a ratio of the mean,
 * an absolute floor) once the entity is out of its learning period; `dormant` fires when an entity is active again
 * after a silence longer than the rule's `inactive`.
 */
import { compileFieldGetter, type FieldGetter } from '../sigma/field-path';
import type { LoadedAnomalyRule, MatchContext } from '../sigma/rule-types';
import { countInBucket, stddevOf, type Baseline } from './baseline';
import { MAX_EVIDENCE, type AnomalyState, type StateEntry } from './anomaly-state';

/** What an anomaly rule found: the entity, its count and the baseline it departed from. */
export interface AnomalyFinding {
  group: Record<string, string>;
  groupKey: string;
  count: number;
  eventIds: string[];
  timeMs: number;
  baseline: AnomalyBaselineFigures;
}

/** The figures shown with an anomaly alert. */
export interface AnomalyBaselineFigures {
  type: 'count' | 'dormant';
  /** count: bucket start (ISO), mean and σ of the entity's buckets, buckets learned, the bound exceeded. */
  bucketStart?: string;
  mean?: number;
  stddev?: number;
  buckets?: number;
  threshold?: number;
  /** dormant: when the entity was last active before (ISO) and the days of silence. */
  lastSeen?: string;
  inactiveDays?: number;
}

export interface AnomalyDetector {
  readonly rule: LoadedAnomalyRule;
  /** The entity key of an event its base rule matched, or undefined when a group-by value is missing. */
  keyOf(event: unknown, ctx: MatchContext): string | undefined;
  onMatch(event: unknown, ctx: MatchContext, timeMs: number): AnomalyFinding | null;
}

const scalarKey = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.length ? v.map(String).join(',') : undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

const round = (x: number): number => Math.round(x * 100) / 100;

/** The smallest count that departs from the baseline (every configured bound exceeded). */
export function thresholdOf(rule: LoadedAnomalyRule, b: Baseline): number {
  const { stddev, ratio, minCount } = rule.bound;
  let t = minCount;
  // σ floored at √mean: a user who always does exactly 8 is not anomalous at 9 (counts are Poisson-like)
  if (stddev !== undefined) t = Math.max(t, Math.floor(b.mean + stddev * Math.max(stddevOf(b), Math.sqrt(b.mean))) + 1);
  if (ratio !== undefined) t = Math.max(t, Math.ceil(ratio * b.mean));
  return t;
}

/**
 * Creates the detector of one rule over a shared state.
 * @example const d = createAnomalyDetector(rule, createAnomalyState()); const f = d.onMatch(event, ctx, t)
 */
export function createAnomalyDetector(rule: LoadedAnomalyRule, state: AnomalyState): AnomalyDetector {
  const getters: FieldGetter[] = rule.groupBy.map(compileFieldGetter);
  const span = rule.bucketMs;

  const n = getters.length;
  const values: string[] = new Array<string>(n);
  /** Group values of the event into `values`; false when one is missing. */
  const readValues = (event: unknown, ctx: MatchContext): boolean => {
    for (let i = 0; i < n; i++) {
      const v = scalarKey(getters[i]!(event, ctx));
      if (v === undefined) return false;
      values[i] = v;
    }
    return true;
  };
  const joinValues = (): string => (n === 1 ? values[0]! : values.join('\u001f'));

  const keyOf = (event: unknown, ctx: MatchContext): string | undefined => (readValues(event, ctx) ? joinValues() : undefined);

  // entries by group values, one map level per group-by field: event strings are looked up as they are, no key is
  // built per event (a key string is joined only when an entity is first seen)
  type Index = Map<string, Index | StateEntry>;
  let index: Index = new Map();
  let indexed = 0;
  const entryOf = (): StateEntry => {
    let m = index;
    for (let i = 0; i < n - 1; i++) {
      let next = m.get(values[i]!) as Index | undefined;
      if (!next) m.set(values[i]!, (next = new Map()));
      m = next;
    }
    let e = m.get(values[n - 1]!) as StateEntry | undefined;
    if (!e || !e.live) {
      e = state.entry(rule.id, joinValues());
      m.set(values[n - 1]!, e);
      // dropped entries are forgotten here too, in one sweep, when the index outgrows the state
      if (++indexed > 2 * Math.max(state.size, 10_000)) {
        index = new Map();
        indexed = 0;
      }
    }
    return e;
  };

  const groupOf = (key: string): Record<string, string> => {
    const values = key.split('\u001f');
    const group: Record<string, string> = {};
    rule.groupBy.forEach((f, i) => (group[f] = values[i]!));
    return group;
  };

  const onMatch = (event: unknown, ctx: MatchContext, t: number): AnomalyFinding | null => {
    if (!Number.isFinite(t)) return null;
    if (!readValues(event, ctx)) return null;
    const e = entryOf();
    const key = e.key;
    const b = e.b;
    const d = state.changed(e);
    const id = (event as { event?: { id?: unknown } }).event?.id;
    const prevSeen = b.lastSeen;
    if (t < b.firstSeen) b.firstSeen = t;
    if (t > b.lastSeen) b.lastSeen = t;
    if (d) {
      if (t < d.firstSeen) d.firstSeen = t;
      if (t > d.lastSeen) d.lastSeen = t;
    }

    if (rule.type === 'dormant') {
      // the first sighting of an entity is learning: its last-seen starts here
      if (!Number.isFinite(prevSeen) || t - prevSeen <= rule.inactiveMs) return null;
      return {
        group: groupOf(key), groupKey: key, count: 1, eventIds: typeof id === 'string' ? [id] : [], timeMs: t,
        baseline: { type: 'dormant', lastSeen: new Date(prevSeen).toISOString(), inactiveDays: Math.floor((t - prevSeen) / 86_400_000) },
      };
    }

    const bucket = Math.floor(t / span) * span;
    if (bucket < b.bucketStart) return null; // a late event of a closed bucket
    if (bucket !== b.bucketStart) e.evidence = [];
    countInBucket(b, bucket, 1);
    if (d) {
      const last = d.buckets[d.buckets.length - 1];
      if (last && last[0] === bucket) last[1]++;
      else d.buckets.push([bucket, 1]);
    }
    if (typeof id === 'string' && e.evidence.length < MAX_EVIDENCE) e.evidence.push(id);
    // learning period: no alert until the entity has history enough to have a normal of its own
    if (t - b.firstSeen < rule.learningMs || b.n < rule.minBuckets || b.alertedBucket === bucket) return null;
    const threshold = thresholdOf(rule, b);
    if (b.bucketCount < threshold) return null;
    b.alertedBucket = bucket;
    if (d) d.alertedBucket = bucket;
    return {
      group: groupOf(key), groupKey: key, count: b.bucketCount, eventIds: e.evidence.slice(), timeMs: t,
      baseline: { type: 'count', bucketStart: new Date(bucket).toISOString(), mean: round(b.mean), stddev: round(stddevOf(b)), buckets: b.n, threshold },
    };
  };

  return { rule, keyOf, onMatch };
}
