import type { Baseline, BaselineDelta } from '../../detection/anomaly/baseline';

/**
 * The port of anomaly baselines (issue 4, "Anomaly rules"): per rule and entity, what detection/anomaly learned.
 * The state survives restarts and is shared by every collector instance: each instance sends the changes it made
 * (`BaselineDelta`), and the store applies them to the stored row under a lock, so two instances counting the same
 * entity add up instead of overwriting each other. Adapter: SQL (PGlite embedded, Postgres with DATABASE_URL);
 * both pass core/stores/baseline-store.contract.ts.
 */
export interface BaselineStore {
  /** Stored baselines of these entities of one rule (absent keys are not in the map). */
  load(ruleId: string, keys: string[]): Promise<Map<string, Baseline>>;
  /**
   * Applies the deltas atomically and returns the resulting baselines, keyed by `baselineKey(ruleId, key)`.
   * Deltas of one entity from several instances commute for counts in the same bucket.
   */
  merge(deltas: BaselineDelta[]): Promise<Map<string, Baseline>>;
  /** Drops the baselines of a rule (a rule whose meaning changed relearns from scratch); returns rows deleted. */
  forget(ruleId: string): Promise<number>;
}

/** Key of (rule, entity) in `merge`'s result. */
export const baselineKey = (ruleId: string, key: string): string => `${ruleId}\u0001${key}`;
