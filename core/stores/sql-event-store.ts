import type { EcsEvent } from '../types';
import type { SqlClient } from '../sql/sql-client';
import { StoreUnavailableError } from '../errors';
import { sqlPersonAccesses } from './sql-person-accesses';
import {
  type BulkItemResult,
  type EventQuery,
  type EventStore,
  type Overview,
  type OverviewQuery,
  type CrossAccessQuery,
  type CrossAccessRow,
  sortCrossAccessRows,
  decodeCursor,
  encodeCursor,
  pageSize,
} from './event-store';

/** Connection-level failures (server gone, refused, terminated) as opposed to a bad statement. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P01|57P02|57P03|08\d{3})$/.test(e.code)) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e?.message ?? '');
}

/**
 * The SQL event store: PGlite (embedded default) or Postgres. The same queries as the Elasticsearch adapter,
 * over the `events` table of core/migrations/0002-events.sql.
 */
export function createSqlEventStore(sql: SqlClient): EventStore {
  const where = (q: EventQuery | OverviewQuery, params: unknown[]): string => {
    const c: string[] = [];
    const add = (cond: (n: string) => string, v: unknown) => {
      params.push(v);
      c.push(cond(`$${params.length}`));
    };
    if (q.scope !== '*') add((p) => `tenant = ANY(${p}::text[])`, q.scope);
    const e = q as EventQuery;
    if (e.tenant) add((p) => `tenant = ${p}`, e.tenant);
    if (e.app) add((p) => `app = ${p}`, e.app);
    if (e.user) add((p) => `user_name = ${p}`, e.user);
    if (e.person) add((p) => `person = ${p}`, e.person);
    if (e.action) add((p) => `action = ${p}`, e.action);
    if (e.outcome) add((p) => `outcome = ${p}`, e.outcome);
    if (e.organization) add((p) => `doc #>> '{organization,id}' = ${p}`, e.organization);
    if (e.subjectOrganization) add((p) => `doc #>> '{vps,subject,organization}' = ${p}`, e.subjectOrganization);
    if (e.dataCategory) add((p) => `doc #>> '{vps,data_category}' = ${p}`, e.dataCategory);
    if (q.from) add((p) => `ts >= ${p}::timestamptz`, q.from);
    if (q.to) add((p) => `ts < ${p}::timestamptz`, q.to);
    return c.length ? `WHERE ${c.join(' AND ')}` : '';
  };

  const run = async <T>(text: string, params: unknown[]) => {
    try {
      return await sql.query<T>(text, params);
    } catch (err) {
      if (isUnavailable(err)) throw new StoreUnavailableError('event database unreachable', { cause: err });
      throw err;
    }
  };

  return {
    kind: 'sql',
    async init() {
      /* the table comes with the migrations */
    },

    async bulk(events: EcsEvent[]): Promise<BulkItemResult[]> {
      if (events.length === 0) return [];
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
      const seen = new Set<string>();
      for (const ev of events) {
        const row = [
          ev.event.id,
          ev['@timestamp'],
          ev.vps.tenant,
          ev.service?.name ?? null,
          ev.event.dataset ?? null,
          ev.user?.name ?? null,
          ev.vps.subject?.person ?? null,
          ev.event.action ?? null,
          ev.event.outcome ?? null,
          JSON.stringify(ev),
        ];
        row.forEach((v, i) => cols[i].push(v));
      }
      const r = await run<{ id: string }>(
        `INSERT INTO events (id, ts, tenant, app, dataset, user_name, person, action, outcome, doc)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::jsonb[])
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        cols,
      );
      const created = new Set(r.rows.map((x) => x.id));
      return events.map((ev) => {
        // Within one batch the same id twice: the first is the one stored.
        if (created.has(ev.event.id) && !seen.has(ev.event.id)) {
          seen.add(ev.event.id);
          return { status: 'created' };
        }
        return { status: 'duplicate' };
      });
    },

    async search(q) {
      const size = pageSize(q);
      const params: unknown[] = [];
      let w = where(q, params);
      const total = Number(
        (await run<{ n: number }>(`SELECT count(*)::int AS n FROM events ${w}`, [...params])).rows[0]?.n ?? 0,
      );
      if (q.after) {
        const [ts, id] = decodeCursor(q.after);
        params.push(ts, id);
        const cond = `(ts, id) < ($${params.length - 1}::timestamptz, $${params.length})`;
        w = w ? `${w} AND ${cond}` : `WHERE ${cond}`;
      }
      params.push(size);
      const rows = (
        await run<{ doc: EcsEvent | string; ts: Date | string; id: string }>(
          `SELECT doc, ts, id FROM events ${w} ORDER BY ts DESC, id DESC LIMIT $${params.length}`,
          params,
        )
      ).rows;
      const events = rows.map((r) => (typeof r.doc === 'string' ? (JSON.parse(r.doc) as EcsEvent) : r.doc));
      const last = rows[rows.length - 1];
      const next =
        rows.length === size && last ? encodeCursor(new Date(last.ts).toISOString(), last.id) : undefined;
      return { events, total, ...(next ? { next } : {}) };
    },

    async count(q) {
      const params: unknown[] = [];
      const w = where(q, params);
      return Number((await run<{ n: number }>(`SELECT count(*)::int AS n FROM events ${w}`, params)).rows[0]?.n ?? 0);
    },

    async overview(q): Promise<Overview> {
      const p1: unknown[] = [];
      const w1 = where(q, p1);
      const hourly = (
        await run<{ hour: Date | string; app: string; count: number }>(
          `SELECT date_trunc('hour', ts) AS hour, coalesce(app, '') AS app, count(*)::int AS count
           FROM events ${w1} GROUP BY 1, 2 ORDER BY 1, 2`,
          p1,
        )
      ).rows.map((r) => ({ hour: new Date(r.hour).toISOString(), app: r.app, count: Number(r.count) }));
      const p2: unknown[] = [];
      const w2 = where({ scope: q.scope, from: q.from, to: q.to }, p2);
      const sources = (
        await run<{ tenant: string; app: string; dataset: string; last: Date | string; n: number }>(
          `SELECT tenant, coalesce(app, '') AS app, coalesce(dataset, '') AS dataset, max(ts) AS last, count(*)::int AS n
           FROM events ${w2} GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 500`,
          p2,
        )
      ).rows.map((r) => ({
        tenant: r.tenant,
        app: r.app,
        dataset: r.dataset,
        lastEventAt: new Date(r.last).toISOString(),
        events: Number(r.n),
      }));
      return { hourly, sources };
    },

    async crossAccess(q: CrossAccessQuery): Promise<CrossAccessRow[]> {
      const by = q.by ?? ['organization', 'application', 'dataCategory'];
      // The expressions match the index of core/migrations/0095-municipality-view.sql.
      const keys: Array<[string, string]> = [['organization', `coalesce(doc #>> '{organization,id}', '')`]];
      if (by.includes('application')) keys.push(['application', `coalesce(app, '')`]);
      if (by.includes('dataCategory')) keys.push(['dataCategory', `coalesce(doc #>> '{vps,data_category}', '')`]);
      const params: unknown[] = [q.residentsOf, q.from, q.to];
      let w = `doc #>> '{vps,subject,organization}' = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz
               AND (doc #>> '{organization,id}') IS DISTINCT FROM $1`;
      if (q.scope !== '*') {
        params.push(q.scope);
        w += ` AND tenant = ANY($${params.length}::text[])`;
      }
      const rows = (
        await run<Record<string, string | number>>(
          `SELECT ${keys.map(([k, e]) => `${e} AS "${k}"`).join(', ')}, count(*)::int AS accesses,
                  count(DISTINCT person)::int AS "distinctPersons", count(DISTINCT user_name)::int AS "distinctUsers"
           FROM events WHERE ${w} GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`,
          params,
        )
      ).rows;
      return sortCrossAccessRows(
        rows.map((r) => {
          const row: CrossAccessRow = {
            organization: String(r.organization),
            accesses: Number(r.accesses),
            distinctPersons: Number(r.distinctPersons),
            distinctUsers: Number(r.distinctUsers),
          };
          if (by.includes('application')) row.application = String(r.application);
          if (by.includes('dataCategory')) row.dataCategory = String(r.dataCategory);
          return row;
        }),
      );
    },

    // The person access report (issue 5): core/stores/sql-person-accesses.ts.
    async personAccesses(q) {
      return sqlPersonAccesses((text, params) => run(text, params), q);
    },

    async refresh() {
      /* SQL writes are visible once committed */
    },

    async health() {
      try {
        await sql.query('SELECT 1');
        return { ok: true, detail: sql.kind };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },

    async close() {
      /* the SqlClient is owned by the caller */
    },
  };
}

/** Deletes events older than the retention period (the embedded store's stand-in for data stream lifecycle). */
export async function pruneSqlEvents(sql: SqlClient, retentionDays: number): Promise<number> {
  const r = await sql.query(`DELETE FROM events WHERE ts < now() - make_interval(days => $1)`, [retentionDays]);
  return r.rowCount;
}
