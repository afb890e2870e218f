import { z } from 'zod';
import { AppError, notFound } from '../../../core/errors';
import type { SqlClient } from '../../../core/sql/sql-client';
import type { AuditLog } from '../../../core/stores/audit-log';
import { fromZod } from '../../problem';
import type { AuthPolicy } from './auth-policy';
import type { FactorService, OnAuthEvent } from './identity-types';
import { hashPassword } from './password-hash';
import { checkPassword } from './password-policy';
import { createUserStore, type User, type UserKind } from './user.store';

export interface AccountDeps {
  sql: SqlClient;
  factors: FactorService;
  audit: AuditLog;
  onEvent: OnAuthEvent;
  policy: AuthPolicy;
  /** SARGS_PUBLIC_URL: enrolment links are `<publicUrl>/enrol.html#<token>`. */
  publicUrl: string;
  /** Known tenant ids (policies/tenants.yaml); a user of another tenant is refused. */
  tenants?: ReadonlySet<string>;
}

/** Who did it, for the audit log (Principal.name: a username or `token:<id>`; `sargs init` for the CLI). */
export interface Actor {
  name: string;
}

export interface EnrolmentLink {
  /** The secret of the link: shown once, stored as SHA-256. */
  token: string;
  /** The page to open (the token sits in the fragment, so it is not sent in Referer or server logs). */
  url: string;
  expiresAt: string;
}

export const newUserSchema = z
  .object({
    tenant: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a tenant id (users belong to one tenant; platform-wide rights come from roles)'),
    username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/, '2–64 letters, digits and . _ @ -, starting with a letter or digit'),
    displayName: z.string().trim().min(1).max(200),
    email: z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address').nullish(),
    kind: z.enum(['staff', 'vps-employee']).default('staff'),
  })
  .strict();
export type NewUser = z.input<typeof newUserSchema>;

/**
 * Accounts and enrolment (issue 3): an administrator creates a user and gets a one-time enrolment link; with it
 * the user sets a password and enrols at least one second factor, receives recovery codes once, and only then is
 * the account active and the link used up. Nothing else works before that.
 */
