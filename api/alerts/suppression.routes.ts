import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { AppContext } from '../app-context';
import type { Principal } from '../auth/permissions';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import type { TriageSuppressionStore } from './alert-triage.types';

type Ctx = Pick<AppContext, 'authz' | 'audit' | 'tenants'>;

/** Longest suppression: a quarter, so that a forgotten one cannot silence a rule for good (issue 4: "an expiry"). */
export const MAX_SUPPRESSION_DAYS = 92;

const addBody = z
  .object({
    tenant: z.string().min(1).max(64),
    ruleId: z.string().min(1).max(128),
    entityPattern: z.string().min(1).max(256),
    reason: z.string().trim().min(5, 'at least 5 characters: say why these alerts are expected').max(1000),
    expiresAt: z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-31T00:00:00Z' }),
  })
  .strict();

const inScope = (scope: string[] | '*', tenant: string) => scope === '*' || (tenant !== '*' && scope.includes(tenant));

/**
 * Suppression rules (issue 4: "suppression rules with an expiry and a reason"): alerts matching tenant, rule and
 * entity pattern are marked suppressed until the expiry. Tenant officers manage their own tenants' only; a rule
 * for every tenant (`*`) needs alerts:triage in every tenant. Every change goes to the audit trail.
 */
export function suppressionRoutes(ctx: Ctx, deps: { suppressions: TriageSuppressionStore; now?: () => number }) {
  const { suppressions } = deps;
  const now = deps.now ?? Date.now;
  const scopeOf = (p: Principal) => ctx.authz.scope(p, 'alerts:triage');

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/alert-suppressions',
      permission: 'alerts:triage',
      summary: 'List suppression rules in the caller\'s tenants',
      tags: ['alerts'],
      openapi: { responses: { '200': { description: '{ suppressions }' } } },
      async handler(_req, res, principal) {
        const scope = await scopeOf(principal!);
        res.json({ suppressions: await suppressions.list(scope) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/alert-suppressions',
      permission: 'alerts:triage',
      summary: 'Add a suppression rule (reason and expiry required)',
      tags: ['alerts'],
      openapi: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['tenant', 'ruleId', 'entityPattern', 'reason', 'expiresAt'],
                properties: {
                  tenant: { type: 'string', description: "Tenant id or '*'" },
                  ruleId: { type: 'string', description: "Sigma rule id or '*'" },
                  entityPattern: { type: 'string', description: "Entity pattern (user, address or group key; '*' wildcards)" },
                  reason: { type: 'string' },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The suppression rule' }, '400': { description: 'Missing reason, expiry in the past or too far' } },
      },
      async handler(req, res, principal) {
        const r = addBody.safeParse(req.body ?? {});
        if (!r.success) throw fromZod(r.error, 'body');
        const b = r.data;
        const expires = Date.parse(b.expiresAt);
        if (expires <= now()) throw new AppError(400, 'invalid_body', 'expiresAt: must be in the future', { field: 'expiresAt' });
        if (expires > now() + MAX_SUPPRESSION_DAYS * 86_400_000)
          throw new AppError(400, 'invalid_body', `expiresAt: at most ${MAX_SUPPRESSION_DAYS} days ahead`, { field: 'expiresAt' });
        if (b.tenant !== '*' && !ctx.tenants.has(b.tenant)) throw new AppError(400, 'invalid_body', `tenant: unknown tenant ${b.tenant}`, { field: 'tenant' });
        if (!inScope(await scopeOf(principal!), b.tenant))
          throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to suppress alerts of ${b.tenant}`, { field: 'tenant' });
        const s = await suppressions.add({ ...b, expiresAt: new Date(expires).toISOString(), createdBy: principal!.name });
        await ctx.audit.record(principal!.name, 'alert_suppression.added', s.id, { tenant: s.tenant, ruleId: s.ruleId, entityPattern: s.entityPattern, reason: s.reason, expiresAt: s.expiresAt });
        res.status(201).json(s);
      },
    },
    {
      method: 'delete',
      path: '/api/v1/alert-suppressions/:id',
      permission: 'alerts:triage',
      summary: 'Remove a suppression rule',
      tags: ['alerts'],
      openapi: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': { description: 'Removed' }, '404': { description: 'No such rule in the caller\'s tenants' } } },
      async handler(req, res, principal) {
        const id = String(req.params.id);
        const scope = await scopeOf(principal!);
        // Looked up first for the audit record; an expired rule (not listed) may still be removed.
        const s = (await suppressions.list(scope)).find((x) => x.id === id);
        if (!(await suppressions.remove(id, scope))) throw new AppError(404, 'not_found', `suppression ${id} not found`, { field: 'id' });
        await ctx.audit.record(principal!.name, 'alert_suppression.removed', id, s ? { tenant: s.tenant, ruleId: s.ruleId, entityPattern: s.entityPattern } : {});
        res.status(204).end();
      },
    },
  ]);
}
