import type { SqlClient } from '../../../core/sql/sql-client';
import type { FactorInfo, FactorMethod } from './factor.types';
import type { TotpAlgorithm, TotpParams } from './totp';

export interface TotpRow {
  factorId: string;
  status: 'pending' | 'active';
  secretSealed: string;
  params: TotpParams;
  lastUsedStep: number | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

const totpRow = (r: Record<string, unknown>): TotpRow => ({
  factorId: r.id as string,
  status: r.status as 'pending' | 'active',
  secretSealed: r.secret_sealed as string,
  params: { algorithm: r.algorithm as TotpAlgorithm, digits: Number(r.digits) as 6 | 8, period: Number(r.period) },
  lastUsedStep: r.last_used_step == null ? null : Number(r.last_used_step),
});

const TOTP_SELECT = `SELECT f.id, f.status, t.secret_sealed, t.algorithm, t.digits, t.period, t.last_used_step
  FROM user_factors f JOIN totp_factors t ON t.factor_id = f.id`;

/** SQL for user_factors, totp_factors and recovery_codes (0031-factors.sql). */
export function createFactorStore(sql: SqlClient) {
  return {
    async list(userId: string): Promise<FactorInfo[]> {
      const r = await sql.query(
        `SELECT f.id, f.method, f.status, f.label, f.created_at, f.confirmed_at, f.last_used_at,
                t.algorithm, t.digits, t.period, w.transports, w.backed_up, w.device_type, w.aaguid,
                (SELECT count(*) FROM recovery_codes c WHERE c.factor_id = f.id AND c.used_at IS NULL) AS remaining
           FROM user_factors f
           LEFT JOIN totp_factors t ON t.factor_id = f.id
           LEFT JOIN webauthn_credentials w ON w.factor_id = f.id
          WHERE f.user_id = $1
          ORDER BY f.created_at, f.id`,
        [userId],
      );
      return r.rows.map((x) => {
        const info: FactorInfo = {
          id: x.id as string,
          method: x.method as FactorMethod,
          status: x.status as 'pending' | 'active',
          label: (x.label as string) ?? null,
          createdAt: iso(x.created_at) as string,
          confirmedAt: iso(x.confirmed_at),
          lastUsedAt: iso(x.last_used_at),
        };
        if (info.method === 'totp')
          info.totp = { algorithm: x.algorithm as TotpAlgorithm, digits: Number(x.digits), period: Number(x.period) };
        if (info.method === 'webauthn')
          info.webauthn = {
            transports: (x.transports as string[]) ?? [],
            backedUp: Boolean(x.backed_up),
            deviceType: x.device_type as string,
            aaguid: (x.aaguid as string) ?? null,
          };
        if (info.method === 'recovery') info.recovery = { remaining: Number(x.remaining) };
        return info;
      });
    },

    async hasActive(userId: string, methods: FactorMethod[]): Promise<boolean> {
      const r = await sql.query(
        `SELECT 1 FROM user_factors WHERE user_id = $1 AND status = 'active' AND method = ANY($2::text[]) LIMIT 1`,
        [userId, methods],
      );
      return r.rows.length > 0;
    },

    /** Replaces any pending TOTP enrolment of the user with a new one. */
    async insertPendingTotp(f: { id: string; userId: string; label: string | null; secretSealed: string; params: TotpParams }) {
      await sql.transaction(async (tx) => {
        await tx.query(`DELETE FROM user_factors WHERE user_id = $1 AND method = 'totp' AND status = 'pending'`, [f.userId]);
        await tx.query(`INSERT INTO user_factors (id, user_id, method, status, label) VALUES ($1, $2, 'totp', 'pending', $3)`, [
          f.id,
          f.userId,
          f.label,
        ]);
        await tx.query(`INSERT INTO totp_factors (factor_id, secret_sealed, algorithm, digits, period) VALUES ($1, $2, $3, $4, $5)`, [
          f.id,
          f.secretSealed,
          f.params.algorithm,
          f.params.digits,
          f.params.period,
        ]);
      });
    },

    async totpFactor(userId: string, factorId: string): Promise<TotpRow | undefined> {
      const r = await sql.query(`${TOTP_SELECT} WHERE f.id = $1 AND f.user_id = $2`, [factorId, userId]);
      return r.rows[0] ? totpRow(r.rows[0]) : undefined;
    },

    async activeTotpFactors(userId: string): Promise<TotpRow[]> {
      const r = await sql.query(`${TOTP_SELECT} WHERE f.user_id = $1 AND f.status = 'active' ORDER BY f.created_at`, [userId]);
      return r.rows.map(totpRow);
    },

    /**
     * Records `step` as used, only if it is later than the last used step (RFC 6238 §5.2: "the verifier MUST NOT
     * accept the second attempt of the OTP after the successful validation has been issued for the first OTP").
     * One conditional UPDATE, so of two concurrent uses of one code exactly one succeeds. With `activate`, also
     * turns the pending factor active (enrolment). False: the step was already used (replay).
     */
    async claimTotpStep(factorId: string, step: number, at: Date, activate = false): Promise<boolean> {
      return sql.transaction(async (tx) => {
        const r = await tx.query(
          `UPDATE totp_factors SET last_used_step = $2
            WHERE factor_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING factor_id`,
          [factorId, step],
        );
        if (r.rows.length === 0) return false;
        await tx.query(
          activate
            ? `UPDATE user_factors SET status = 'active', confirmed_at = $2, last_used_at = $2 WHERE id = $1`
            : `UPDATE user_factors SET last_used_at = $2 WHERE id = $1`,
          [factorId, at],
        );
        return true;
      });
    },

    /** A new recovery factor with the given code hashes; the user's previous sets are deleted in the same step. */
    async replaceRecoveryCodes(userId: string, factorId: string, hashes: string[]): Promise<number> {
      return sql.transaction(async (tx) => {
        const old = await tx.query(`DELETE FROM user_factors WHERE user_id = $1 AND method = 'recovery' RETURNING id`, [userId]);
        await tx.query(`INSERT INTO user_factors (id, user_id, method, status) VALUES ($1, $2, 'recovery', 'active')`, [factorId, userId]);
        for (const h of hashes) await tx.query('INSERT INTO recovery_codes (factor_id, code_hash) VALUES ($1, $2)', [factorId, h]);
        return old.rows.length;
      });
    },

    /** Marks the code used if it is the user's and unused (one UPDATE: single use under concurrency). */
    async useRecoveryCode(userId: string, hash: string, at: Date): Promise<{ factorId: string; remaining: number } | undefined> {
      return sql.transaction(async (tx) => {
        const r = await tx.query<{ factor_id: string }>(
          `UPDATE recovery_codes c SET used_at = $3
             FROM user_factors f
            WHERE c.factor_id = f.id AND f.user_id = $1 AND f.method = 'recovery' AND c.code_hash = $2 AND c.used_at IS NULL
          RETURNING c.factor_id`,
          [userId, hash, at],
        );
        const factorId = r.rows[0]?.factor_id;
        if (!factorId) return undefined;
        await tx.query('UPDATE user_factors SET last_used_at = $2 WHERE id = $1', [factorId, at]);
        const left = await tx.query<{ n: string | number }>(
          'SELECT count(*) AS n FROM recovery_codes WHERE factor_id = $1 AND used_at IS NULL',
          [factorId],
        );
        return { factorId, remaining: Number(left.rows[0].n) };
      });
    },

    /** Deletes one factor of the user (its TOTP secret, credential or codes go with it). */
    async remove(userId: string, factorId: string): Promise<FactorMethod | undefined> {
      const r = await sql.query<{ method: FactorMethod }>('DELETE FROM user_factors WHERE id = $1 AND user_id = $2 RETURNING method', [
        factorId,
        userId,
      ]);
      return r.rows[0]?.method;
    },
  };
}

export type FactorStore = ReturnType<typeof createFactorStore>;
