import { applyDelta, type Baseline, type BaselineDelta } from '../../detection/anomaly/baseline';
import type { SqlClient, SqlTx } from '../sql/sql-client';
import { baselineKey, type BaselineStore } from './baseline-store';

/** "Not seen yet" in the bigint columns (Infinity / -Infinity in memory). */
const NEVER_FIRST = Number.MAX_SAFE_INTEGER;
const NEVER_LAST = -1;

interface Row {
  rule_id: string; entity_key: string; first_seen: string | number; last_seen: string | number; n: number; mean: number; m2: number;
  bucket_start: string | number; bucket_count: number; alerted_bucket: string | number;
}

const toBaseline = (r: Row): Baseline => {
  const first = Number(r.first_seen);
  const last = Number(r.last_seen);
  return {
    firstSeen: first >= NEVER_FIRST ? Infinity : first, lastSeen: last < 0 ? -Infinity : last, n: Number(r.n), mean: Number(r.mean),
    m2: Number(r.m2), bucketStart: Number(r.bucket_start), bucketCount: Number(r.bucket_count), alertedBucket: Number(r.alerted_bucket),
  };
};

const COLS = 'rule_id, entity_key, first_seen, last_seen, n, mean, m2, bucket_start, bucket_count, alerted_bucket';

/**
 * Baselines in `anomaly_baselines` (core/migrations/0060-anomaly-baselines.sql). `merge` is one transaction: the
 * rows are created if missing, locked in key order (instances flushing the same entities never deadlock), the deltas
 * applied with the same functions the engine uses, and the rows written back in one statement.
 */
export function createSqlBaselineStore(sql: SqlClient): BaselineStore {
  const lockAndRead = async (tx: SqlTx, rules: string[], keys: string[]): Promise<Map<string, Baseline>> => {
    await tx.query(
      `INSERT INTO anomaly_baselines (${COLS})
       SELECT r, k, $3, $4, 0, 0, 0, -1, 0, -1 FROM unnest($1::text[], $2::text[]) AS u(r, k) ORDER BY r, k
       ON CONFLICT (rule_id, entity_key) DO NOTHING`,
      [rules, keys, NEVER_FIRST, NEVER_LAST],
    );
    const r = await tx.query<Row>(
      `SELECT ${COLS} FROM anomaly_baselines WHERE (rule_id, entity_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY rule_id, entity_key FOR UPDATE`,
      [rules, keys],
    );
    return new Map(r.rows.map((x) => [baselineKey(x.rule_id, x.entity_key), toBaseline(x)]));
  };

  return {
    async load(ruleId, keys) {
      if (keys.length === 0) return new Map();
      const r = await sql.query<Row>(`SELECT ${COLS} FROM anomaly_baselines WHERE rule_id = $1 AND entity_key = ANY($2::text[])`, [ruleId, keys]);
      return new Map(r.rows.map((x) => [x.entity_key, toBaseline(x)]));
    },
    async merge(deltas) {
      if (deltas.length === 0) return new Map();
      const sorted = [...deltas].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const ids = [...new Map(sorted.map((d) => [baselineKey(d.ruleId, d.key), d])).values()];
      return sql.transaction(async (tx) => {
        const rows = await lockAndRead(tx, ids.map((d) => d.ruleId), ids.map((d) => d.key));
        for (const d of sorted) applyDelta(rows.get(baselineKey(d.ruleId, d.key))!, d);
        const list = ids.map((d) => [d, rows.get(baselineKey(d.ruleId, d.key))!] as const);
        await tx.query(
          `UPDATE anomaly_baselines a SET first_seen = u.f, last_seen = u.l, n = u.n, mean = u.mean, m2 = u.m2, bucket_start = u.bs,
             bucket_count = u.bc, alerted_bucket = u.ab, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::integer[], $6::float8[], $7::float8[], $8::bigint[], $9::integer[], $10::bigint[])
             AS u(r, k, f, l, n, mean, m2, bs, bc, ab)
           WHERE a.rule_id = u.r AND a.entity_key = u.k`,
          [
            list.map(([d]) => d.ruleId), list.map(([d]) => d.key),
            list.map(([, b]) => (Number.isFinite(b.firstSeen) ? b.firstSeen : NEVER_FIRST)),
            list.map(([, b]) => (Number.isFinite(b.lastSeen) ? b.lastSeen : NEVER_LAST)),
            list.map(([, b]) => b.n), list.map(([, b]) => b.mean), list.map(([, b]) => b.m2), list.map(([, b]) => b.bucketStart),
            list.map(([, b]) => b.bucketCount), list.map(([, b]) => b.alertedBucket),
          ],
        );
        return rows;
      });
    },
    async forget(ruleId) {
      return (await sql.query('DELETE FROM anomaly_baselines WHERE rule_id = $1', [ruleId])).rowCount;
    },
  };
}
