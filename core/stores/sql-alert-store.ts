import type { SqlClient, SqlTx } from '../sql/sql-client';
import { notFound } from '../errors';
import {
  type Alert,
  type AlertHitInput,
  type AlertQuery,
  type AlertStore,
  LEVEL_RANK,
  addHit,
  alertPageSize,
  applyChange,
  decodeAlertCursor,
  encodeAlertCursor,
  groupKeyOf,
  joins,
  newAlert,
} from './alert-store';

const parse = (doc: Alert | string): Alert => (typeof doc === 'string' ? (JSON.parse(doc) as Alert) : doc);
const iso = (v: Date | string): string => new Date(v).toISOString();

/** Whether the hit's evidence is already on the alert (a re-delivered event): then it is not counted twice. */
const seenBefore = (a: Alert, h: AlertHitInput): boolean =>
  h.hit.eventIds.length > 0 && h.hit.eventIds.every((id) => a.evidence.includes(id));

const SORTS = {
  lastSeen: { cols: ['last_seen', 'id'], casts: ['timestamptz', 'text'] },
  level: { cols: ['level_rank', 'last_seen', 'id'], casts: ['int', 'timestamptz', 'text'] },
  count: { cols: ['count', 'last_seen', 'id'], casts: ['int', 'timestamptz', 'text'] },
} as const;

/**
 * The SQL alert store (PGlite embedded, or Postgres) over the `alerts` table of core/migrations/0050-alerts.sql:
 * filter columns beside the whole alert as jsonb. Grouping runs in one transaction per `record` call.
 */
