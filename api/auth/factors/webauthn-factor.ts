import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { AppError } from '../../../core/errors';
import type { FactorContext } from './factor-context';
import type { FactorService, FactorUser } from './factor.types';
import { parseAuthenticationResponse, parseRegistrationResponse, readClientData } from './webauthn-response';
import { createWebauthnStore, type ChallengePurpose, type ChallengeRow } from './webauthn.store';

/** Challenges live 5 minutes and are used once (WebAuthn §13.4.3: challenges must be fresh and single use). */
export const CHALLENGE_TTL_MS = 5 * 60_000;

type WebauthnPart = Pick<FactorService, 'registrationOptions' | 'verifyRegistration' | 'authenticationOptions' | 'verifyAuthentication'>;

const invalid = (message: string, cause?: unknown) => new AppError(400, 'webauthn_invalid', message, {}, { cause });

/** WebAuthn passkeys and security keys through @simplewebauthn/server; user verification always required. */
export function createWebauthnPart(ctx: FactorContext): WebauthnPart {
  const store = createWebauthnStore(ctx.sql);
  const { rp } = ctx.deps;

  async function saveChallenge(userId: string, purpose: ChallengePurpose, challenge: string) {
    const now = ctx.now();
    await store.addChallenge({
      id: randomUUID(),
      userId,
      purpose,
      challenge,
      now: new Date(now),
      expiresAt: new Date(now + CHALLENGE_TTL_MS),
    });
  }

  /** The stored challenge the response answers; unknown, used and expired ones are refused with 400. */
  async function challengeFor(userId: string, purpose: ChallengePurpose, challenge: string): Promise<ChallengeRow> {
    const row = await store.findChallenge(userId, purpose, challenge);
    const again = purpose === 'registration' ? 'request new registration options' : 'request new authentication options';
    if (!row) throw new AppError(400, 'webauthn_challenge_unknown', `the response does not answer a ${purpose} challenge issued to this user; ${again}`);
    if (row.usedAt !== null) throw new AppError(400, 'webauthn_challenge_used', `the ${purpose} challenge was already used; ${again}`);
    if (row.expiresAt <= ctx.now()) throw new AppError(400, 'webauthn_challenge_expired', `the ${purpose} challenge expired (5 minutes); ${again}`);
    return row;
  }

  return {
    async registrationOptions(user: FactorUser) {
      const userID = Buffer.from(user.id, 'utf8');
      if (userID.length > 64) throw new AppError(400, 'invalid_user', 'user id must be at most 64 bytes (WebAuthn user handle)');
      const existing = await store.credentials(user.id);
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: user.username,
        userDisplayName: user.displayName ?? user.username,
        userID: new Uint8Array(userID),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        // WebAuthn §5.4.3: no second registration of an authenticator that already holds a credential of this user.
        excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
      await saveChallenge(user.id, 'registration', options.challenge);
      return options;
    },

    async verifyRegistration(userId, input, label) {
      const response = parseRegistrationResponse(input);
      const { challenge } = readClientData(response.response.clientDataJSON, 'webauthn.create');
      const row = await challengeFor(userId, 'registration', challenge);
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true, // WebAuthn §7.1 step 15: UV flag must be set
        });
      } catch (err) {
        throw invalid(`registration response refused: ${(err as Error).message}`, err);
      }
      if (!verified.verified) throw invalid('registration response refused: attestation could not be verified');
      const info = verified.registrationInfo;
      const factorId = randomUUID();
      let ok: boolean;
      try {
        ok = await store.registerCredential(row.id, {
          factorId,
          userId,
          label: label?.slice(0, 100) ?? null,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? response.response.transports ?? [],
          backedUp: info.credentialBackedUp,
          deviceType: info.credentialDeviceType,
          aaguid: info.aaguid,
          at: new Date(ctx.now()),
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new AppError(409, 'webauthn_credential_exists', 'this authenticator is already registered', {}, { cause: err });
        throw err;
      }
      if (!ok) throw new AppError(400, 'webauthn_challenge_used', 'the registration challenge was already used; request new registration options');
      await ctx.emit(userId, { action: 'factor-enrolled', outcome: 'success', method: 'webauthn', reason: info.credentialDeviceType });
      return { factorId };
    },

    async authenticationOptions(userId) {
      const creds = await store.credentials(userId);
      if (creds.length === 0) throw new AppError(400, 'no_webauthn_factor', 'the user has no registered passkey or security key');
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: creds.map((c) => ({ id: c.credentialId, transports: c.transports })),
        userVerification: 'required',
        timeout: CHALLENGE_TTL_MS,
      });
      await saveChallenge(userId, 'authentication', options.challenge);
      return options;
    },

    async verifyAuthentication(userId, input) {
      const response = parseAuthenticationResponse(input);
      const { challenge } = readClientData(response.response.clientDataJSON, 'webauthn.get');
      const cred = (await store.credentials(userId)).find((c) => c.credentialId === response.id);
      if (!cred) throw new AppError(400, 'webauthn_unknown_credential', 'the credential is not registered for this user');
      const row = await challengeFor(userId, 'authentication', challenge);
      let verified;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          // Counter 0 here: the library's own counter check is replaced by ours below, made after the signature
          // is verified, so a forged response cannot raise a cloned-authenticator alarm.
          credential: { id: cred.credentialId, publicKey: new Uint8Array(Buffer.from(cred.publicKey, 'base64url')), counter: 0 },
          requireUserVerification: true, // WebAuthn §7.2 step 17
        });
      } catch (err) {
        await ctx.emit(userId, { action: 'factor-failed', outcome: 'failure', method: 'webauthn', reason: 'response refused' });
        throw invalid(`authentication response refused: ${(err as Error).message}`, err);
      }
      if (!verified.verified) {
        await ctx.emit(userId, { action: 'factor-failed', outcome: 'failure', method: 'webauthn', reason: 'signature not valid' });
        throw new AppError(401, 'factor_failed', 'the passkey signature is not valid');
      }
      const { newCounter, credentialBackedUp } = verified.authenticationInfo;
      // WebAuthn §6.1.1 / §7.2 step 21: a signature counter that does not grow signals a cloned authenticator;
      // both 0 is a synced passkey that keeps no counter.
      const grows = newCounter > cred.signCount || (newCounter === 0 && cred.signCount === 0);
      const outcome = grows
        ? await store.recordAssertion(row.id, { factorId: cred.factorId, newCount: newCounter, backedUp: credentialBackedUp, at: new Date(ctx.now()) })
        : 'counter';
      if (outcome === 'challenge') throw new AppError(400, 'webauthn_challenge_used', 'the authentication challenge was already used; request new authentication options');
      if (outcome === 'counter') {
        await ctx.emit(userId, {
          action: 'factor-failed',
          outcome: 'failure',
          method: 'webauthn',
          reason: `signature counter did not increase (stored ${cred.signCount}, received ${newCounter}): possible cloned authenticator`,
        });
        throw new AppError(401, 'webauthn_counter_refused', 'the authenticator signature counter did not increase: possible cloned authenticator');
      }
      await ctx.emit(userId, { action: 'factor-used', outcome: 'success', method: 'webauthn' });
      return { factorId: cred.factorId };
    },
  };
}
