import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlTx } from './sql-client';

/**
 * Embedded Postgres (PGlite) under the data dir. One instance per process: PGlite is single-connection, so
 * statements are serialised by PGlite itself.
 */
export async function createPgliteClient(dataDir: string | undefined): Promise<SqlClient> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    kind: 'pglite',
    async query<T>(text: string, params: unknown[] = []) {
      const r = await db.query<T>(text, params as never[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R> {
      return db.transaction(async (t) =>
        fn({
          async query<T>(text: string, params: unknown[] = []) {
            const r = await t.query<T>(text, params as never[]);
            return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
          },
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}
