/**
 * The streaming detection engine: every Sigma rule and correlation on each event, in arrival order, as the event
 * is ingested (no schedule). Base rules are compiled matchers; correlations keep bounded per-group windows.
 */
import { createAnomalyDetector, type AnomalyBaselineFigures, type AnomalyDetector, type AnomalyFinding } from './anomaly/anomaly-detector';
import { createAnomalyState, type AnomalyState } from './anomaly/anomaly-state';
import { createCorrelator, type CorrelationHit, type Correlator, type CorrelatorLimits } from './sigma/correlate';
import { newContext, resetContext } from './sigma/field-path';
import type { LoadedAnomalyRule, LoadedCorrelationRule, LoadedDetectionRule, LoadedRule, SigmaLevel, WatchlistLookup } from './sigma/rule-types';

/** What a rule raised. Carries the rule's author: the Sigma rule licence asks for attribution. */
export interface DetectionHit {
  ruleId: string;
  title: string;
  level: SigmaLevel;
  tags: string[];
  author?: string;
  /** `rule` for a single-event match, the correlation type, or `anomaly` (x-sargs-anomaly rules). */
  kind: 'rule' | LoadedCorrelationRule['type'] | 'anomaly';
  /** Correlations: group-by field → value, and the joined key. */
  group?: Record<string, string>;
  groupKey?: string;
  /** 1 for a rule; events / distinct values / rules counted for a correlation. */
  count: number;
  /** event.id of the evidence. */
  eventIds: string[];
  /** When it fired (ISO, UTC): the event's @timestamp, or the end of a closed window. */
  timestamp: string;
  /** Anomaly rules: the entity's baseline and the bound it departed from. */
  baseline?: AnomalyBaselineFigures;
}

/** The engine. */
export interface DetectionEngine {
  /** Runs every rule on one event; returns its hits (a shared empty array when none: do not mutate it). */
  process(event: unknown): DetectionHit[];
  readonly ruleCount: number;
  /** The anomaly rules' entities touched by these events (rule id → keys), to prefetch their baselines. */
  anomalyKeys(events: readonly unknown[]): Map<string, Set<string>>;
  /** The baselines the anomaly rules work on (in memory unless given in the options). */
  readonly anomalies: AnomalyState;
  /** Replaces the watch list behind the `sargs.watchlist` pseudo-field. */
  setWatchlist(lookup: WatchlistLookup | undefined): void;
}

/** What the engine works with besides its rules. */
export interface DetectionEngineOptions {
  /** Anomaly baselines (default: in memory only). */
  anomalies?: AnomalyState;
  watchlist?: WatchlistLookup;
}

const NO_HITS: DetectionHit[] = Object.freeze([]) as unknown as DetectionHit[];

const isoOf = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString());

function correlationHit(c: LoadedCorrelationRule, h: CorrelationHit): DetectionHit {
  return {
    ruleId: c.id, title: c.title, level: c.level, tags: c.tags, author: c.author, kind: c.type,
    group: h.group, groupKey: h.groupKey, count: h.count, eventIds: h.eventIds, timestamp: isoOf(h.timeMs),
  };
}

function anomalyHit(a: LoadedAnomalyRule, f: AnomalyFinding): DetectionHit {
  return {
    ruleId: a.id, title: a.title, level: a.level, tags: a.tags, author: a.author, kind: 'anomaly', group: f.group, groupKey: f.groupKey,
    count: f.count, eventIds: f.eventIds, timestamp: isoOf(f.timeMs), baseline: f.baseline,
  };
}

/**
 * Builds an engine over loaded rules (detection/sigma/load-rules.ts).
 * @example const engine = createDetectionEngine(loadRules('rules').rules); for (const e of events) alerts.push(...engine.process(e))
 */
export function createDetectionEngine(rules: LoadedRule[], limits?: CorrelatorLimits, opts: DetectionEngineOptions = {}): DetectionEngine {
  const detections = rules.filter((r): r is LoadedDetectionRule => r.kind === 'rule');
  const correlators: Correlator[] = rules.filter((r): r is LoadedCorrelationRule => r.kind === 'correlation').map((r) => createCorrelator(r, limits));
  const anomalies = opts.anomalies ?? createAnomalyState();
  const detectors: AnomalyDetector[] = rules.filter((r): r is LoadedAnomalyRule => r.kind === 'anomaly').map((r) => createAnomalyDetector(r, anomalies));
  const subscribers = detections.map((d) => correlators.filter((c) => c.rule.ruleIds.includes(d.id)));
  const anomalySubscribers = detections.map((d) => detectors.filter((a) => a.rule.ruleIds.includes(d.id)));
  const matchers = detections.map((d) => d.matcher);
  const ctx = newContext();
  ctx.watchlist = opts.watchlist;
  let clock = NaN;

  const process = (event: unknown): DetectionHit[] => {
    resetContext(ctx, event);
    // a time-ordered stream: an event without a usable @timestamp takes the last known time
    const t = Number.isNaN(ctx.timeMs) ? clock : ctx.timeMs;
    if (!Number.isNaN(t) && !(t < clock)) clock = t;
    let hits = NO_HITS;
    if (!Number.isNaN(clock)) for (const c of correlators) {
      const closed = c.tick(clock);
      if (closed.length) for (const h of closed) (hits === NO_HITS ? (hits = []) : hits).push(correlationHit(c.rule, h));
    }
    let fired: CorrelationHit[] | undefined;
    let firedBy: Correlator[] | undefined;
    for (let i = 0; i < matchers.length; i++) {
      if (!matchers[i]!(event, ctx)) continue;
      const d = detections[i]!;
      if (!d.correlationOnly) {
        if (hits === NO_HITS) hits = [];
        const id = (event as { event?: { id?: unknown } }).event?.id;
        hits.push({
          ruleId: d.id, title: d.title, level: d.level, tags: d.tags, author: d.author, kind: 'rule', count: 1,
          eventIds: typeof id === 'string' ? [id] : [], timestamp: isoOf(t),
        });
      }
      for (const c of subscribers[i]!) {
        const h = c.onMatch(d.id, event, ctx, Number.isNaN(t) ? 0 : t);
        if (h) {
          (fired ??= []).push(h);
          (firedBy ??= []).push(c);
        }
      }
      const anomalyRules = anomalySubscribers[i]!;
      if (anomalyRules.length) for (const a of anomalyRules) {
        const f = a.onMatch(event, ctx, t);
        if (f) (hits === NO_HITS ? (hits = []) : hits).push(anomalyHit(a.rule, f));
      }
    }
    if (fired) {
      if (hits === NO_HITS) hits = [];
      for (let i = 0; i < fired.length; i++) hits.push(correlationHit(firedBy![i]!.rule, fired[i]!));
    }
    return hits;
  };

  const anomalyKeys = (events: readonly unknown[]): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    if (!detectors.length) return out;
    const kctx = newContext();
    kctx.watchlist = ctx.watchlist;
    for (const event of events) {
      resetContext(kctx, event);
      for (let i = 0; i < matchers.length; i++) {
        const subs = anomalySubscribers[i]!;
        if (!subs.length || !matchers[i]!(event, kctx)) continue;
        for (const a of subs) {
          const key = a.keyOf(event, kctx);
          if (key === undefined) continue;
          let set = out.get(a.rule.id);
          if (!set) out.set(a.rule.id, (set = new Set()));
          set.add(key);
        }
      }
    }
    return out;
  };

  return {
    process, ruleCount: rules.length, anomalyKeys, anomalies,
    setWatchlist(lookup) {
      ctx.watchlist = lookup;
    },
  };
}
