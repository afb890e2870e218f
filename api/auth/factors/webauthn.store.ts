import type { SqlClient } from '../../../core/sql/sql-client';

export type ChallengePurpose = 'registration' | 'authentication';

export interface ChallengeRow {
  id: string;
  expiresAt: number;
  usedAt: number | null;
}

export interface CredentialRow {
  factorId: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
}

export interface NewCredential extends Omit<CredentialRow, 'factorId'> {
  factorId: string;
  userId: string;
  label: string | null;
  backedUp: boolean;
  deviceType: string;
  aaguid: string;
  at: Date;
}

const ms = (v: unknown) => (v == null ? null : new Date(v as string).getTime());

/** SQL for webauthn_credentials and webauthn_challenges (0031-factors.sql). */
export function createWebauthnStore(sql: SqlClient) {
  return {
    async credentials(userId: string): Promise<CredentialRow[]> {
      const r = await sql.query(
        `SELECT w.* FROM webauthn_credentials w JOIN user_factors f ON f.id = w.factor_id
          WHERE f.user_id = $1 AND f.status = 'active' ORDER BY f.created_at`,
        [userId],
      );
      return r.rows.map((x) => ({
        factorId: x.factor_id as string,
        credentialId: x.credential_id as string,
        publicKey: x.public_key as string,
        signCount: Number(x.sign_count),
        transports: (x.transports as string[]) ?? [],
      }));
    },

    /** Stores a challenge issued in options; expired ones of the same user are cleared on the way. */
    async addChallenge(c: { id: string; userId: string; purpose: ChallengePurpose; challenge: string; now: Date; expiresAt: Date }) {
      await sql.query('DELETE FROM webauthn_challenges WHERE user_id = $1 AND expires_at < $2', [c.userId, new Date(c.now.getTime() - 3600_000)]);
      await sql.query('INSERT INTO webauthn_challenges (id, user_id, purpose, challenge, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        c.id,
        c.userId,
        c.purpose,
        c.challenge,
        c.expiresAt,
      ]);
    },

    async findChallenge(userId: string, purpose: ChallengePurpose, challenge: string): Promise<ChallengeRow | undefined> {
      const r = await sql.query(
        'SELECT id, expires_at, used_at FROM webauthn_challenges WHERE user_id = $1 AND purpose = $2 AND challenge = $3',
        [userId, purpose, challenge],
      );
      const x = r.rows[0];
      return x ? { id: x.id as string, expiresAt: ms(x.expires_at) as number, usedAt: ms(x.used_at) } : undefined;
    },

    /**
     * Consumes the challenge and stores the new credential in one transaction. False when the challenge was used
     * meanwhile (a concurrent request won). A duplicate credential id raises the database's unique violation.
     */
    async registerCredential(challengeId: string, c: NewCredential): Promise<boolean> {
      return sql.transaction(async (tx) => {
        const used = await tx.query(
          'UPDATE webauthn_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING id',
          [challengeId, c.at],
        );
        if (used.rows.length === 0) return false;
        await tx.query(
          `INSERT INTO user_factors (id, user_id, method, status, label, confirmed_at) VALUES ($1, $2, 'webauthn', 'active', $3, $4)`,
          [c.factorId, c.userId, c.label, c.at],
        );
        await tx.query(
          `INSERT INTO webauthn_credentials (factor_id, credential_id, public_key, sign_count, transports, backed_up, device_type, aaguid)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
          [c.factorId, c.credentialId, c.publicKey, c.signCount, JSON.stringify(c.transports), c.backedUp, c.deviceType, c.aaguid],
        );
        return true;
      });
    },

    /**
     * Consumes the challenge and records the new signature counter in one transaction. The counter must grow,
     * except when stored and new are both 0 (synced passkeys do not count, WebAuthn §6.1.1).
     * 'challenge': the challenge was used or expired meanwhile; 'counter': another use raced ahead.
     */
    async recordAssertion(
      challengeId: string,
      a: { factorId: string; newCount: number; backedUp: boolean; at: Date },
    ): Promise<'ok' | 'challenge' | 'counter'> {
      return sql.transaction(async (tx) => {
        const used = await tx.query(
          'UPDATE webauthn_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING id',
          [challengeId, a.at],
        );
        if (used.rows.length === 0) return 'challenge';
        const upd = await tx.query(
          `UPDATE webauthn_credentials SET sign_count = $2, backed_up = $3
            WHERE factor_id = $1 AND (sign_count < $2::bigint OR (sign_count = 0 AND $2::bigint = 0)) RETURNING factor_id`,
          [a.factorId, a.newCount, a.backedUp],
        );
        if (upd.rows.length === 0) throw new CounterRace();
        await tx.query('UPDATE user_factors SET last_used_at = $2 WHERE id = $1', [a.factorId, a.at]);
        return 'ok';
      }).catch((err) => {
        if (err instanceof CounterRace) return 'counter' as const;
        throw err;
      });
    },
  };
}

/** Thrown inside the transaction to roll back the consumed challenge when the counter check fails. */
class CounterRace extends Error {}

export type WebauthnStore = ReturnType<typeof createWebauthnStore>;
