import { z } from 'zod';
import { AppError, notFound } from '../../core/errors';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { VPS_APPLICATIONS, vpsApplicationOf } from '../mfa/vps-applications';
import { defineRoutes } from '../route';

const newToken = z
  .object({
    kind: z.enum(['collector', 'vps-application'], { errorMap: () => ({ message: "only 'collector' and 'vps-application' tokens are created here" }) }).default('collector'),
    tenant: z.string().min(1).max(64),
    source: z.string().regex(/^[\w.:@/-]{1,100}$/, 'letters, digits and . : @ / - _ only, at most 100'),
    expiresInDays: z.number().int().min(1).max(730, 'at most 730 days (2 years)').default(365),
    description: z.string().max(500).optional(),
  })
  .strict()
  // A vps-application token (validation API, issue 3) is for one tenant and one VPS application, named as its source.
  .superRefine((t, ctx) => {
    if (t.kind !== 'vps-application') return;
    if (t.tenant === '*') ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'a vps-application token is for one tenant, not *' });
    if (!vpsApplicationOf(t.source) || vpsApplicationOf(t.source) !== t.source)
      ctx.addIssue({ code: 'custom', path: ['source'], message: `a vps-application token's source is a VPS application: ${VPS_APPLICATIONS.join(', ')}` });
  });

/** Collector tokens: created by a platform admin, shown once, stored hashed, scoped to a tenant and a source. */
export function tokenRoutes(ctx: AppContext) {
  return defineRoutes([
    {
      method: 'post',
      path: '/api/v1/tokens',
      permission: 'tokens:manage',
      stepUp: true, // issue 3: token creation is a sensitive action (second factor within the last N minutes)
      summary: 'Create a collector or vps-application token (the secret is shown once)',
      tags: ['tokens'],
      openapi: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['tenant', 'source'],
                properties: {
                  kind: { type: 'string', enum: ['collector', 'vps-application'], default: 'collector' },
                  tenant: { type: 'string', description: 'Tenant id, or * for a central collector' },
                  source: { type: 'string', description: 'Collector: the source it ships; vps-application: the VPS application (e.g. SOPA)' },
                  expiresInDays: { type: 'integer', minimum: 1, maximum: 730, default: 365 },
                  description: { type: 'string' },
                },
              },
            },
          },
        },
        responses: { '201': { description: '{ id, token, kind, tenant, source, expiresAt }' }, '400': { description: 'Invalid field' } },
      },
      async handler(req, res, principal) {
        const r = newToken.safeParse(req.body ?? {});
        if (!r.success) throw fromZod(r.error, 'body');
        const t = r.data;
        if (t.tenant !== '*' && !ctx.tenants.has(t.tenant)) throw new AppError(400, 'invalid_body', `tenant: unknown tenant ${t.tenant}`, { field: 'tenant' });
        if (!(await ctx.authz.can(principal!, 'tokens:manage', t.tenant))) throw new AppError(403, 'forbidden', `not permitted: tokens:manage in ${t.tenant}`);
        const { token, info } = await ctx.tokens.create({
          kind: t.kind,
          tenant: t.tenant,
          source: t.source,
          description: t.description,
          createdBy: principal!.name,
          expiresAt: new Date(Date.now() + t.expiresInDays * 86_400_000),
        });
        await ctx.audit.record(principal!.name, 'token.created', `token:${info.id}`, { kind: info.kind, tenant: info.tenant, source: info.source, expiresAt: info.expiresAt });
        res.status(201).json({ ...info, token });
      },
    },
    {
      method: 'get',
      path: '/api/v1/tokens',
      permission: 'tokens:manage',
      summary: 'List tokens (never their secrets)',
      tags: ['tokens'],
      openapi: { responses: { '200': { description: '{ items }' } } },
      async handler(_req, res) {
        res.json({ items: await ctx.tokens.list() });
      },
    },
    {
      method: 'delete',
      path: '/api/v1/tokens/:id',
      permission: 'tokens:manage',
      stepUp: true,
      summary: 'Revoke a token',
      tags: ['tokens'],
      openapi: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Revoked' }, '404': { description: 'No such active token' } },
      },
      async handler(req, res, principal) {
        const id = String(req.params.id);
        if (!(await ctx.tokens.revoke(id))) throw notFound(`no active token ${id}`);
        await ctx.audit.record(principal!.name, 'token.revoked', `token:${id}`);
        res.status(204).end();
      },
    },
  ]);
}
