import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../sql/sql-client';
import { badRequest } from '../errors';

/** A suppression rule: alerts of a rule (or '*') for a tenant (or '*') about entities matching a pattern. */
export interface Suppression {
  id: string;
  /** A tenant id or '*'. */
  tenant: string;
  /** A rule id or '*'. */
  ruleId: string;
  /** Entity pattern: `*` and `?` wildcards, case-insensitive ('*' for any entity, also none). */
  entityPattern: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

export interface SuppressionStore {
  /** Adds a rule; a reason and a future expiry are required (issue 4). */
  add(s: Omit<Suppression, 'id' | 'createdAt'>): Promise<Suppression>;
  /** Rules not yet expired, visible within the scope (a tenant rule, or '*' rules for a '*' scope). */
  list(scope: string[] | '*', now?: Date): Promise<Suppression[]>;
  /** Removes a rule within the scope; false when there was none. */
  remove(id: string, scope: string[] | '*'): Promise<boolean>;
  /** The first unexpired rule that matches, or undefined. */
  match(alert: { tenant: string; ruleId: string; entity?: string }, now?: Date): Promise<Suppression | undefined>;
}

/** Entity pattern → anchored, case-insensitive regular expression (only `*` and `?` are special). */
export function entityMatcher(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

interface Row {
  id: string; tenant: string; rule_id: string; entity_pattern: string; reason: string; created_by: string;
  created_at: Date | string; expires_at: Date | string;
}
const toSuppression = (r: Row): Suppression => ({
  id: r.id, tenant: r.tenant, ruleId: r.rule_id, entityPattern: r.entity_pattern, reason: r.reason,
  createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), expiresAt: new Date(r.expires_at).toISOString(),
});

/** Suppression rules in `alert_suppressions` (core/migrations/0050-alerts.sql); matched in memory, cached 5 s. */
export function createSuppressionStore(sql: SqlClient, opts: { cacheMs?: number } = {}): SuppressionStore {
  const cacheMs = opts.cacheMs ?? 5000;
  let cache: { at: number; rules: Array<Suppression & { re: RegExp }> } | undefined;
  const active = async (now: Date) => {
    if (cache && now.getTime() - cache.at < cacheMs && cache.at <= now.getTime()) return cache.rules;
    const r = await sql.query<Row>('SELECT * FROM alert_suppressions WHERE expires_at > $1::timestamptz ORDER BY created_at, id', [now.toISOString()]);
    cache = { at: now.getTime(), rules: r.rows.map((x) => ({ ...toSuppression(x), re: entityMatcher(x.entity_pattern) })) };
    return cache.rules;
  };
  const scopeCond = (scope: string[] | '*', params: unknown[]) => {
    if (scope === '*') return '';
    params.push(scope);
    return ` AND tenant = ANY($${params.length}::text[])`;
  };

  return {
    async add(s) {
      if (!s.reason?.trim()) throw badRequest('reason_required', 'a suppression needs a reason', 'reason');
      const exp = Date.parse(s.expiresAt);
      if (!Number.isFinite(exp) || exp <= Date.now()) throw badRequest('invalid_expiry', 'expiresAt must be a future time', 'expiresAt');
      const row: Suppression = { ...s, id: randomUUID(), createdAt: new Date().toISOString(), expiresAt: new Date(exp).toISOString() };
      await sql.query(
        `INSERT INTO alert_suppressions (id, tenant, rule_id, entity_pattern, reason, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz)`,
        [row.id, row.tenant, row.ruleId, row.entityPattern, row.reason, row.createdBy, row.createdAt, row.expiresAt],
      );
      cache = undefined;
      return row;
    },
    async list(scope, now = new Date()) {
      const params: unknown[] = [now.toISOString()];
      const r = await sql.query<Row>(
        `SELECT * FROM alert_suppressions WHERE expires_at > $1::timestamptz${scopeCond(scope, params)} ORDER BY created_at, id`, params);
      return r.rows.map(toSuppression);
    },
    async remove(id, scope) {
      const params: unknown[] = [id];
      const r = await sql.query(`DELETE FROM alert_suppressions WHERE id = $1${scopeCond(scope, params)}`, params);
      cache = undefined;
      return r.rowCount > 0;
    },
    async match(alert, now = new Date()) {
      for (const s of await active(now)) {
        if (Date.parse(s.expiresAt) <= now.getTime()) continue;
        if (s.tenant !== '*' && s.tenant !== alert.tenant) continue;
        if (s.ruleId !== '*' && s.ruleId !== alert.ruleId) continue;
        if (s.entityPattern !== '*' && !s.re.test(alert.entity ?? '')) continue;
        const { re: _re, ...rest } = s;
        return rest;
      }
      return undefined;
    },
  };
}
