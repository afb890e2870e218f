import { z } from 'zod';
import { AppError, notFound } from '../../core/errors';
import type { AppContext } from '../app-context';
import { isRole } from '../authz/roles';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';

const assignment = z.object({ role: z.string().min(1).max(64), tenant: z.string().min(1).max(64) }).strict();

/**
 * Roles of users: who holds which role where (casbin `g` lines). Changing them needs roles:manage and a fresh
 * second factor (step-up); every change is audited by Authz.
 */
export function roleRoutes(ctx: AppContext) {
  const userExists = async (id: string, scope: string[] | '*') => {
    const r = await ctx.identity.sql.query<{ tenant: string }>('SELECT tenant FROM users WHERE id = $1', [id]);
    const t = r.rows[0]?.tenant;
    // A user outside the caller's tenants is not found, rather than forbidden: it does not exist for them.
    if (!t || (scope !== '*' && !scope.includes(t))) throw notFound(`no user ${id}`);
  };
  const roleOf = (v: string) => {
    if (!isRole(v)) throw new AppError(400, 'unknown_role', `role: unknown role ${v}`, { field: 'role' });
    return v;
  };
  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/roles',
      permission: 'policies:read',
      summary: 'The roles, their permissions and where they hold (policies/roles.yaml)',
      tags: ['roles'],
      openapi: { responses: { '200': { description: '{ items: [{ name, scope, holder, description, permissions }] }' } } },
      handler: (_req, res) => void res.json({ items: [...ctx.authz.roles.values()] }),
    },
    {
      method: 'get',
      path: '/api/v1/users/:id/roles',
      permission: 'users:read',
      summary: "A user's roles and the tenants they hold in",
      tags: ['roles'],
      openapi: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '{ items: [{ role, tenant }] }' }, '404': { description: 'No such user for the caller' } },
      },
      async handler(req, res, principal) {
        await userExists(String(req.params.id), await ctx.authz.scope(principal!, 'users:read'));
        res.json({ items: await ctx.authz.rolesOf(`user:${req.params.id}`) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/users/:id/roles',
      permission: 'roles:manage',
      stepUp: true,
      summary: 'Grant a role in a tenant (or * for platform roles)',
      tags: ['roles'],
      openapi: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['role', 'tenant'], properties: { role: { type: 'string' }, tenant: { type: 'string' } } } } } },
        responses: { '201': { description: 'Granted (audited)' }, '400': { description: 'Unknown role or tenant, or a role that is not assignable there' }, '401': { description: 'step_up_required' }, '403': { description: 'Not permitted in that tenant' } },
      },
      async handler(req, res, principal) {
        const b = assignment.safeParse(req.body ?? {});
        if (!b.success) throw fromZod(b.error, 'body');
        await userExists(String(req.params.id), await ctx.authz.scope(principal!, 'roles:manage'));
        await ctx.authz.assignRole(`user:${req.params.id}`, roleOf(b.data.role), b.data.tenant, principal!);
        res.status(201).json({ items: await ctx.authz.rolesOf(`user:${req.params.id}`) });
      },
    },
    {
      method: 'delete',
      path: '/api/v1/users/:id/roles/:role/:tenant',
      permission: 'roles:manage',
      stepUp: true,
      summary: 'Remove a role from a user in a tenant',
      tags: ['roles'],
      openapi: {
        parameters: ['id', 'role', 'tenant'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        responses: { '204': { description: 'Removed (audited)' }, '401': { description: 'step_up_required' }, '404': { description: 'Not held' } },
      },
      async handler(req, res, principal) {
        await userExists(String(req.params.id), await ctx.authz.scope(principal!, 'roles:manage'));
        await ctx.authz.removeRole(`user:${req.params.id}`, roleOf(String(req.params.role)), String(req.params.tenant), principal!);
        res.status(204).end();
      },
    },
  ]);
}
