import type { SqlClient } from '../../core/sql/sql-client';
import type { EventStore } from '../../core/stores/event-store';
import { logonMfaOf } from './logon-mfa';
import type { MfaPolicy } from './mfa-policy';

/** Coverage of one application in one tenant. `share` is withFactor / accounts (0 when there are no accounts). */
export interface AppCoverage {
  tenant: string;
  tenantName: string;
  application: string;
  required: boolean;
  deadline: string;
  methods: string[];
  accounts: number;
  withFactor: number;
  share: number;
  byMethod: { totp: number; webauthn: number };
  withoutFactor: number;
  passwordOnlyLogins: number;
}

/** An account whose holder has no active TOTP or WebAuthn factor (recovery codes alone do not count). */
export interface AccountWithoutFactor {
  tenant: string;
  application: string;
  username: string;
  role: string | null;
  source: 'import' | 'events';
  lastSeenAt: string | null;
  /** Is there a VPS employee user (users.kind 'vps-employee') with this tenant and username at all? */
  enrolled: boolean;
  required: boolean;
  deadline: string;
}

/** A successful logon without MFA at or after the deadline of the policy that applies to it. */
export interface PasswordOnlyLogin {
  at: string;
  tenant: string;
  application: string;
  username: string;
  sourceIp: string | null;
  eventId: string;
  deadline: string;
}

export interface MfaCoverage {
  generatedAt: string;
  totals: { accounts: number; withFactor: number; share: number; withoutFactor: number; passwordOnlyLogins: number };
  rows: AppCoverage[];
  withoutFactor: AccountWithoutFactor[];
  passwordOnlyLogins: PasswordOnlyLogin[];
  /** true when more logon events matched than were read (maxLogonEvents): counts are then lower bounds. */
  truncated: boolean;
}

export interface CoverageQuery {
  /** The caller's tenants (from RBAC, never from request input alone), or '*'. */
  scope: string[] | '*';
  tenant?: string;
  application?: string;
  /** Epoch ms; default Date.now(). */
  now?: number;
}

/**
 * Logon actions (collector/parsers/windows.ts) whose events can say whether MFA was performed. Windows 4624
 * (`logged-in`) does not, so it is not read; add actions here once parsers set vps.auth.mfa on them.
 */
export const MFA_LOGON_ACTIONS = ['adfs-token-issued'];

interface Row {
  tenant: string;
  application: string;
  username: string;
  role: string | null;
  source: 'import' | 'events';
  last_seen_at: Date | string | null;
  user_id: string | null;
  has_totp: boolean | null;
  has_webauthn: boolean | null;
}

/**
 * MFA coverage per tenant and application: accounts (vps_app_accounts), the share whose holder — the VPS
 * employee user with the same tenant and username — has an active TOTP or WebAuthn factor, by method; the
 * accounts still without one; and successful password-only logons seen in the event store at or after the
 * deadline of the policy that applies (policies/mfa.yaml).
 */
