/**
 * # api/authz — who may do what, in which tenant (issue 3, RBAC and tenancy)
 *
 * casbin RBAC with domains, domain = tenant. Model: policies/rbac-model.conf. Role definitions (role →
 * permissions, platform-wide or per tenant): policies/roles.yaml, validated at start and written as the `p`
 * lines of table casbin_rule. Role assignments (`g, <subject>, <role>, <tenant|*>`) live only in that table
 * and change only through {@link Authz.assignRole} / {@link Authz.removeRole}, each audited.
 *
 * ## How routes use it
 * - Every route declares `permission` (api/authz/permissions.ts). The guard in api/create-app.ts asks
 *   `await authz.can(principal, route.permission, tenant)` where `tenant` is the tenant the route acts in:
 *   the tenant named by the path or body for tenant-bound actions (e.g. assign a role in riga, ingest for a
 *   tenant), `'*'` for platform-wide actions (tokens, system, policies). `can(p, perm, '*')` is true only for
 *   a role held in every tenant, so a tenant officer can never perform a platform-wide action. 403 otherwise.
 * - Reads across tenants never trust request input alone: the handler asks
 *   `const scope = await authz.scope(principal, 'events:read')` and builds the Elasticsearch/SQL tenant
 *   filter from it: `'*'` = no tenant filter; a list = `vps.tenant IN list` (an empty list = nothing; the
 *   guard has normally refused already). A tenant in the query string only narrows: keep it if
 *   `scope === '*' || scope.includes(t)`, else 403.
 *   ```ts
 *   const scope = await ctx.authz.scope(principal, 'events:read');
 *   const tenants = scope === '*' ? (q.tenant ? [q.tenant] : '*') : q.tenant ? scope.filter((t) => t === q.tenant) : scope;
 *   ```
 * - `self` (own profile, own factors) is held by every user principal whatever its roles, never by tokens.
 * - Tokens need no `g` lines: a platform-admin token holds platform-admin in `*`, a collector token
 *   collector in its tenant (`*` for a central collector), a vps-application token vps-application in its
 *   tenant.
 *
 * ## Cache and several instances
 * Decisions are made in memory. This instance sees its own assign/remove at once (the table is written,
 * then the in-memory enforcer updated incrementally). Other instances see role changes after their next
 * {@link Authz.reload} (the runtime may call it on a timer, e.g. every 30 s); reload builds a fresh
 * enforcer and swaps it in, so no request ever sees a half-loaded policy.
 */
import fs from 'node:fs';
import { type Enforcer, newEnforcer, newModelFromString } from 'casbin';
import { AppError } from '../../core/errors';
import type { SqlClient } from '../../core/sql/sql-client';
import type { AuditLog } from '../../core/stores/audit-log';
import { loadTenants } from '../../core/tenants';
import { isPermission, type Permission } from './permissions';
import { type Principal, subjectOf } from './principal';
import { defaultPolicyFile, loadRolePolicies, type RoleDefinition } from './role-policies';
import { isRole, type Role } from './roles';
import { createSqlAdapter } from './sql-adapter';

export interface Authz {
  /** May `p` do `permission` in `tenant`? (tenant '*' = a platform-wide action: only roles held in every tenant.) */
  can(p: Principal, permission: Permission, tenant: string): Promise<boolean>;
  /** The tenants where `p` holds `permission`: '*' when a role grants it in every tenant; [] when nowhere. */
  scope(p: Principal, permission: Permission): Promise<string[] | '*'>;
  /**
   * Gives `subject` (`user:<id>` | `token:<id>`) `role` in `tenant` ('*' for platform-wide roles), audited as
   * `role.assigned`. Assigning a role already held changes nothing and records nothing.
   * @throws AppError 400 (unknown role, role held by tokens only, wrong tenant for the role's scope, bad
   *   subject), 403 when `actor` lacks roles:manage in `tenant`.
   */
  assignRole(subject: string, role: Role, tenant: string, actor: Principal): Promise<void>;
  /** Takes `role` in `tenant` from `subject`, audited as `role.removed`. @throws AppError 400, 403, 404 (not held). */
  removeRole(subject: string, role: Role, tenant: string, actor: Principal): Promise<void>;
  /** The roles assigned to `subject` (`g` lines, read from the table); a token's implicit role is not listed. */
  rolesOf(subject: string): Promise<Array<{ role: Role; tenant: string }>>;
  /** Reloads every policy from the table (role changes made by other instances). */
  reload(): Promise<void>;
  /** The role definitions loaded from policies/roles.yaml (for role pickers and GET /roles). */
  readonly roles: ReadonlyMap<Role, RoleDefinition>;
}

