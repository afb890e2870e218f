import { randomUUID } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { createFactorContext } from './factor-context';
import { createFactorStore } from './factor.store';
import type { FactorService, FactorServiceDeps } from './factor.types';
import { hashRecoveryCode, newRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-code';
import { createTotpPart } from './totp-factor';
import { createWebauthnPart } from './webauthn-factor';

/**
 * The factor service: TOTP, WebAuthn and recovery codes of one user at a time. Every enrolment, use, failure,
 * removal and refused replay is sent to `deps.onEvent` (method and reason only: never a secret or a code).
 *
 * @example
 * const factors = createFactorService({ sql, secretBox: loadSecretBox(config), rp, onEvent: writeAuthEvent });
 * const { uri } = await factors.startTotp(user);      // shown as QR code
 * await factors.confirmTotp(user.id, factorId, code);  // first code activates it
 * await factors.verifyTotp(user.id, code);             // at login or step-up
 */
export function createFactorService(deps: FactorServiceDeps): FactorService {
  const ctx = createFactorContext(deps);
  const store = createFactorStore(deps.sql);

  return {
    list: (userId) => store.list(userId),
    hasAny: (userId) => store.hasActive(userId, ['totp', 'webauthn']),
    ...createTotpPart(ctx, store),
    ...createWebauthnPart(ctx),

    async createRecoveryCodes(userId) {
      const codes = new Set<string>();
      while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
      const list = [...codes];
      const hashes = list.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) as string));
      const replaced = await store.replaceRecoveryCodes(userId, randomUUID(), hashes);
      await ctx.emit(userId, {
        action: 'factor-enrolled',
        outcome: 'success',
        method: 'recovery',
        reason: replaced > 0 ? 'new set; previous codes invalidated' : 'new set',
      });
      return list;
    },

    async useRecoveryCode(userId, code) {
      const normalised = normaliseRecoveryCode(code);
      const used = normalised ? await store.useRecoveryCode(userId, hashRecoveryCode(normalised), new Date(ctx.now())) : undefined;
      if (!used) {
        await ctx.emit(userId, { action: 'factor-failed', outcome: 'failure', method: 'recovery', reason: 'unknown or used code' });
        throw new AppError(401, 'factor_failed', 'the recovery code is not valid or was already used');
      }
      await ctx.emit(userId, { action: 'factor-used', outcome: 'success', method: 'recovery', reason: `${used.remaining} codes left` });
      return used;
    },

    async remove(userId, factorId) {
      const method = await store.remove(userId, factorId);
      if (!method) throw new AppError(404, 'factor_not_found', 'no such factor for this user');
      await ctx.emit(userId, { action: 'factor-removed', outcome: 'success', method });
    },
  };
}