export function createMfaCoverageService(deps: { sql: SqlClient; events: EventStore; policy: MfaPolicy; tenantName?: (id: string) => string | undefined; maxLogonEvents?: number }) {
  const maxLogonEvents = deps.maxLogonEvents ?? 200_000;

  async function accountRows(q: CoverageQuery): Promise<Row[]> {
    const r = await deps.sql.query<Row>(
      `SELECT a.tenant, a.application, a.username, a.role, a.source, a.last_seen_at, u.id AS user_id,
              bool_or(f.method = 'totp') AS has_totp, bool_or(f.method = 'webauthn') AS has_webauthn
         FROM vps_app_accounts a
         LEFT JOIN users u ON u.tenant = a.tenant AND lower(u.username) = lower(a.username) AND u.kind = 'vps-employee' AND u.status <> 'disabled'
         LEFT JOIN user_factors f ON f.user_id = u.id AND f.status = 'active' AND f.method IN ('totp', 'webauthn')
        WHERE ($1::text[] IS NULL OR a.tenant = ANY($1::text[])) AND ($2::text IS NULL OR a.tenant = $2) AND ($3::text IS NULL OR a.application = $3)
        GROUP BY a.tenant, a.application, a.username, a.role, a.source, a.last_seen_at, u.id
        ORDER BY a.tenant, a.application, lower(a.username)`,
      [q.scope === '*' ? null : q.scope, q.tenant ?? null, q.application ?? null],
    );
    return r.rows;
  }

  /** Successful MFA-less logons at or after their policy's deadline, read page by page from the event store. */
  async function passwordOnly(q: CoverageQuery, roleOf: (tenant: string, app: string, user: string) => string | null, now: number) {
    const out: PasswordOnlyLogin[] = [];
    let read = 0;
    let truncated = false;
    for (const action of MFA_LOGON_ACTIONS) {
      let after: string | undefined;
      do {
        const page = await deps.events.search({
          scope: q.scope,
          tenant: q.tenant,
          action,
          outcome: 'success',
          from: new Date(deps.policy.earliestDeadlineAt()).toISOString(),
          to: new Date(now).toISOString(),
          size: 1000,
          after,
        });
        read += page.events.length;
        for (const e of page.events) {
          const m = logonMfaOf(e);
          if (m.mfa !== false) continue;
          const application = m.application ?? '';
          if (q.application && application !== q.application) continue;
          const tenant = e.vps.tenant;
          const username = m.username ?? '';
          const rule = deps.policy.policyFor(tenant, application, roleOf(tenant, application, username));
          if (!rule.required || Date.parse(e['@timestamp']) < rule.deadlineAt) continue;
          out.push({ at: e['@timestamp'], tenant, application, username, sourceIp: e.source?.ip ?? null, eventId: e.event.id, deadline: rule.deadline });
        }
        after = page.next;
        if (after && read >= maxLogonEvents) truncated = true;
      } while (after && !truncated);
    }
    out.sort((a, b) => b.at.localeCompare(a.at));
    return { logins: out, truncated };
  }

  return {
    async coverage(q: CoverageQuery): Promise<MfaCoverage> {
      const now = q.now ?? Date.now();
      const rows = await accountRows(q);
      const roles = new Map(rows.map((r) => [`${r.tenant}|${r.application}|${r.username.toLowerCase()}`, r.role]));
      const { logins, truncated } = await passwordOnly(q, (t, a, u) => roles.get(`${t}|${a}|${u}`) ?? null, now);

      const byApp = new Map<string, AppCoverage>();
      const cell = (tenant: string, application: string): AppCoverage => {
        const key = `${tenant}|${application}`;
        let c = byApp.get(key);
        if (!c) {
          const p = deps.policy.policyFor(tenant, application, null);
          c = { tenant, tenantName: deps.tenantName?.(tenant) ?? tenant, application, required: p.required, deadline: p.deadline, methods: p.methods, accounts: 0, withFactor: 0, share: 0, byMethod: { totp: 0, webauthn: 0 }, withoutFactor: 0, passwordOnlyLogins: 0 };
          byApp.set(key, c);
        }
        return c;
      };
      const withoutFactor: AccountWithoutFactor[] = [];
      for (const r of rows) {
        const c = cell(r.tenant, r.application);
        c.accounts++;
        if (r.has_totp) c.byMethod.totp++;
        if (r.has_webauthn) c.byMethod.webauthn++;
        if (r.has_totp || r.has_webauthn) c.withFactor++;
        else {
          c.withoutFactor++;
          const p = deps.policy.policyFor(r.tenant, r.application, r.role);
          withoutFactor.push({
            tenant: r.tenant, application: r.application, username: r.username, role: r.role, source: r.source,
            lastSeenAt: r.last_seen_at === null ? null : new Date(r.last_seen_at).toISOString(), enrolled: r.user_id !== null, required: p.required, deadline: p.deadline,
          });
        }
      }
      for (const l of logins) cell(l.tenant, l.application).passwordOnlyLogins++;
      const list = [...byApp.values()].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.application.localeCompare(b.application));
      for (const c of list) c.share = c.accounts ? c.withFactor / c.accounts : 0;
      const accounts = list.reduce((s, c) => s + c.accounts, 0);
      const withFactor = list.reduce((s, c) => s + c.withFactor, 0);
      return {
        generatedAt: new Date(now).toISOString(),
        totals: { accounts, withFactor, share: accounts ? withFactor / accounts : 0, withoutFactor: withoutFactor.length, passwordOnlyLogins: logins.length },
        rows: list,
        withoutFactor,
        passwordOnlyLogins: logins,
        truncated,
      };
    },
  };
}

export type MfaCoverageService = ReturnType<typeof createMfaCoverageService>;
