/**
 * Types of loaded Sigma rules (https://sigmahq.io/docs/basics/rules.html) and Sigma correlation rules
 * (https://sigmahq.io/docs/meta/correlations.html), plus the Sargs `tests` extension.
 */

/** Sigma rule levels. */
export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** Per-event evaluation state shared by every matcher while one event is processed (reused, no allocation). */
export interface MatchContext {
  event: unknown;
  /** @timestamp as UTC ms, NaN when absent or unparsable; computed by `resetContext`. */
  timeMs: number;
  /** Riga hour (0–23); -1 until computed. */
  rigaHour: number;
  /** 1 working day, 0 not, -1 until computed. */
  rigaWorkingDay: number;
  /** The deployment's watch list, for the `sargs.watchlist` pseudo-field (absent: no list). */
  watchlist?: WatchlistLookup;
}

/**
 * The watch list as the engine sees it: the list names a person pseudonym is on for a user (entries may be limited
 * to one user, e.g. a staff member's own family), or undefined.
 */
/** The lists holding `person` for an event by `user` in `tenant` (the event's vps.tenant), or undefined. */
export type WatchlistLookup = (person: string, user: string | undefined, tenant: string | undefined) => string[] | undefined;

/** A watch-list entry of a rule's tests (`tests.watchlist`). */
export interface WatchlistEntryFixture {
  list: string;
  person: string;
  user?: string;
}

/** A compiled matcher of one rule's detection. */
export type EventMatcher = (event: unknown, ctx: MatchContext) => boolean;

/** What every rule carries for the hits it raises (the Sigma licence asks to keep `author`). */
export interface RuleMeta {
  id: string;
  name?: string;
  title: string;
  level: SigmaLevel;
  status?: string;
  tags: string[];
  author?: string;
  description?: string;
  /** Where it was loaded from, `file:line`. */
  source: string;
}

/** A Sigma detection rule with its compiled matcher. */
export interface LoadedDetectionRule extends RuleMeta {
  kind: 'rule';
  matcher: EventMatcher;
  /**
   * Plain-equality requirements of the detection (field → lowercased values), from detection/sigma/gate.ts: the
   * engine skips the matcher on events that cannot meet them. Absent: the matcher always runs.
   */
  requirements?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Events that must / must not raise the rule (dotted keys already expanded). */
  tests?: { match: unknown[]; noMatch: unknown[]; watchlist?: WatchlistEntryFixture[] };
  /** True when it sits in a correlation file and only feeds correlations (Sigma `generate: false`). */
  correlationOnly: boolean;
}

/** A numeric condition of a correlation rule. */
export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}

/** A Sigma correlation rule. */
export interface LoadedCorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
  /** Referenced rules, resolved to ids, in the order given. */
  ruleIds: string[];
  groupBy: string[];
  /** group-by alias → (rule id → field) (Sigma `aliases`). */
  aliases: Record<string, Record<string, string>>;
  timespanMs: number;
  condition: CountCondition;
  /** value_count: the field whose distinct values are counted. */
  valueField?: string;
  /** Sigma `generate`: the referenced rules raise their own hits too. */
  generate: boolean;
  /** Sequences of events: each `match` sequence must raise the correlation, each `noMatch` must not. */
  tests?: { match: unknown[][]; noMatch: unknown[][] };
}

/** Bounds of a count anomaly: every given bound must be exceeded, and the count must reach `minCount`. */
export interface AnomalyBound {
  /** count > mean + stddev × σ (σ floored at √mean: counts are Poisson-like). */
  stddev?: number;
  /** count ≥ ratio × mean. */
  ratio?: number;
  /** count ≥ minCount (an absolute floor against alerts on tiny numbers). */
  minCount: number;
}

/**
 * A Sargs anomaly rule (`x-sargs-anomaly`, rules/README.md): a per-entity baseline learned from the events of its
 * base rules. `count`: events per bucket against the entity's own mean and spread; `dormant`: activity after a
 * silence longer than `inactiveMs` since the entity was last seen.
 */
export interface LoadedAnomalyRule extends RuleMeta {
  kind: 'anomaly';
  type: 'count' | 'dormant';
  ruleIds: string[];
  groupBy: string[];
  bucketMs: number;
  /** No alert until the entity was first seen this long ago. */
  learningMs: number;
  /** …and has this many non-empty buckets folded into its baseline. */
  minBuckets: number;
  bound: AnomalyBound;
  inactiveMs: number;
  /** Sequences of events (series expanded): each `match` sequence must raise the rule, each `noMatch` must not. */
  tests: { match: unknown[][]; noMatch: unknown[][] };
}

export type LoadedRule = LoadedDetectionRule | LoadedCorrelationRule | LoadedAnomalyRule;

/** A load error, `file:line: reason`. */
export interface RuleLoadError {
  file: string;
  line: number;
  reason: string;
}

/** What `loadRules` returns: good rules keep loading when another file is refused. */
export interface LoadRulesResult {
  rules: LoadedRule[];
  errors: RuleLoadError[];
  /** Files read. */
  files: number;
}
