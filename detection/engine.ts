/**
 * The streaming detection engine: every Sigma rule and correlation on each event, in arrival order, as the event
 * is ingested (no schedule). Base rules are compiled matchers; correlations keep bounded per-group windows.
 */
import { createAnomalyDetector, type AnomalyBaselineFigures, type AnomalyDetector, type AnomalyFinding } from './anomaly/anomaly-detector';
import { createAnomalyState, type AnomalyState } from './anomaly/anomaly-state';
import { createCorrelator, type CorrelationHit, type Correlator, type CorrelatorLimits } from './sigma/correlate';
import { compileFieldGetter, newContext, resetContext, type FieldGetter } from './sigma/field-path';
import type { WindowFeed } from './correlation-windows';
import { chooseGates, gateKey } from './sigma/gate';
import type { LoadedAnomalyRule, LoadedCorrelationRule, LoadedDetectionRule, LoadedRule, MatchContext, SigmaLevel, WatchlistLookup } from './sigma/rule-types';

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
  /**
   * Whether the event last given to `process` was taken into a correlation or anomaly window, so that a later hit
   * may name it as evidence (callers keep what they need to know about such events only).
   */
  retained(): boolean;
  /** The anomaly rules' entities touched by these events (rule id → keys), to prefetch their baselines. */
  anomalyKeys(events: readonly unknown[]): Map<string, Set<string>>;
  /** The baselines the anomaly rules work on (in memory unless given in the options). */
  readonly anomalies: AnomalyState;
  /** Replaces the watch list behind the `sargs.watchlist` pseudo-field. */
  setWatchlist(lookup: WatchlistLookup | undefined): void;
  /** The correlation rules (for the windows outside the engine). */
  readonly correlations: readonly LoadedCorrelationRule[];
  /**
   * With `externalWindows`: the feeds of the events processed since the last call, in order, and the stream clock
   * (hand them to detection/correlation-windows.ts). Empty otherwise.
   */
  takeFeeds(): { feeds: WindowFeed[]; clockMs: number };
}

/** What the engine works with besides its rules. */
export interface DetectionEngineOptions {
  /** Anomaly baselines (default: in memory only). */
  anomalies?: AnomalyState;
  watchlist?: WatchlistLookup;
  /**
   * Correlation windows are kept outside the engine (detection/correlation-windows.ts, as the alerting step does: in
   * this process or in Redis): `process` returns no correlation hits and leaves the correlations' feeds for `takeFeeds`.
   */
  externalWindows?: boolean;
}

const NO_HITS: DetectionHit[] = Object.freeze([]) as unknown as DetectionHit[];

const isoOf = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString());

