import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SqlClient } from '../../../core/sql/sql-client';

export type UserKind = 'staff' | 'vps-employee';
export type UserStatus = 'enrolling' | 'active' | 'disabled';

/** A Sargs account as stored (password_hash stays inside this store and the login service). */
export interface User {
  id: string;
  tenant: string;
  username: string;
  displayName: string;
  email: string | null;
  kind: UserKind;
  status: UserStatus;
  createdAt: string;
  lastLoginAt: string | null;
}

interface UserRow {
  id: string;
  tenant: string;
  username: string;
  display_name: string;
  email: string | null;
  kind: UserKind;
  status: UserStatus;
  password_hash: string | null;
  created_at: Date | string;
  last_login_at: Date | string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const toUser = (r: UserRow): User => ({
  id: r.id,
  tenant: r.tenant,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  kind: r.kind,
  status: r.status,
  createdAt: iso(r.created_at)!,
  lastLoginAt: iso(r.last_login_at),
});

/** SHA-256 (base64url) of a high-entropy secret: enrolment tokens and session ids are stored only so. */
export const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
/** 32 random bytes, base64url: enrolment tokens, session ids, CSRF tokens. */
export const randomToken = () => randomBytes(32).toString('base64url');

const COLUMNS = 'id, tenant, username, display_name, email, kind, status, password_hash, created_at, last_login_at';

/** Users and their one-time enrolment links (core/migrations/0030-identity.sql). */
export function createUserStore(sql: SqlClient) {
  return {
    async insert(u: { tenant: string; username: string; displayName: string; email?: string | null; kind: UserKind; createdBy: string }): Promise<User> {
      const r = await sql.query<UserRow>(
        `INSERT INTO users (id, tenant, username, display_name, email, kind, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [randomUUID(), u.tenant, u.username, u.displayName, u.email ?? null, u.kind, u.createdBy],
      );
      return toUser(r.rows[0]);
    },
    async byId(id: string): Promise<(User & { passwordHash: string | null }) | undefined> {
      const r = await sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return r.rows[0] && { ...toUser(r.rows[0]), passwordHash: r.rows[0].password_hash };
    },
    async byLogin(tenant: string, username: string): Promise<(User & { passwordHash: string | null }) | undefined> {
      const r = await sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant = $1 AND lower(username) = lower($2)`, [tenant, username]);
      return r.rows[0] && { ...toUser(r.rows[0]), passwordHash: r.rows[0].password_hash };
    },
    /** Users of the given tenants ('*' = all), by tenant and username. */
    async list(tenants: string[] | '*', limit = 1000): Promise<User[]> {
      const r =
        tenants === '*'
          ? await sql.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY tenant, username LIMIT $1`, [limit])
          : await sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant = ANY($1::text[]) ORDER BY tenant, username LIMIT $2`, [tenants, limit]);
      return r.rows.map(toUser);
    },
    async setPassword(id: string, hash: string): Promise<void> {
      await sql.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, hash]);
    },
    async setStatus(id: string, status: UserStatus): Promise<void> {
      await sql.query('UPDATE users SET status = $2 WHERE id = $1', [id, status]);
    },
    async touchLogin(id: string, at: Date): Promise<void> {
      await sql.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [id, at]);
    },

    /** A new link for the user; earlier unused links of the user stop working (one valid link at a time). */
    async insertLink(userId: string, expiresAt: Date, createdBy: string): Promise<{ token: string; id: string }> {
      const token = randomToken();
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        await tx.query('UPDATE enrolment_links SET expires_at = LEAST(expires_at, $2) WHERE user_id = $1 AND used_at IS NULL', [userId, new Date()]);
        await tx.query('INSERT INTO enrolment_links (id, user_id, token_hash, expires_at, created_by) VALUES ($1, $2, $3, $4, $5)', [id, userId, sha256(token), expiresAt, createdBy]);
      });
      return { token, id };
    },
    /** The link whose token is `token`, when unused and unexpired at `now`. */
    async linkByToken(token: string, now: Date): Promise<{ id: string; userId: string; expiresAt: string } | undefined> {
      const r = await sql.query<{ id: string; user_id: string; expires_at: Date | string }>(
        'SELECT id, user_id, expires_at FROM enrolment_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2',
        [sha256(token), now],
      );
      const row = r.rows[0];
      return row && { id: row.id, userId: row.user_id, expiresAt: iso(row.expires_at)! };
    },
    /** Uses the link up; false when it was used meanwhile (two tabs finishing at once). */
    async useLink(id: string, now: Date): Promise<boolean> {
      const r = await sql.query('UPDATE enrolment_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL', [id, now]);
      return r.rowCount === 1;
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
