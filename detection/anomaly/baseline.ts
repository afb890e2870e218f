/**
 * The per-entity baseline of an anomaly rule (rules/README.md, "Anomaly rules"): when the entity was first and last
 * seen, and the mean and variance (Welford's online algorithm) of its counts per bucket, over its non-empty buckets.
 * Pure functions: the engine applies them to its cached copy, and the baseline store applies the same deltas under
 * a row lock when several instances count the same entity (core/stores/sql-baseline-store.ts).
 */

/** One entity's learned state for one rule. Times are UTC ms. */
export interface Baseline {
  firstSeen: number;
  lastSeen: number;
  /** Closed non-empty buckets folded into the statistics. */
  n: number;
  mean: number;
  /** Sum of squared deviations (Welford): variance = m2 / (n - 1). */
  m2: number;
  /** Start of the bucket being counted, -1 before the first event. */
  bucketStart: number;
  bucketCount: number;
  /** Start of the bucket that already raised an alert (one alert per entity and bucket), -1 when none. */
  alertedBucket: number;
}

/** What one instance changed since its last flush: counts per bucket in time order, the times seen. */
export interface BaselineDelta {
  ruleId: string;
  key: string;
  /** [bucket start, events] in order; consecutive events of one bucket are merged. */
  buckets: Array<[number, number]>;
  firstSeen: number;
  lastSeen: number;
  alertedBucket: number;
}

/** A baseline with nothing learned. */
export function emptyBaseline(): Baseline {
  return { firstSeen: Infinity, lastSeen: -Infinity, n: 0, mean: 0, m2: 0, bucketStart: -1, bucketCount: 0, alertedBucket: -1 };
}

/** Folds one closed bucket's count into the statistics (Welford 1962). */
export function foldBucket(b: Baseline, count: number): void {
  b.n++;
  const d = count - b.mean;
  b.mean += d / b.n;
  b.m2 += d * (count - b.mean);
}

/**
 * Counts `events` into the bucket starting at `start`: the same bucket adds up; a later bucket closes the open one
 * (folded into the statistics) and opens the new one; an earlier bucket (a late event) is not counted.
 */
export function countInBucket(b: Baseline, start: number, events: number): void {
  if (start === b.bucketStart) b.bucketCount += events;
  else if (start > b.bucketStart) {
    if (b.bucketStart >= 0 && b.bucketCount > 0) foldBucket(b, b.bucketCount);
    b.bucketStart = start;
    b.bucketCount = events;
  }
}

/** Sample standard deviation of the folded buckets (0 below two buckets). */
export function stddevOf(b: Baseline): number {
  return b.n > 1 ? Math.sqrt(b.m2 / (b.n - 1)) : 0;
}

/** Applies another instance's (or this one's) delta to a stored baseline, in place. */
export function applyDelta(b: Baseline, d: BaselineDelta): void {
  for (const [start, n] of d.buckets) countInBucket(b, start, n);
  if (d.firstSeen < b.firstSeen) b.firstSeen = d.firstSeen;
  if (d.lastSeen > b.lastSeen) b.lastSeen = d.lastSeen;
  if (d.alertedBucket > b.alertedBucket) b.alertedBucket = d.alertedBucket;
}
