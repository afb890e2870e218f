import type { SqlClient } from '../sql/sql-client';

/** Sargs's own audit trail: every change made by a user or token (who, what, on what). */
export function createAuditLog(sql: SqlClient) {
  return {
    async record(actor: string, action: string, target: string | null, details: Record<string, unknown> = {}): Promise<void> {
      await sql.query('INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4::jsonb)', [
        actor,
        action,
        target,
        JSON.stringify(details),
      ]);
    },
    async list(limit = 100): Promise<Array<{ at: string; actor: string; action: string; target: string | null; details: unknown }>> {
      const r = await sql.query<{ at: Date; actor: string; action: string; target: string | null; details: unknown }>(
        'SELECT at, actor, action, target, details FROM audit_log ORDER BY id DESC LIMIT $1',
        [limit],
      );
      return r.rows.map((x) => ({ ...x, at: new Date(x.at).toISOString() }));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
