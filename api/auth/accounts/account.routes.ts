import type { Config } from '../../../core/config';
import type { SqlClient } from '../../../core/sql/sql-client';
import type { AuditLog } from '../../../core/stores/audit-log';
import { createSessionReader } from '../sessions/session-authenticator';
import { createAccountService } from './account.service';
import { loadAuthPolicy, type AuthPolicy } from './auth-policy';
import { enrolmentRoutes } from './enrolment.routes';
import type { AccountRouteDef, FactorService, OnAuthEvent } from './identity-types';
import { createLoginService } from './login.service';
import { loginRoutes } from './login.routes';
import { homeTenantAuthz, userAdminRoutes, type TenantAuthz } from './user-admin.routes';

/** What the account routes need from the AppContext. */
export interface AccountRoutesContext {
  config: Pick<Config, 'publicUrl'>;
  audit: AuditLog;
  tenants: ReadonlySet<string>;
}

export interface AccountRoutesDeps {
  sql: SqlClient;
  factors: FactorService;
  /** Writes AuthEvents into the event store (the runtime's writeAuthEvent). */
  onEvent: OnAuthEvent;
  /** Default: policies/auth.yaml. */
  policy?: AuthPolicy;
  /** RBAC for the tenant of a user being managed; default: home tenant only ('*' = all). */
  authz?: TenantAuthz;
}

/**
 * Every route of accounts and sessions: enrolment (public, by link), sign-in and second factor (public),
 * step-up, session and sign-out (`self`), user administration (`users:manage`, `users:read`).
 *
 * @example
 * const routes = accountRoutes(ctx, { sql, factors, onEvent: writeAuthEvent, authz });
 * const bySession = sessionAuthenticator({ sql, policy }); // in the guard, before Bearer tokens
 */
export function accountRoutes(ctx: AccountRoutesContext, deps: AccountRoutesDeps): AccountRouteDef[] {
  const policy = deps.policy ?? loadAuthPolicy();
  const accounts = createAccountService({ sql: deps.sql, factors: deps.factors, audit: ctx.audit, onEvent: deps.onEvent, policy, publicUrl: ctx.config.publicUrl, tenants: ctx.tenants });
  const login = createLoginService({ sql: deps.sql, factors: deps.factors, onEvent: deps.onEvent, policy });
  const readSession = createSessionReader({ sql: deps.sql, policy });
  return [
    ...enrolmentRoutes(accounts),
    ...loginRoutes({ login, readSession, secure: ctx.config.publicUrl.startsWith('https:'), idleMinutes: policy.session.idleMinutes }),
    ...userAdminRoutes(accounts, deps.authz ?? homeTenantAuthz),
  ];
}