export function createAccountService(deps: AccountDeps) {
  const users = createUserStore(deps.sql);
  const { policy } = deps;

  async function link(userId: string, actor: Actor): Promise<EnrolmentLink> {
    const expiresAt = new Date(Date.now() + policy.enrolment.linkHours * 3_600_000);
    const { token } = await users.insertLink(userId, expiresAt, actor.name);
    await deps.audit.record(actor.name, 'user.enrolment-link-issued', `user:${userId}`, { expiresAt: expiresAt.toISOString() });
    return { token, url: `${deps.publicUrl}/enrol.html#${token}`, expiresAt: expiresAt.toISOString() };
  }

  /** The user of a valid (unused, unexpired) link who is still enrolling; 404 otherwise, whatever the reason. */
  async function enrolling(token: string) {
    const l = typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token) ? await users.linkByToken(token, new Date()) : undefined;
    const user = l && (await users.byId(l.userId));
    if (!l || !user || user.status !== 'enrolling') throw new AppError(404, 'enrolment_link_invalid', 'this enrolment link is unknown, used or expired: ask your administrator for a new one');
    return { link: l, user };
  }

  async function needPassword(token: string) {
    const e = await enrolling(token);
    if (!e.user.passwordHash) throw new AppError(409, 'password_required', 'set a password first');
    return e;
  }

  const factorUser = (u: User) => ({ id: u.id, username: u.username, tenant: u.tenant, displayName: u.displayName });

  return {
    users,

    /** Creates a user in status `enrolling` and a one-time enrolment link. 400 on bad fields, 409 on a taken name. */
    async createUser(input: NewUser, actor: Actor): Promise<{ user: User; enrolment: EnrolmentLink }> {
      const r = newUserSchema.safeParse(input);
      if (!r.success) throw fromZod(r.error, 'body');
      const u = r.data;
      if (deps.tenants && !deps.tenants.has(u.tenant)) throw new AppError(400, 'invalid_body', `tenant: unknown tenant ${u.tenant}`, { field: 'tenant' });
      if (await users.byLogin(u.tenant, u.username)) throw new AppError(409, 'username_taken', `username ${u.username} exists in tenant ${u.tenant}`, { field: 'username' });
      const user = await users.insert({ ...u, email: u.email ?? null, createdBy: actor.name });
      await deps.audit.record(actor.name, 'user.created', `user:${user.id}`, { tenant: user.tenant, username: user.username, kind: user.kind });
      return { user, enrolment: await link(user.id, actor) };
    },

    /** A new one-time link for a user still enrolling (a lost or expired link); earlier links stop working. */
    async issueEnrolmentLink(userId: string, actor: Actor): Promise<EnrolmentLink> {
      const user = await users.byId(userId);
      if (!user) throw notFound(`no user ${userId}`);
      if (user.status !== 'enrolling') throw new AppError(409, 'user_not_enrolling', `user ${user.username} is ${user.status}: enrolment links are issued to users still enrolling`);
      return link(userId, actor);
    },

    /** What the enrolment page shows: who, and what is still needed. */
    async enrolmentStatus(token: string) {
      const { link: l, user } = await enrolling(token);
      const hasFactor = await deps.factors.hasAny(user.id);
      const needs = [...(user.passwordHash ? [] : ['password']), ...(hasFactor ? [] : ['factor']), 'recovery-codes'];
      return {
        user: { username: user.username, displayName: user.displayName, tenant: user.tenant, kind: user.kind },
        needs,
        factors: (await deps.factors.list(user.id)).filter((f) => f.status === 'active').map((f) => ({ id: f.id, method: f.method, label: f.label })),
        expiresAt: l.expiresAt,
      };
    },

    /** Sets (or replaces, while still enrolling) the password; 400 with the refusal's code when the policy refuses it. */
    async setEnrolmentPassword(token: string, password: unknown): Promise<void> {
      const { user } = await enrolling(token);
      if (typeof password !== 'string') throw new AppError(400, 'invalid_body', 'password: a string is required', { field: 'password' });
      const refusal = checkPassword(password, policy.password, user);
      if (refusal) throw new AppError(400, refusal.code, refusal.message, { field: 'password' });
      await users.setPassword(user.id, await hashPassword(password));
      await deps.audit.record(`user:${user.id}`, 'user.password-set', `user:${user.id}`);
    },

    async startTotp(token: string) {
      const { user } = await needPassword(token);
      return deps.factors.startTotp(factorUser(user));
    },
    async confirmTotp(token: string, factorId: string, code: string): Promise<void> {
      const { user } = await needPassword(token);
      await deps.factors.confirmTotp(user.id, factorId, code);
    },
    async webauthnOptions(token: string) {
      const { user } = await needPassword(token);
      return deps.factors.registrationOptions(factorUser(user));
    },
    async webauthnVerify(token: string, response: unknown, label?: string) {
      const { user } = await needPassword(token);
      return deps.factors.verifyRegistration(user.id, response, label);
    },

    /**
     * Finishes enrolment once a password and an active factor exist: creates the recovery codes (returned once),
     * activates the account and uses the link up.
     */
    async completeEnrolment(token: string): Promise<{ recoveryCodes: string[] }> {
      const { link: l, user } = await needPassword(token);
      if (!(await deps.factors.hasAny(user.id))) throw new AppError(409, 'factor_required', 'enrol a second factor (authenticator app or passkey) first');
      if (!(await users.useLink(l.id, new Date()))) throw new AppError(404, 'enrolment_link_invalid', 'this enrolment link was used meanwhile');
      const recoveryCodes = await deps.factors.createRecoveryCodes(user.id);
      await users.setStatus(user.id, 'active');
      await deps.audit.record(`user:${user.id}`, 'user.enrolled', `user:${user.id}`);
      return { recoveryCodes };
    },

    /** Disables an account (its sessions end at their next request). */
    async disable(userId: string, actor: Actor): Promise<void> {
      if (!(await users.byId(userId))) throw notFound(`no user ${userId}`);
      await users.setStatus(userId, 'disabled');
      await deps.audit.record(actor.name, 'user.disabled', `user:${userId}`);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
export type { UserKind };
