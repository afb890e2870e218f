import { randomUUID } from 'node:crypto';
import { badRequest } from '../errors';
import type { SqlClient } from '../sql/sql-client';

/** A watch-list entry: a person pseudonym on a named list, for every user or one user only. */
export interface WatchlistEntry {
  id: string;
  /** List name: vip, staff, family, protected … */
  list: string;
  /** Keyed pseudonym of the person code (pk_ + 32 hex); never the code. */
  person: string;
  /** Only this user opening the record is of interest (a staff member's own family); absent for everyone. */
  user?: string;
  /** The tenant that keeps the entry ('*' for the SOC's deployment-wide lists). */
  tenant: string;
  /** Why the person is watched (codes in it are pseudonymised by the caller). */
  note: string;
  createdBy: string;
  createdAt: string;
}

export type NewWatchlistEntry = Omit<WatchlistEntry, 'id' | 'createdAt'>;

/** The watch list port (SQL: PGlite embedded or Postgres). */
export interface WatchlistStore {
  /** Adds an entry; the same person on the same list for the same user is one entry (returned as it is). */
  add(e: NewWatchlistEntry): Promise<{ entry: WatchlistEntry; created: boolean }>;
  /** Entries kept by the scope's tenants (or all for '*'), oldest first. */
  list(scope: string[] | '*'): Promise<WatchlistEntry[]>;
  /** Removes an entry within the scope; the removed entry, or undefined when there was none. */
  remove(id: string, scope: string[] | '*'): Promise<WatchlistEntry | undefined>;
}

const LIST = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const PSEUDONYM = /^pk_[0-9a-f]{32}$/;

interface Row { id: string; list: string; person: string; user_name: string; tenant: string; note: string; created_by: string; created_at: Date | string }
const toEntry = (r: Row): WatchlistEntry => ({
  id: r.id, list: r.list, person: r.person, ...(r.user_name ? { user: r.user_name } : {}), tenant: r.tenant, note: r.note,
  createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(),
});

/** Watch-list entries in `watchlist_entries` (core/migrations/0061-watchlist.sql). */
export function createSqlWatchlistStore(sql: SqlClient): WatchlistStore {
  const scopeCond = (scope: string[] | '*', params: unknown[]): string => {
    if (scope === '*') return '';
    params.push(scope);
    return ` AND tenant = ANY($${params.length}::text[])`;
  };
  return {
    async add(e) {
      if (!LIST.test(e.list)) throw badRequest('invalid_list', 'list is 1–40 lowercase letters, digits, - or _', 'list');
      // only pseudonyms reach the database: the CLI/API pseudonymise person codes with the deployment key first
      if (!PSEUDONYM.test(e.person)) throw badRequest('invalid_person', 'person must be a pseudonym (pk_…), never a person code', 'person');
      const user = (e.user ?? '').trim().toLowerCase();
      const id = randomUUID();
      const r = await sql.query<Row>(
        `INSERT INTO watchlist_entries (id, list, person, user_name, tenant, note, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant, list, person, user_name) DO NOTHING RETURNING *`,
        [id, e.list, e.person, user, e.tenant, e.note ?? '', e.createdBy],
      );
      if (r.rows[0]) return { entry: toEntry(r.rows[0]), created: true };
      const old = await sql.query<Row>('SELECT * FROM watchlist_entries WHERE tenant = $1 AND list = $2 AND person = $3 AND user_name = $4', [e.tenant, e.list, e.person, user]);
      return { entry: toEntry(old.rows[0]!), created: false };
    },
    async list(scope) {
      const params: unknown[] = [];
      const r = await sql.query<Row>(`SELECT * FROM watchlist_entries WHERE true${scopeCond(scope, params)} ORDER BY created_at, id`, params);
      return r.rows.map(toEntry);
    },
    async remove(id, scope) {
      const params: unknown[] = [id];
      const r = await sql.query<Row>(`DELETE FROM watchlist_entries WHERE id = $1${scopeCond(scope, params)} RETURNING *`, params);
      return r.rows[0] ? toEntry(r.rows[0]) : undefined;
    },
  };
}
