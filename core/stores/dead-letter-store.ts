import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../sql/sql-client';
import { decodeCursor, encodeCursor } from './event-store';

/** A record Sargs could not parse, map or store, kept with its (pseudonymised) raw text and the reason. */
export interface DeadLetter {
  id: string;
  receivedAt: string;
  tenant: string | null;
  source: string;
  transport: string;
  parser: string;
  reason: string;
  field: string | null;
  raw: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'receivedAt'> & { receivedAt?: string };

/** The dead-letter store (`GET /api/v1/deadletter`), in the state database. */
export interface DeadLetterStore {
  add(items: NewDeadLetter[]): Promise<string[]>;
  list(q: { scope: string[] | '*'; limit?: number; before?: string }): Promise<{ items: DeadLetter[]; next?: string }>;
  count(q: { scope: string[] | '*' }): Promise<number>;
}

export function createDeadLetterStore(sql: SqlClient): DeadLetterStore {
  const scopeCond = (scope: string[] | '*', params: unknown[]) => {
    if (scope === '*') return 'TRUE';
    params.push(scope);
    return `tenant = ANY($${params.length}::text[])`;
  };
  return {
    async add(items) {
      if (items.length === 0) return [];
      const ids = items.map(() => randomUUID());
      const now = new Date().toISOString();
      await sql.query(
        `INSERT INTO dead_letters (id, received_at, tenant, source, transport, parser, reason, field, raw)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [
          ids,
          items.map((i) => i.receivedAt ?? now),
          items.map((i) => i.tenant),
          items.map((i) => i.source),
          items.map((i) => i.transport),
          items.map((i) => i.parser),
          items.map((i) => i.reason),
          items.map((i) => i.field),
          items.map((i) => i.raw),
        ],
      );
      return ids;
    },
    async list({ scope, limit = 50, before }) {
      const params: unknown[] = [];
      let w = scopeCond(scope, params);
      if (before) {
        const [ts, id] = decodeCursor(before);
        params.push(ts, id);
        w += ` AND (received_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`;
      }
      params.push(Math.min(Math.max(limit, 1), 500));
      const rows = (
        await sql.query<{ id: string; received_at: Date | string; tenant: string | null; source: string; transport: string; parser: string; reason: string; field: string | null; raw: string }>(
          `SELECT * FROM dead_letters WHERE ${w} ORDER BY received_at DESC, id DESC LIMIT $${params.length}`,
          params,
        )
      ).rows;
      const items = rows.map((r) => ({
        id: r.id,
        receivedAt: new Date(r.received_at).toISOString(),
        tenant: r.tenant,
        source: r.source,
        transport: r.transport,
        parser: r.parser,
        reason: r.reason,
        field: r.field,
        raw: r.raw,
      }));
      const last = items[items.length - 1];
      const next = items.length === params[params.length - 1] && last ? encodeCursor(last.receivedAt, last.id) : undefined;
      return { items, ...(next ? { next } : {}) };
    },
    async count({ scope }) {
      const params: unknown[] = [];
      const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters WHERE ${scopeCond(scope, params)}`, params);
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}
