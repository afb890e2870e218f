import type { SqlClient } from '../../core/sql/sql-client';
import type { EventStore } from '../../core/stores/event-store';
import { accountName, logonMfaOf } from './logon-mfa';
import { vpsApplicationOf } from './vps-applications';

/** One VPS employee's account in one VPS application (core/migrations/0040-vps-accounts.sql). */
export interface VpsAppAccount {
  tenant: string;
  username: string;
  application: string;
  role: string | null;
  source: 'import' | 'events';
  lastSeenAt: string | null;
}

/** An account to upsert; `lastSeenAt` only for accounts learned from events. */
export interface AccountInput {
  tenant: string;
  username: string;
  application: string;
  role?: string | null;
  lastSeenAt?: Date | null;
}

const BATCH = 500;

/**
 * Which VPS employees hold accounts in which application: imported lists and accounts seen in events.
 * An imported row stays `import` when later seen in events (the import is the authority; events only move
 * last_seen_at forward). Usernames are matched case-insensitively.
 */
export function createVpsAccountStore(sql: SqlClient) {
  async function upsert(rows: AccountInput[], source: 'import' | 'events'): Promise<number> {
    let n = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const part = rows.slice(i, i + BATCH);
      const r = await sql.query(
        `INSERT INTO vps_app_accounts (tenant, username, application, role, source, last_seen_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
         ON CONFLICT (tenant, lower(username), application) DO UPDATE SET
           role = COALESCE(CASE WHEN EXCLUDED.source = 'import' THEN EXCLUDED.role END, vps_app_accounts.role, EXCLUDED.role),
           source = CASE WHEN vps_app_accounts.source = 'import' THEN 'import' ELSE EXCLUDED.source END,
           last_seen_at = GREATEST(vps_app_accounts.last_seen_at, EXCLUDED.last_seen_at)`,
        [
          part.map((x) => x.tenant),
          part.map((x) => x.username),
          part.map((x) => x.application),
          part.map((x) => x.role ?? null),
          part.map(() => source),
          part.map((x) => x.lastSeenAt ?? null),
        ],
      );
      n += r.rowCount;
    }
    return n;
  }

  return {
    /** Imported accounts (POST /api/v1/mfa/accounts/import); returns rows written. */
    importAccounts: (rows: AccountInput[]) => upsert(dedupe(rows), 'import'),

    /** Accounts of the given tenants ('*' = all), optionally of one application. */
    async list(scope: string[] | '*', filter: { tenant?: string; application?: string } = {}): Promise<VpsAppAccount[]> {
      const r = await sql.query<{ tenant: string; username: string; application: string; role: string | null; source: 'import' | 'events'; last_seen_at: Date | string | null }>(
        `SELECT tenant, username, application, role, source, last_seen_at FROM vps_app_accounts
         WHERE ($1::text[] IS NULL OR tenant = ANY($1::text[])) AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR application = $3)
         ORDER BY tenant, application, lower(username)`,
        [scope === '*' ? null : scope, filter.tenant ?? null, filter.application ?? null],
      );
      return r.rows.map((x) => ({ ...x, lastSeenAt: x.last_seen_at === null ? null : new Date(x.last_seen_at).toISOString() }));
    },

    /**
     * Learns accounts from the event store: every (vps.tenant, user.name, service.name) seen since `since`,
     * where service.name is a VPS application (AD FS token events count for the application of their relying
     * party). Pages through EventStore.search (1000 a page, newest first); upserts with source 'events' and the
     * latest time seen. Meant for a periodic job.
     * @example await accounts.learnAccountsFromEvents(eventStore, new Date(Date.now() - 86_400_000))
     */
    async learnAccountsFromEvents(eventStore: EventStore, since: Date | string, opts: { until?: Date | string; maxEvents?: number; pageSize?: number } = {}) {
      const seen = new Map<string, AccountInput>();
      let after: string | undefined;
      let scanned = 0;
      const max = opts.maxEvents ?? 5_000_000;
      do {
        const page = await eventStore.search({
          scope: '*',
          from: new Date(since).toISOString(),
          to: opts.until ? new Date(opts.until).toISOString() : undefined,
          size: opts.pageSize ?? 1000,
          after,
        });
        for (const e of page.events) {
          // A failed sign-in proves no account: password spraying would otherwise fill the inventory with guesses.
          if (e.event?.outcome === 'failure') continue;
          const username = accountName(e.user?.name);
          const application = vpsApplicationOf(e.service?.name) ?? logonMfaOf(e).application;
          if (!username || !application || !e.vps?.tenant) continue;
          const key = `${e.vps.tenant}|${username}|${application}`;
          const at = new Date(e['@timestamp']);
          const prev = seen.get(key);
          const role = Array.isArray(e.user?.roles) && typeof e.user.roles[0] === 'string' ? e.user.roles[0] : null;
          if (!prev) seen.set(key, { tenant: e.vps.tenant, username, application, role, lastSeenAt: at });
          else {
            if (at > prev.lastSeenAt!) prev.lastSeenAt = at;
            prev.role ??= role;
          }
        }
        scanned += page.events.length;
        after = page.next;
      } while (after && scanned < max);
      const upserted = await upsert([...seen.values()], 'events');
      return { scanned, accounts: seen.size, upserted };
    },
  };
}

export type VpsAccountStore = ReturnType<typeof createVpsAccountStore>;

/** The last row of a (tenant, lower(username), application) wins: one statement may not touch a row twice. */
function dedupe(rows: AccountInput[]): AccountInput[] {
  const m = new Map<string, AccountInput>();
  for (const r of rows) m.set(`${r.tenant}|${r.username.toLowerCase()}|${r.application}`, r);
  return [...m.values()];
}
