/**
 * The port through which Sargs talks SQL. Two adapters: PGlite (embedded Postgres, the default) and a
 * Postgres server through `pg` (when DATABASE_URL is set). Every SQL statement in Sargs is parameterised.
 */
export interface SqlClient {
  /** Which adapter this is, for /healthz. */
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs fn in one transaction on one connection. */
  transaction<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export interface SqlTx {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}