export interface AuthzOptions {
  /** Default policies/roles.yaml. */
  rolesFile?: string;
  /** Default policies/rbac-model.conf. */
  modelFile?: string;
  /** Known tenant ids (per-tenant roles are assigned only in these). Default: policies/tenants.yaml. */
  tenants?: ReadonlySet<string>;
}

const SUBJECT_RE = /^(user|token):[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

/** Domain matching (rbac-model.conf header): an assignment in `*` holds in every tenant, else in its own. */
export const holdsIn = (requested: string, assigned: string): boolean => assigned === '*' || assigned === requested;

/** The role a token holds by its kind, without `g` lines (ISSUE3 "Tokens map to roles"). */
function tokenRole(p: Principal): { role: Role; tenant: string } | null {
  if (p.kind !== 'token' || !p.tokenKind) return null;
  if (p.tokenKind === 'platform-admin') return { role: 'platform-admin', tenant: '*' };
  return { role: p.tokenKind, tenant: p.tenant };
}

/**
 * Loads the model and role definitions, replaces the `p` lines of casbin_rule with the role definitions,
 * and loads every line into an in-memory enforcer.
 * @throws Error naming the file at fault when the model or the roles file is invalid.
 */
export async function createAuthz(sql: SqlClient, audit: Pick<AuditLog, 'record'>, options: AuthzOptions = {}): Promise<Authz> {
  const modelFile = options.modelFile ?? defaultPolicyFile('rbac-model.conf');
  let modelText: string;
  try {
    modelText = fs.readFileSync(modelFile, 'utf8');
    newModelFromString(modelText);
  } catch (err) {
    throw new Error(`casbin model file ${modelFile} is invalid: ${(err as Error).message}`, { cause: err });
  }
  const policies = loadRolePolicies(options.rolesFile);
  const tenants = options.tenants ?? loadTenants().ids;
  const adapter = createSqlAdapter(sql);
  // policies/roles.yaml is the source of truth for role definitions: its lines replace the stored ones.
  await adapter.replaceRules('p', policies.lines);

  const build = async (): Promise<Enforcer> => {
    const e = await newEnforcer(newModelFromString(modelText), adapter);
    await e.addNamedDomainMatchingFunc('g', holdsIn);
    // Writes go to the table first (Authz below, to know what changed); casbin only updates memory.
    e.enableAutoSave(false);
    return e;
  };
  let enforcer = await build();

  // Writes and reloads run one at a time, so a reload never drops a change made while it read the table.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const can = async (p: Principal, permission: Permission, tenant: string): Promise<boolean> => {
    if (!isPermission(permission) || typeof tenant !== 'string' || tenant === '') return false;
    if (permission === 'self') return p.kind === 'user';
    const e = enforcer;
    const implicit = tokenRole(p);
    if (implicit && holdsIn(tenant, implicit.tenant) && (await e.hasPolicy(implicit.role, permission))) return true;
    return e.enforce(subjectOf(p), tenant, permission);
  };

  /** Input checks shared by assignRole and removeRole; returns the role's definition. */
  const checkInput = (subject: string, role: Role, tenant: string): RoleDefinition => {
    if (typeof subject !== 'string' || !SUBJECT_RE.test(subject)) {
      throw new AppError(400, 'invalid_subject', 'subject: expected user:<id> or token:<id>', { field: 'subject' });
    }
    const def = isRole(role) ? policies.byName.get(role) : undefined;
    if (!def) throw new AppError(400, 'unknown_role', `role: unknown role ${JSON.stringify(role)}`, { field: 'role' });
    if (typeof tenant !== 'string' || tenant === '') throw new AppError(400, 'invalid_tenant', 'tenant: expected a tenant id or *', { field: 'tenant' });
    return def;
  };

  /** No escalation: changing a role in a tenant needs roles:manage there; a platform-wide role needs it in '*'. */
  const checkActor = async (actor: Principal, tenant: string): Promise<void> => {
    if (!(await can(actor, 'roles:manage', tenant))) {
      throw new AppError(403, 'forbidden', `${actor.name} may not manage roles in tenant ${tenant}`);
    }
  };

  const authz: Authz = {
    can,
    roles: policies.byName,

    async scope(p, permission) {
      if (permission === 'self') return p.kind === 'user' ? [p.tenant] : [];
      if (await can(p, permission, '*')) return '*';
      const candidates = new Set((await enforcer.getFilteredGroupingPolicy(0, subjectOf(p))).map((g) => g[2]));
      const implicit = tokenRole(p);
      if (implicit) candidates.add(implicit.tenant);
      const out: string[] = [];
      for (const t of [...candidates].sort()) if (t !== '*' && (await can(p, permission, t))) out.push(t);
      return out;
    },

    async assignRole(subject, role, tenant, actor) {
      const def = checkInput(subject, role, tenant);
      if (def.holder === 'token') {
        throw new AppError(400, 'role_not_assignable', `role: ${role} is held by ${role} tokens only, never assigned`, { field: 'role' });
      }
      if (def.scope === 'platform' && tenant !== '*') {
        throw new AppError(400, 'invalid_tenant', `tenant: ${role} holds in every tenant, assign it in tenant *`, { field: 'tenant' });
      }
      if (def.scope === 'tenant' && !tenants.has(tenant)) {
        throw new AppError(400, 'invalid_tenant', `tenant: unknown tenant ${JSON.stringify(tenant)} for the per-tenant role ${role}`, { field: 'tenant' });
      }
      await checkActor(actor, tenant);
      await serial(async () => {
        const line = [subject, role, tenant];
        const added = await adapter.insertRule('g', line);
        await enforcer.addNamedGroupingPolicy('g', ...line);
        if (!added) return;
        try {
          await audit.record(actor.name, 'role.assigned', subject, { role, tenant });
        } catch (err) {
          // A role change without its audit record must not stand.
          await adapter.deleteRule('g', line);
          await enforcer.removeNamedGroupingPolicy('g', ...line);
          throw err;
        }
      });
    },

    async removeRole(subject, role, tenant, actor) {
      checkInput(subject, role, tenant);
      await checkActor(actor, tenant);
      await serial(async () => {
        const line = [subject, role, tenant];
        const removed = await adapter.deleteRule('g', line);
        await enforcer.removeNamedGroupingPolicy('g', ...line);
        if (!removed) throw new AppError(404, 'role_not_assigned', `${subject} does not hold ${role} in tenant ${tenant}`);
        try {
          await audit.record(actor.name, 'role.removed', subject, { role, tenant });
        } catch (err) {
          await adapter.insertRule('g', line);
          await enforcer.addNamedGroupingPolicy('g', ...line);
          throw err;
        }
      });
    },

    async rolesOf(subject) {
      const lines = await adapter.findRules('g', [subject]);
      return lines.filter((g) => isRole(g[1])).map((g) => ({ role: g[1] as Role, tenant: g[2] }));
    },

    reload: () =>
      serial(async () => {
        enforcer = await build();
      }),
  };
  return authz;
}
