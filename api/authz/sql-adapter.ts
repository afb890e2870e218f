import type { BatchAdapter, Model } from 'casbin';
import type { SqlClient, SqlTx } from '../../core/sql/sql-client';

/** Columns v0..v5 of casbin_rule; column names in SQL come only from this list, values are parameters. */
const COLS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'] as const;

/** A casbin Adapter over the SqlClient port, plus the row-level operations Authz needs to know what changed. */
export interface SqlAdapter extends BatchAdapter {
  /** Inserts one line; false when it was there already. */
  insertRule(ptype: string, rule: string[]): Promise<boolean>;
  /** Deletes one line; false when it was not there. */
  deleteRule(ptype: string, rule: string[]): Promise<boolean>;
  /** Replaces every line of `ptype` with `rules`, in one transaction (role definitions at start). */
  replaceRules(ptype: string, rules: string[][]): Promise<void>;
  /** The lines of one ptype whose first fields equal `prefix` (e.g. ['user:1'] for g). */
  findRules(ptype: string, prefix: string[]): Promise<string[][]>;
}

function padded(rule: string[]): string[] {
  if (rule.length > COLS.length) throw new Error(`casbin rule has ${rule.length} fields, at most ${COLS.length} are stored`);
  return COLS.map((_, i) => rule[i] ?? '');
}

/** Drops the trailing empty columns a shorter line was stored with. */
function unpadded(row: Record<string, unknown>): string[] {
  const values = COLS.map((c) => String(row[c] ?? ''));
  while (values.length > 0 && values[values.length - 1] === '') values.pop();
  return values;
}

const INSERT = `INSERT INTO casbin_rule (ptype, ${COLS.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ON CONSTRAINT casbin_rule_line DO NOTHING`;
const DELETE = `DELETE FROM casbin_rule WHERE ptype = $1 AND ${COLS.map((c, i) => `${c} = $${i + 2}`).join(' AND ')}`;

/**
 * Casbin adapter for table casbin_rule (core/migrations/0032-rbac.sql) on Postgres or PGlite. Written for
 * Sargs because casbin-pg-adapter needs a `pg` pool and cannot use PGlite. Every statement is parameterised.
 *
 * @example
 * const adapter = createSqlAdapter(sql);
 * const enforcer = await newEnforcer(newModelFromString(text), adapter);
 */
export function createSqlAdapter(sql: SqlClient): SqlAdapter {
  const insert = async (q: SqlClient | SqlTx, ptype: string, rule: string[]) =>
    (await q.query(INSERT, [ptype, ...padded(rule)])).rowCount > 0;

  const adapter: SqlAdapter = {
    async loadPolicy(model: Model): Promise<void> {
      const r = await sql.query(`SELECT ptype, ${COLS.join(', ')} FROM casbin_rule ORDER BY id`);
      for (const row of r.rows) {
        const ptype = String(row.ptype);
        const ast = model.model.get(ptype.charAt(0))?.get(ptype);
        // Lines of a ptype the model does not declare are ignored, as casbin's own adapters do. The unique
        // constraint guarantees each line once, so lines are pushed without casbin's O(n) duplicate check.
        if (ast) ast.policy.push(unpadded(row));
      }
    },

    async savePolicy(model: Model): Promise<boolean> {
      await sql.transaction(async (tx) => {
        await tx.query('DELETE FROM casbin_rule');
        for (const sec of ['p', 'g']) {
          for (const [ptype, ast] of model.model.get(sec) ?? new Map()) {
            for (const rule of ast.policy) await insert(tx, ptype, rule);
          }
        }
      });
      return true;
    },

    async addPolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
      await insert(sql, ptype, rule);
    },

    async addPolicies(_sec: string, ptype: string, rules: string[][]): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const rule of rules) await insert(tx, ptype, rule);
      });
    },

    async removePolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
      await sql.query(DELETE, [ptype, ...padded(rule)]);
    },

    async removePolicies(_sec: string, ptype: string, rules: string[][]): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const rule of rules) await tx.query(DELETE, [ptype, ...padded(rule)]);
      });
    },

    async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
      if (!Number.isInteger(fieldIndex) || fieldIndex < 0 || fieldIndex + fieldValues.length > COLS.length) {
        throw new Error(`removeFilteredPolicy: fields ${fieldIndex}..${fieldIndex + fieldValues.length - 1} are outside v0..v5`);
      }
      const where = ['ptype = $1'];
      const params: unknown[] = [ptype];
      // Casbin convention: an empty value matches any value in that field.
      fieldValues.forEach((v, i) => {
        if (v === '' || v === undefined) return;
        params.push(v);
        where.push(`${COLS[fieldIndex + i]} = $${params.length}`);
      });
      await sql.query(`DELETE FROM casbin_rule WHERE ${where.join(' AND ')}`, params);
    },

    insertRule: (ptype, rule) => insert(sql, ptype, rule),

    async deleteRule(ptype, rule) {
      return (await sql.query(DELETE, [ptype, ...padded(rule)])).rowCount > 0;
    },

    async replaceRules(ptype, rules) {
      await sql.transaction(async (tx) => {
        // Several instances may start at once on Postgres: serialise the replacement (PGlite has one connection).
        if (sql.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(5318032)');
        await tx.query('DELETE FROM casbin_rule WHERE ptype = $1', [ptype]);
        for (const rule of rules) await insert(tx, ptype, rule);
      });
    },

    async findRules(ptype, prefix) {
      const p = prefix.slice(0, COLS.length);
      const where = p.map((_, i) => `${COLS[i]} = $${i + 2}`);
      const r = await sql.query(
        `SELECT ${COLS.join(', ')} FROM casbin_rule WHERE ptype = $1${where.map((w) => ` AND ${w}`).join('')} ORDER BY id`,
        [ptype, ...p],
      );
      return r.rows.map(unpadded);
    },
  };
  return adapter;
}

