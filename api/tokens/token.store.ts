import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlClient } from '../../core/sql/sql-client';

/** vps-application: a VPS application or ADFS adapter calling the validation API; tenant and application (`source`) fixed. */
export type TokenKind = 'platform-admin' | 'collector' | 'vps-application';

export interface TokenInfo {
  id: string;
  kind: TokenKind;
  tenant: string;
  source: string | null;
  description: string | null;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface NewToken {
  kind: TokenKind;
  tenant: string;
  source?: string | null;
  description?: string | null;
  createdBy?: string | null;
  expiresAt?: Date | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** `sargs_<id>_<secret>`: the id finds the row, the secret (256 bits) is compared by its SHA-256 in constant time. */
const TOKEN_RE = /^sargs_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** API tokens for machines (collectors) and the first platform admin. Only a hash of each secret is stored. */
export function createTokenStore(sql: SqlClient) {
  const row = (r: Record<string, unknown>): TokenInfo => ({
    id: r.id as string,
    kind: r.kind as TokenKind,
    tenant: r.tenant as string,
    source: (r.source as string) ?? null,
    description: (r.description as string) ?? null,
    createdAt: new Date(r.created_at as string).toISOString(),
    createdBy: (r.created_by as string) ?? null,
    expiresAt: r.expires_at ? new Date(r.expires_at as string).toISOString() : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string).toISOString() : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at as string).toISOString() : null,
  });

  return {
    /** Creates a token; the returned secret is shown once and never stored. */
    async create(t: NewToken): Promise<{ token: string; info: TokenInfo }> {
      const id = randomBytes(10).toString('hex').slice(0, 16);
      const secret = randomBytes(32).toString('base64url');
      const r = await sql.query(
        `INSERT INTO api_tokens (id, secret_hash, kind, tenant, source, description, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [id, sha256(secret).toString('hex'), t.kind, t.tenant, t.source ?? null, t.description ?? null, t.createdBy ?? null, t.expiresAt ?? null],
      );
      return { token: `sargs_${id}_${secret}`, info: row(r.rows[0]) };
    },

    /**
     * The token's identity when it is well-formed, known, unrevoked and unexpired; otherwise the reason.
     * Reasons never echo the secret.
     */
    async verify(token: string): Promise<{ ok: true; info: TokenInfo } | { ok: false; reason: string }> {
      const m = TOKEN_RE.exec(token);
      if (!m) return { ok: false, reason: 'malformed token' };
      const r = await sql.query('SELECT * FROM api_tokens WHERE id = $1', [m[1]]);
      const stored = r.rows[0];
      const presented = sha256(m[2]);
      // Compare even for an unknown id, so that timing does not tell which ids exist.
      const expected = stored ? Buffer.from(stored.secret_hash as string, 'hex') : sha256('');
      const same = timingSafeEqual(presented, expected);
      if (!stored || !same) return { ok: false, reason: 'unknown token' };
      const info = row(stored);
      if (info.revokedAt) return { ok: false, reason: 'token revoked' };
      if (info.expiresAt && Date.parse(info.expiresAt) <= Date.now()) return { ok: false, reason: 'token expired' };
      return { ok: true, info };
    },

    /** Records use at most once a minute per token, to keep the hot path free of writes. */
    async touch(id: string): Promise<void> {
      await sql.query(
        `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [id],
      );
    },

    async list(): Promise<TokenInfo[]> {
      return (await sql.query('SELECT * FROM api_tokens ORDER BY created_at DESC')).rows.map(row);
    },

    async revoke(id: string): Promise<boolean> {
      const r = await sql.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
      return r.rowCount > 0;
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
