import { Pool, types } from 'pg';
import type { SqlClient, SqlTx } from './sql-client';

// bigint counts as JS numbers (counts stay far below 2^53) and timestamps as Date, as PGlite returns them.
types.setTypeParser(20, (v) => Number(v));

/**
 * A Postgres server through a `pg` pool. `schema`, when given, is created if missing and used as the
 * search_path of every connection (tests isolate themselves this way).
 */
export async function createPostgresClient(url: string, schema?: string): Promise<SqlClient> {
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema) {
    const boot = new Pool({ connectionString: url, max: 1 });
    try {
      await boot.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await boot.end();
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => {
    /* an idle client lost its connection: the next query reconnects */
  });
  return {
    kind: 'postgres',
    async query<T>(text: string, params: unknown[] = []) {
      const r = await pool.query(text, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R> {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn({
          async query<T>(text: string, params: unknown[] = []) {
            const r = await c.query(text, params);
            return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
          },
        });
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