export function createSqlAlertStore(sql: SqlClient): AlertStore {
  const where = (q: { scope: string[] | '*'; from?: string; to?: string } & Partial<AlertQuery>, params: unknown[]): string[] => {
    const c: string[] = [];
    const add = (cond: (p: string) => string, v: unknown) => {
      params.push(v);
      c.push(cond(`$${params.length}`));
    };
    if (q.scope !== '*') add((p) => `tenant = ANY(${p}::text[])`, q.scope);
    if (q.tenant) add((p) => `tenant = ${p}`, q.tenant);
    if (q.ruleId) add((p) => `rule_id = ${p}`, q.ruleId);
    if (q.level) add((p) => `level = ${p}`, q.level);
    if (q.status) add((p) => `status = ${p}`, q.status);
    if (q.assignee) add((p) => `assignee = ${p}`, q.assignee);
    if (q.from) add((p) => `last_seen >= ${p}::timestamptz`, q.from);
    if (q.to) add((p) => `last_seen < ${p}::timestamptz`, q.to);
    if (!q.includeSuppressed) c.push('suppressed_by IS NULL');
    return c;
  };

  const save = async (tx: SqlTx, a: Alert) => {
    await tx.query(
      `INSERT INTO alerts (id, rule_id, title, level, level_rank, tenant, group_key, entity, first_seen, last_seen,
                           count, status, assignee, suppressed_by, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10::timestamptz, $11, $12, $13, $14, $15::jsonb)
       ON CONFLICT (id) DO UPDATE SET first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen,
         count = EXCLUDED.count, status = EXCLUDED.status, assignee = EXCLUDED.assignee,
         suppressed_by = EXCLUDED.suppressed_by, doc = EXCLUDED.doc`,
      [a.id, a.ruleId, a.title, a.level, LEVEL_RANK[a.level] ?? 0, a.tenant, a.groupKey, a.entity ?? null, a.firstSeen,
        a.lastSeen, a.count, a.status, a.assignee ?? null, a.suppressedBy ?? null, JSON.stringify(a)],
    );
  };

  return {
    kind: 'sql',
    async init() {
      /* the tables come with the migrations */
    },

    async record(hits, groupWindowMs) {
      if (hits.length === 0) return [];
      return sql.transaction(async (tx) => {
        // the latest alert per key, as this batch changes it
        const latest = new Map<string, Alert | null>();
        const touched = new Map<string, Alert>();
        for (const h of hits) {
          const key = JSON.stringify([h.hit.ruleId, h.tenant, groupKeyOf(h)]);
          let current = latest.get(key);
          if (current === undefined) {
            const r = await tx.query<{ doc: Alert | string }>(
              `SELECT doc FROM alerts WHERE rule_id = $1 AND tenant = $2 AND group_key = $3
               ORDER BY last_seen DESC LIMIT 1 FOR UPDATE`,
              [h.hit.ruleId, h.tenant, groupKeyOf(h)],
            );
            current = r.rows[0] ? parse(r.rows[0].doc) : null;
          }
          if (current && joins(current, h, groupWindowMs)) {
            if (!seenBefore(current, h)) addHit(current, h);
          } else {
            const fresh = newAlert(h);
            // the same window start again (a replay after the alert was closed): the stored alert stays as triaged
            const existing = touched.get(fresh.id) ?? (current?.id === fresh.id ? current : undefined) ??
              (await tx.query<{ doc: Alert | string }>('SELECT doc FROM alerts WHERE id = $1 FOR UPDATE', [fresh.id])).rows
                .map((r) => parse(r.doc))[0];
            current = existing ?? fresh;
          }
          latest.set(key, current);
          touched.set(current.id, current);
        }
        for (const a of touched.values()) await save(tx, a);
        return [...touched.values()];
      });
    },

    async get(id, scope) {
      const params: unknown[] = [id];
      let w = 'id = $1';
      if (scope !== '*') {
        params.push(scope);
        w += ' AND tenant = ANY($2::text[])';
      }
      const r = await sql.query<{ doc: Alert | string }>(`SELECT doc FROM alerts WHERE ${w}`, params);
      return r.rows[0] ? parse(r.rows[0].doc) : undefined;
    },

    async search(q) {
      const size = alertPageSize(q);
      const sort = SORTS[q.sort ?? 'lastSeen'];
      const params: unknown[] = [];
      const c = where(q, params);
      const w = (conds: string[]) => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');
      const total = Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts ${w(c)}`, [...params])).rows[0]?.n ?? 0);
      if (q.after) {
        const values = decodeAlertCursor(q.after, sort.cols.length);
        const ph = values.map((v, i) => {
          params.push(v);
          return `$${params.length}::${sort.casts[i]}`;
        });
        c.push(`(${sort.cols.join(', ')}) < (${ph.join(', ')})`);
      }
      params.push(size);
      const rows = (
        await sql.query<{ doc: Alert | string; last_seen: Date | string; id: string; level_rank: number; count: number }>(
          `SELECT doc, last_seen, id, level_rank, count FROM alerts ${w(c)}
           ORDER BY ${sort.cols.map((x) => `${x} DESC`).join(', ')} LIMIT $${params.length}`,
          params,
        )
      ).rows;
      const last = rows[rows.length - 1];
      let next: string | undefined;
      if (last && rows.length === size) {
        const tail = [iso(last.last_seen), last.id];
        next = encodeAlertCursor(q.sort === 'level' ? [last.level_rank, ...tail] : q.sort === 'count' ? [last.count, ...tail] : tail);
      }
      return { alerts: rows.map((r) => parse(r.doc)), total, ...(next ? { next } : {}) };
    },

    async update(id, scope, change, by) {
      return sql.transaction(async (tx) => {
        const params: unknown[] = [id];
        let w = 'id = $1';
        if (scope !== '*') {
          params.push(scope);
          w += ' AND tenant = ANY($2::text[])';
        }
        const r = await tx.query<{ doc: Alert | string }>(`SELECT doc FROM alerts WHERE ${w} FOR UPDATE`, params);
        if (!r.rows[0]) throw notFound('no such alert');
        const a = parse(r.rows[0].doc);
        applyChange(a, change, by);
        await save(tx, a);
        return a;
      });
    },

    async counts(q) {
      const params: unknown[] = [];
      const c = where(q, params);
      const w = c.length ? `WHERE ${c.join(' AND ')}` : '';
      const [byRule, byTenant, byLevel] = await Promise.all([
        sql.query<{ key: string; title: string; count: number }>(
          `SELECT rule_id AS key, max(title) AS title, count(*)::int AS count FROM alerts ${w} GROUP BY rule_id ORDER BY count DESC, key`, params),
        sql.query<{ key: string; count: number }>(
          `SELECT tenant AS key, count(*)::int AS count FROM alerts ${w} GROUP BY tenant ORDER BY count DESC, key`, params),
        sql.query<{ key: string; count: number }>(
          `SELECT level AS key, count(*)::int AS count FROM alerts ${w} GROUP BY level, level_rank ORDER BY level_rank DESC`, params),
      ]);
      return { byRule: byRule.rows, byTenant: byTenant.rows, byLevel: byLevel.rows };
    },

    async refresh() {
      /* SQL reads its own writes */
    },
  };
}
