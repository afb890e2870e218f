import type { SqlClient } from '../../../core/sql/sql-client';
import type { AuthEvent, FactorServiceDeps, FactorUser } from './factor.types';

type FactorEvent = Omit<AuthEvent, 'userId' | 'tenant' | 'username'>;

/** What the TOTP, WebAuthn and recovery parts of the factor service share. */
export interface FactorContext {
  sql: SqlClient;
  deps: FactorServiceDeps;
  now(): number;
  /** Sends a factor event for `user` (an id is resolved through findUser). Never pass a secret or code in it. */
  emit(user: string | FactorUser, e: FactorEvent): Promise<void>;
}

export function createFactorContext(deps: FactorServiceDeps): FactorContext {
  const findUser = deps.findUser ?? usersTableLookup(deps.sql);
  return {
    sql: deps.sql,
    deps,
    now: deps.now ?? Date.now,
    async emit(user, e) {
      const u = typeof user === 'string' ? ((await findUser(user)) ?? { id: user, username: user, tenant: 'unknown' }) : user;
      await deps.onEvent({ ...e, userId: u.id, tenant: u.tenant, username: u.username });
    },
  };
}

/** The default directory: users(id, tenant, username) of 0030-identity.sql, when that migration has run. */
function usersTableLookup(sql: SqlClient) {
  return async (userId: string): Promise<FactorUser | undefined> => {
    const t = await sql.query<{ t: string | null }>(`SELECT to_regclass('users')::text AS t`);
    if (!t.rows[0]?.t) return undefined;
    const r = await sql.query<{ id: string; tenant: string; username: string }>(
      'SELECT id, tenant, username FROM users WHERE id = $1',
      [userId],
    );
    return r.rows[0];
  };
}
