import type { EcsEvent } from '../types';
import {
  DEFAULT_PERSON_ACCESS_LIMIT,
  type KeyCount,
  type PersonAccessQuery,
  type PersonAccessResult,
  REPORT_TIME_ZONE,
  personAccessRowOf,
  sortCounts,
} from './person-accesses';

/**
 * {@link EventStore.personAccesses} over the SQL `events` table (PGlite or Postgres): the same visibility rule,
 * counts and order as the Elasticsearch adapter. The person is found through index events_person_ts
 * (core/migrations/0002-events.sql); the summary is one GROUPING SETS pass over the person's rows.
 */
export async function sqlPersonAccesses(
  query: <T>(text: string, params: unknown[]) => Promise<{ rows: T[] }>,
  q: PersonAccessQuery,
): Promise<PersonAccessResult> {
  const limit = Math.max(0, q.limit ?? DEFAULT_PERSON_ACCESS_LIMIT);
  const params: unknown[] = [q.person, q.from, q.to];
  let where = 'person = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz';
  if (q.controllers !== '*') {
    params.push(q.controllers);
    // core/stores/person-accesses.ts: A's log, A's users, or A's residents.
    where += ` AND (tenant = ANY($4::text[]) OR doc->'organization'->>'id' = ANY($4::text[]) OR doc->'vps'->'subject'->>'organization' = ANY($4::text[]))`;
  }
  const tz = params.push(REPORT_TIME_ZONE);
  const groups = (
    await query<{ org: string | null; app: string | null; cat: string | null; month: string | null; n: number }>(
      `WITH m AS (
         SELECT coalesce(doc->'organization'->>'id', '') AS org, coalesce(app, '') AS app,
                coalesce(doc->'vps'->>'data_category', '') AS cat, to_char(ts AT TIME ZONE $${tz}, 'YYYY-MM') AS month
         FROM events WHERE ${where})
       SELECT org, app, cat, month, count(*)::int AS n FROM m GROUP BY GROUPING SETS ((org), (app), (cat), (month), ())`,
      params,
    )
  ).rows;
  const byOrganization: KeyCount[] = [];
  const byApplication: KeyCount[] = [];
  const byDataCategory: KeyCount[] = [];
  const byMonth: KeyCount[] = [];
  let total = 0;
  for (const g of groups) {
    const n = Number(g.n);
    if (g.org !== null) byOrganization.push({ key: g.org, count: n });
    else if (g.app !== null) byApplication.push({ key: g.app, count: n });
    else if (g.cat !== null) byDataCategory.push({ key: g.cat, count: n });
    else if (g.month !== null) byMonth.push({ key: g.month, count: n });
    else total = n;
  }
  byMonth.sort((a, b) => (a.key < b.key ? -1 : 1));
  const listParams = params.slice(0, q.controllers === '*' ? 3 : 4);
  listParams.push(limit);
  const rows = (
    await query<{ doc: EcsEvent | string }>(
      // COLLATE "C": the byte order Elasticsearch sorts keywords in, so both adapters list ties alike.
      `SELECT doc FROM events WHERE ${where} ORDER BY ts DESC, id COLLATE "C" DESC LIMIT $${listParams.length}`,
      listParams,
    )
  ).rows;
  const accesses = rows.map((r) => personAccessRowOf(typeof r.doc === 'string' ? (JSON.parse(r.doc) as EcsEvent) : r.doc));
  return {
    total,
    accesses,
    truncated: total > accesses.length,
    byOrganization: sortCounts(byOrganization),
    byApplication: sortCounts(byApplication),
    byDataCategory: sortCounts(byDataCategory),
    byMonth,
  };
}

