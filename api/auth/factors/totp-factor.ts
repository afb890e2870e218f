import { randomUUID } from 'node:crypto';
import { AppError } from '../../../core/errors';
import type { FactorContext } from './factor-context';
import type { FactorService } from './factor.types';
import type { FactorStore } from './factor.store';
import { matchTotpStep, newTotpSecret, totpUri, TOTP_ALGORITHMS, TOTP_DEFAULTS, type TotpParams } from './totp';

type TotpPart = Pick<FactorService, 'startTotp' | 'confirmTotp' | 'verifyTotp'>;

/** Codes are typed with spaces sometimes ("123 456"); nothing else is tolerated. */
const cleanCode = (code: unknown) => (typeof code === 'string' ? code.replace(/\s+/g, '') : '');

/** TOTP factors (RFC 6238) with otplib; seeds sealed at rest, each time step accepted once. */
export function createTotpPart(ctx: FactorContext, store: FactorStore): TotpPart {
  const { secretBox } = ctx.deps;
  const nowSeconds = () => Math.floor(ctx.now() / 1000);

  return {
    async startTotp(user, opts = {}) {
      const algorithm = opts.algorithm ?? TOTP_DEFAULTS.algorithm;
      if (!TOTP_ALGORITHMS.includes(algorithm))
        throw new AppError(400, 'invalid_algorithm', `algorithm must be one of ${TOTP_ALGORITHMS.join(', ')}`, { field: 'algorithm' });
      const params: TotpParams = { ...TOTP_DEFAULTS, algorithm };
      const secret = newTotpSecret();
      const factorId = randomUUID();
      await store.insertPendingTotp({
        id: factorId,
        userId: user.id,
        label: opts.label?.slice(0, 100) ?? null,
        secretSealed: secretBox.seal(secret),
        params,
      });
      return { factorId, secret, uri: totpUri(secret, `${user.username}@${user.tenant}`, params) };
    },

    async confirmTotp(userId, factorId, code) {
      const f = await store.totpFactor(userId, factorId);
      if (!f) throw new AppError(404, 'factor_not_found', 'no such TOTP enrolment for this user');
      if (f.status === 'active') throw new AppError(409, 'factor_already_confirmed', 'this TOTP factor is already confirmed');
      const step = await matchTotpStep(secretBox.open(f.secretSealed), f.params, cleanCode(code), nowSeconds());
      if (step === null) {
        await ctx.emit(userId, { action: 'factor-failed', outcome: 'failure', method: 'totp', reason: 'enrolment code did not match' });
        throw new AppError(400, 'totp_code_invalid', `the code does not match; enter the current ${f.params.digits}-digit code and check the device clock`, {
          field: 'code',
        });
      }
      // The confirming code's step is stored too, so it cannot be replayed for a login (RFC 6238 §5.2).
      if (!(await store.claimTotpStep(factorId, step, new Date(ctx.now()), true)))
        throw new AppError(409, 'factor_already_confirmed', 'this TOTP factor was confirmed meanwhile');
      await ctx.emit(userId, { action: 'factor-enrolled', outcome: 'success', method: 'totp', reason: f.params.algorithm });
    },

    async verifyTotp(userId, code) {
      const factors = await store.activeTotpFactors(userId);
      const token = cleanCode(code);
      for (const f of factors) {
        const step = await matchTotpStep(secretBox.open(f.secretSealed), f.params, token, nowSeconds());
        if (step === null) continue;
        // RFC 6238 §5.2: a step is accepted once. The conditional UPDATE makes this hold under concurrency.
        if (!(await store.claimTotpStep(f.factorId, step, new Date(ctx.now())))) {
          await ctx.emit(userId, { action: 'replay-refused', outcome: 'failure', method: 'totp', reason: 'time step already used' });
          throw new AppError(401, 'replay_refused', 'this code was already used; wait for the next code');
        }
        await ctx.emit(userId, { action: 'factor-used', outcome: 'success', method: 'totp' });
        return { factorId: f.factorId };
      }
      const reason = factors.length === 0 ? 'no active TOTP factor' : 'code did not match';
      await ctx.emit(userId, { action: 'factor-failed', outcome: 'failure', method: 'totp', reason });
      throw new AppError(401, 'factor_failed', 'the code is not valid');
    },
  };
}
