import type { SqlClient } from '../../../core/sql/sql-client';
import { randomToken, sha256 } from '../accounts/user.store';

export type SessionStage = 'password' | 'full';

/** A session as stored; `idHash` is SHA-256 of the cookie value, never the value itself. */
export interface Session {
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  mfaAt: number | null;
  stage: SessionStage;
  ip: string | null;
  userAgent: string | null;
}

interface Row {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  mfa_at: Date | string | null;
  stage: SessionStage;
  ip: string | null;
  user_agent: string | null;
}

const ms = (d: Date | string) => new Date(d).getTime();
const toSession = (r: Row): Session => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  createdAt: ms(r.created_at),
  lastSeenAt: ms(r.last_seen_at),
  expiresAt: ms(r.expires_at),
  mfaAt: r.mfa_at === null ? null : ms(r.mfa_at),
  stage: r.stage,
  ip: r.ip,
  userAgent: r.user_agent,
});

/** Cookie sessions (core/migrations/0030-identity.sql). The id is 32 random bytes; only its SHA-256 is stored. */
export function createSessionStore(sql: SqlClient) {
  return {
    async create(s: { userId: string; stage: SessionStage; expiresAt: number; mfaAt?: number | null; ip?: string | null; userAgent?: string | null }, now = Date.now()): Promise<{ id: string; session: Session }> {
      const id = randomToken();
      const r = await sql.query<Row>(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, mfa_at, stage, ip, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [sha256(id), s.userId, randomToken(), new Date(now), new Date(s.expiresAt), s.mfaAt ? new Date(s.mfaAt) : null, s.stage, s.ip ?? null, (s.userAgent ?? '').slice(0, 300) || null],
      );
      return { id, session: toSession(r.rows[0]) };
    },
    async find(id: string): Promise<Session | undefined> {
      const r = await sql.query<Row>('SELECT * FROM sessions WHERE id_hash = $1', [sha256(id)]);
      return r.rows[0] && toSession(r.rows[0]);
    },
    /**
     * Replaces the session by one with a new id and a new CSRF token (OWASP Session Management: renew the id at
     * every privilege change), carrying the changes; the old id stops working at once. Undefined when the old
     * session is gone (used twice concurrently).
     */
    async rotate(old: Session, changes: { stage?: SessionStage; mfaAt?: number; expiresAt?: number }, now = Date.now()): Promise<{ id: string; session: Session } | undefined> {
      const id = randomToken();
      return sql.transaction(async (tx) => {
        const del = await tx.query('DELETE FROM sessions WHERE id_hash = $1', [old.idHash]);
        if (del.rowCount !== 1) return undefined;
        const r = await tx.query<Row>(
          `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, mfa_at, stage, ip, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [
            sha256(id),
            old.userId,
            randomToken(),
            new Date(old.createdAt),
            new Date(now),
            new Date(changes.expiresAt ?? old.expiresAt),
            changes.mfaAt ? new Date(changes.mfaAt) : old.mfaAt ? new Date(old.mfaAt) : null,
            changes.stage ?? old.stage,
            old.ip,
            old.userAgent,
          ],
        );
        return { id, session: toSession(r.rows[0]) };
      });
    },
    async touch(idHash: string, now = Date.now()): Promise<void> {
      await sql.query('UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1', [idHash, new Date(now)]);
    },
    async remove(idHash: string): Promise<void> {
      await sql.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
    },
    /** Ends every session of a user (disabled account, password reset). */
    async removeForUser(userId: string): Promise<number> {
      return (await sql.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount;
    },
    /** Deletes sessions past their absolute timeout (the maintenance job may call this). */
    async purgeExpired(now = Date.now()): Promise<number> {
      return (await sql.query('DELETE FROM sessions WHERE expires_at <= $1', [new Date(now)])).rowCount;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