/** A correlation firing as a detection hit. */
export function correlationHit(c: LoadedCorrelationRule, h: CorrelationHit): DetectionHit {
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
 * The rules' gates (detection/sigma/gate.ts) indexed by field and value: per event, each gate field is read once and
 * one map lookup per value marks the rules the event can match; unmarked gated rules are skipped without running
 * their matchers. With 61 rules over a mixed stream most matchers are skipped (a Windows logon never meets the
 * VPS audit rules' `event.dataset`).
 */
function createGateIndex(detections: readonly LoadedDetectionRule[]): {
  /** Marks the rules `event` may match; returns the mark to pass to `passes`. */
  open(event: unknown, ctx: MatchContext): number;
  passes(mark: number, rule: number): boolean;
} {
  const gates = chooseGates(detections.map((d) => d.requirements));
  const gated = new Uint8Array(detections.length);
  const fields = new Map<string, { get: FieldGetter; byValue: Map<string, number[]> }>();
  gates.forEach((g, i) => {
    if (!g) return;
    gated[i] = 1;
    let f = fields.get(g.field);
    if (!f) fields.set(g.field, (f = { get: compileFieldGetter(g.field), byValue: new Map() }));
    for (const v of g.values) {
      const list = f.byValue.get(v);
      if (list) list.push(i);
      else f.byValue.set(v, [i]);
    }
  });
  const index = [...fields.values()];
  const stamp = new Uint32Array(detections.length);
  let mark = 0;
  const markAll = (rules: number[] | undefined) => {
    if (rules) for (let k = 0; k < rules.length; k++) stamp[rules[k]!] = mark;
  };
  return {
    open(event, ctx) {
      if (++mark === 0xffffffff) {
        stamp.fill(0);
        mark = 1;
      }
      for (let k = 0; k < index.length; k++) {
        const f = index[k]!;
        const v = f.get(event, ctx);
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) {
          for (const el of v) if (el !== undefined && el !== null) markAll(f.byValue.get(gateKey(el)));
        } else markAll(f.byValue.get(gateKey(v)));
      }
      return mark;
    },
    passes: (m, i) => gated[i] === 0 || stamp[i] === m,
  };
}

/**
 * Builds an engine over loaded rules (detection/sigma/load-rules.ts).
 * @example const engine = createDetectionEngine(loadRules('rules').rules); for (const e of events) alerts.push(...engine.process(e))
 */
export function createDetectionEngine(rules: LoadedRule[], limits?: CorrelatorLimits, opts: DetectionEngineOptions = {}): DetectionEngine {
  const detections = rules.filter((r): r is LoadedDetectionRule => r.kind === 'rule');
  const correlations = rules.filter((r): r is LoadedCorrelationRule => r.kind === 'correlation');
  const correlators: Correlator[] = correlations.map((r) => createCorrelator(r, limits));
  const external = opts.externalWindows === true;
  let feeds: WindowFeed[] = [];
  const anomalies = opts.anomalies ?? createAnomalyState();
  const detectors: AnomalyDetector[] = rules.filter((r): r is LoadedAnomalyRule => r.kind === 'anomaly').map((r) => createAnomalyDetector(r, anomalies));
  const subscribers = detections.map((d) => correlators.filter((c) => c.rule.ruleIds.includes(d.id)));
  const anomalySubscribers = detections.map((d) => detectors.filter((a) => a.rule.ruleIds.includes(d.id)));
  const matchers = detections.map((d) => d.matcher);
  /** Indexes of the rules that feed an anomaly rule. */
  const feedsAnomalies = anomalySubscribers.flatMap((subs, i) => (subs.length ? [i] : []));
  const gate = createGateIndex(detections);
  const ctx = newContext();
  ctx.watchlist = opts.watchlist;
  let clock = NaN;
  let lastRetained = false;

  const process = (event: unknown): DetectionHit[] => {
    lastRetained = false;
    resetContext(ctx, event);
    // a time-ordered stream: an event without a usable @timestamp takes the last known time
    const t = Number.isNaN(ctx.timeMs) ? clock : ctx.timeMs;
    if (!Number.isNaN(t) && !(t < clock)) clock = t;
    let hits = NO_HITS;
    if (!external && !Number.isNaN(clock)) for (const c of correlators) {
      const closed = c.tick(clock);
      if (closed.length) for (const h of closed) (hits === NO_HITS ? (hits = []) : hits).push(correlationHit(c.rule, h));
    }
    let fired: CorrelationHit[] | undefined;
    let firedBy: Correlator[] | undefined;
    const open = gate.open(event, ctx);
    for (let i = 0; i < matchers.length; i++) {
      if (!gate.passes(open, i) || !matchers[i]!(event, ctx)) continue;
      const d = detections[i]!;
      if (!d.correlationOnly) {
        if (hits === NO_HITS) hits = [];
        const id = (event as { event?: { id?: unknown } }).event?.id;
        hits.push({
          ruleId: d.id, title: d.title, level: d.level, tags: d.tags, author: d.author, kind: 'rule', count: 1,
          eventIds: typeof id === 'string' ? [id] : [], timestamp: isoOf(t),
        });
      }
      const subs = subscribers[i]!;
      if (subs.length || anomalySubscribers[i]!.length) lastRetained = true;
      if (external) {
        for (const c of subs) {
          const f = c.feedOf(d.id, event, ctx, Number.isNaN(t) ? 0 : t) as WindowFeed | null;
          if (!f) continue;
          f.clockMs = clock;
          const tenant = (event as { vps?: { tenant?: unknown } }).vps?.tenant;
          if (typeof tenant === 'string') f.tenant = tenant;
          feeds.push(f);
        }
      } else for (const c of subs) {
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
      const open = gate.open(event, kctx);
      for (const i of feedsAnomalies) {
        const subs = anomalySubscribers[i]!;
        if (!gate.passes(open, i) || !matchers[i]!(event, kctx)) continue;
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
    process, ruleCount: rules.length, anomalyKeys, anomalies, correlations,
    retained: () => lastRetained,
    takeFeeds() {
      const taken = feeds;
      feeds = [];
      return { feeds: taken, clockMs: clock };
    },
    setWatchlist(lookup) {
      ctx.watchlist = lookup;
    },
  };
}
