import { AppError } from '../../../core/errors';
import type { Permission } from '../../authz/permissions';
import { newUserSchema, type AccountService } from './account.service';
import type { AccountRouteDef, Principal } from './identity-types';
import { bodyOf, jsonBody, pathParam } from './route-helpers';

/** The part of RBAC's Authz (api/authz) these routes use to check the tenant of the target. */
export interface TenantAuthz {
  can(p: Principal, permission: Permission, tenant: string): Promise<boolean>;
  scope(p: Principal, permission: Permission): Promise<string[] | '*'>;
}

/** Without Authz: a principal acts in its home tenant, '*' everywhere. */
export const homeTenantAuthz: TenantAuthz = {
  can: async (p, _perm, tenant) => p.tenant === '*' || p.tenant === tenant,
  scope: async (p) => (p.tenant === '*' ? '*' : [p.tenant]),
};

const tags = ['users'];
const id = pathParam('id', 'User id');

/**
 * Administration of accounts: create (with an enrolment link), list, new link, disable. The tenant of the target
 * user is checked against the caller's domain (tenant isolation: never from request input alone).
 */
export function userAdminRoutes(accounts: AccountService, authz: TenantAuthz): AccountRouteDef[] {
  async function mayManage(p: Principal | undefined, tenant: string): Promise<Principal> {
    if (!p || !(await authz.can(p, 'users:manage', tenant))) throw new AppError(403, 'forbidden', `you may not manage users of tenant ${tenant}`);
    return p;
  }
  async function target(p: Principal | undefined, userId: string) {
    const user = await accounts.users.byId(userId);
    // A user of another tenant is reported as missing, not as forbidden (no probing of other tenants' ids).
    if (!user || !p || !(await authz.can(p, 'users:manage', user.tenant))) throw new AppError(404, 'not_found', `no user ${userId}`);
    return { user, actor: p };
  }

  return [
    {
      method: 'post',
      path: '/api/v1/users',
      permission: 'users:manage',
      stepUp: true,
      summary: 'Create a user; answers a one-time enrolment link (shown once)',
      tags,
      openapi: {
        requestBody: jsonBody(
          { tenant: { type: 'string' }, username: { type: 'string' }, displayName: { type: 'string' }, email: { type: 'string' }, kind: { type: 'string', enum: ['staff', 'vps-employee'] } },
          ['tenant', 'username', 'displayName'],
        ),
        responses: { '201': { description: '{ user, enrolment: { token, url, expiresAt } }' }, '409': { description: 'username_taken' } },
      },
      async handler(req, res, principal) {
        const b = bodyOf(newUserSchema, req);
        const actor = await mayManage(principal, b.tenant);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(await accounts.createUser(b, actor));
      },
    },
    {
      method: 'get',
      path: '/api/v1/users',
      permission: 'users:read',
      summary: 'Users of the tenants the caller may read',
      tags,
      openapi: { responses: { '200': { description: '{ items }' } } },
      async handler(_req, res, principal) {
        const scope = principal ? await authz.scope(principal, 'users:read') : [];
        res.json({ items: await accounts.users.list(scope) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/users/:id/enrolment-link',
      permission: 'users:manage',
      stepUp: true,
      summary: 'Issue a new one-time enrolment link to a user still enrolling (earlier links stop working)',
      tags,
      openapi: { parameters: [id], responses: { '201': { description: '{ token, url, expiresAt }' }, '404': { description: 'No such user' }, '409': { description: 'User not enrolling' } } },
      async handler(req, res, principal) {
        const { user, actor } = await target(principal, String(req.params.id));
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(await accounts.issueEnrolmentLink(user.id, actor));
      },
    },
    {
      method: 'post',
      path: '/api/v1/users/:id/disable',
      permission: 'users:manage',
      stepUp: true,
      summary: 'Disable a user (their sessions end at the next request)',
      tags,
      openapi: { parameters: [id], responses: { '204': { description: 'Disabled' }, '404': { description: 'No such user' } } },
      async handler(req, res, principal) {
        const { user, actor } = await target(principal, String(req.params.id));
        await accounts.disable(user.id, actor);
        res.status(204).end();
      },
    },
  ];
}
