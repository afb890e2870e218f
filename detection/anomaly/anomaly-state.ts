/**
 * The anomaly engine's working copy of the baselines: an in-process map per (rule, entity), kept in step with the
 * shared baseline store (core/stores/baseline-store.ts) in batches — `prefetch` loads the entities of a batch of
 * events in one query per rule before the engine runs, `flush` writes what changed in one transaction after it.
 * The hot path never waits on the database. Without a store (tests, benchmarks, backtests) it is memory only.
 */
import { baselineKey, type BaselineStore } from '../../core/stores/baseline-store';
import { emptyBaseline, type Baseline, type BaselineDelta } from './baseline';

/** One entity's cached baseline, its changes since the last flush and the evidence of its open bucket. */
export interface StateEntry {
  readonly ruleId: string;
  readonly key: string;
  b: Baseline;
  delta?: BaselineDelta;
  /** event.id of the events counted in the open bucket (at most MAX_EVIDENCE). */
  evidence: string[];
  loadedAt: number;
  /** False once dropped from the state (a holder of the object must ask `entry` again). */
  live: boolean;
}

export interface AnomalyStateOptions {
  store?: BaselineStore;
  /** Most entities held per process (least recently used unchanged ones are dropped first). Default 200,000. */
  maxEntries?: number;
  /** A cached entity is re-read from the store after this long, to see other instances' counts. Default 30 s. */
  refreshMs?: number;
  now?: () => number;
}

export interface AnomalyState {
  /** The entry of (rule, key), an empty one when unknown. Synchronous: call `prefetch` before a batch. */
  entry(ruleId: string, key: string): StateEntry;
  /** Records a change of an entry for the next flush (no-op without a store). */
  changed(e: StateEntry): BaselineDelta | undefined;
  /** Loads the given entities (rule id → keys) that are not cached or are stale. */
  prefetch(wanted: Map<string, Set<string>>): Promise<void>;
  /** Writes the changes since the last flush; returns the number of entities written. */
  flush(): Promise<number>;
  readonly dirty: number;
  readonly size: number;
}

export const MAX_EVIDENCE = 100;

/**
 * Creates the state.
 * @example const state = createAnomalyState({ store }); await state.prefetch(engine.anomalyKeys(batch)); …; await state.flush()
 */
export function createAnomalyState(opts: AnomalyStateOptions = {}): AnomalyState {
  const { store } = opts;
  const max = opts.maxEntries ?? 200_000;
  const refreshMs = opts.refreshMs ?? 30_000;
  const now = opts.now ?? Date.now;
  // one table per rule: the hot path never joins the rule id into a key
  const tables = new Map<string, Map<string, StateEntry>>();
  const dirty = new Set<StateEntry>();
  let size = 0;

  const table = (ruleId: string): Map<string, StateEntry> => {
    let t = tables.get(ruleId);
    if (!t) tables.set(ruleId, (t = new Map()));
    return t;
  };

  /** Drops unchanged entries, oldest created first, down to 90 % of the bound. */
  const evict = (): void => {
    for (const t of tables.values()) {
      for (const [k, e] of t) {
        if (size <= max * 0.9) return;
        if (e.delta) continue;
        t.delete(k);
        e.live = false;
        size--;
      }
    }
  };

  const create = (ruleId: string, key: string, b: Baseline, loadedAt: number): StateEntry => {
    const e: StateEntry = { ruleId, key, b, evidence: [], loadedAt, live: true };
    table(ruleId).set(key, e);
    if (++size > max) evict();
    return e;
  };

  return {
    entry(ruleId, key) {
      return table(ruleId).get(key) ?? create(ruleId, key, emptyBaseline(), now());
    },
    changed(e) {
      if (!store) return undefined;
      if (!e.delta) {
        e.delta = { ruleId: e.ruleId, key: e.key, buckets: [], firstSeen: Infinity, lastSeen: -Infinity, alertedBucket: -1 };
        dirty.add(e);
      }
      return e.delta;
    },
    async prefetch(wanted) {
      if (!store) return;
      const t = now();
      for (const [ruleId, keys] of wanted) {
        const tab = table(ruleId);
        const load: string[] = [];
        for (const key of keys) {
          const e = tab.get(key);
          if (!e || (!e.delta && t - e.loadedAt > refreshMs)) load.push(key);
        }
        if (!load.length) continue;
        const found = await store.load(ruleId, load);
        for (const key of load) {
          const b = found.get(key) ?? emptyBaseline();
          const e = tab.get(key);
          if (!e) create(ruleId, key, b, t);
          else if (!e.delta) {
            // in place: detectors hold the entry object
            if (e.b.bucketStart !== b.bucketStart) e.evidence = [];
            e.b = b;
            e.loadedAt = t;
          } // changed meanwhile: the flush merges it
        }
      }
    },
    async flush() {
      if (!store || dirty.size === 0) return 0;
      const batch = [...dirty];
      const deltas = batch.map((e) => e.delta!);
      for (const e of batch) e.delta = undefined;
      dirty.clear();
      let merged: Map<string, Baseline>;
      try {
        merged = await store.merge(deltas);
      } catch (err) {
        // keep the changes for the next flush (nothing lost when the database is briefly away)
        batch.forEach((e, i) => {
          const kept = deltas[i]!;
          const later = e.delta;
          if (later) {
            kept.buckets.push(...later.buckets);
            kept.firstSeen = Math.min(kept.firstSeen, later.firstSeen);
            kept.lastSeen = Math.max(kept.lastSeen, later.lastSeen);
            kept.alertedBucket = Math.max(kept.alertedBucket, later.alertedBucket);
          }
          e.delta = kept;
          dirty.add(e);
        });
        throw err;
      }
      const t = now();
      for (const e of batch) {
        const b = merged.get(baselineKey(e.ruleId, e.key));
        // other instances' counts are now in the merged row; changes made here since go on top at the next flush
        if (b && !e.delta) {
          e.b = b;
          e.loadedAt = t;
        }
      }
      return batch.length;
    },
    get dirty() {
      return dirty.size;
    },
    get size() {
      return size;
    },
  };
}
