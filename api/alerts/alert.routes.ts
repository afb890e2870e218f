import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '../../core/errors';
import type { AppContext } from '../app-context';
import type { Principal } from '../auth/permissions';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import { ALERT_LEVELS, ALERT_STATUSES, type TriageAlertStore, type TriageSuppressionStore } from './alert-triage.types';
import { suppressionRoutes } from './suppression.routes';

type Ctx = Pick<AppContext, 'authz' | 'audit' | 'tenants'>;

const iso = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-11-30T08:00:00Z' });
const filters = z.object({
  tenant: z.string().min(1).max(64).optional(),
  ruleId: z.string().min(1).max(128).optional(),
  level: z.enum(ALERT_LEVELS).optional(),
  status: z.enum(ALERT_STATUSES).optional(),
  assignee: z.string().min(1).max(256).optional(),
  from: iso.optional(),
  to: iso.optional(),
});
// Unknown parameters are refused (a typo must not silently widen the list), as api/events does.
const listQuery = filters
  .extend({
    size: z.coerce.number().int().min(1, 'at least 1').max(500, 'at most 500').default(50),
    after: z.string().max(512).optional(),
    sort: z.enum(['lastSeen', 'level', 'count']).default('lastSeen'),
  })
  .strict();
const statsQuery = z.object({ from: iso.optional(), to: iso.optional() }).strict();
const idParam = z.string().min(1).max(128);
const assignBody = z.object({ assignee: z.string().trim().min(1).max(256).nullable() }).strict();
const statusBody = z.object({ status: z.enum(ALERT_STATUSES) }).strict();
const commentBody = z.object({ text: z.string().trim().min(1, 'must not be empty').max(4000) }).strict();

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown, where: 'query' | 'body'): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw fromZod(r.error, where);
  return r.data;
}

function checkRange(from?: string, to?: string): void {
  if (from && to && Date.parse(from) >= Date.parse(to)) throw new AppError(400, 'invalid_query', 'from must be before to', { field: 'from' });
}

function alertId(req: Request): string {
  const r = idParam.safeParse(req.params.id);
  if (!r.success) throw new AppError(400, 'invalid_path', 'id: not an alert id', { field: 'id' });
  return r.data;
}

const filterParams = [
  { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Municipality or institution id (vps.tenant of the evidence)' },
  { name: 'ruleId', in: 'query', schema: { type: 'string' }, description: 'Sigma rule id' },
  { name: 'level', in: 'query', schema: { type: 'string', enum: [...ALERT_LEVELS] } },
  { name: 'status', in: 'query', schema: { type: 'string', enum: [...ALERT_STATUSES] } },
  { name: 'assignee', in: 'query', schema: { type: 'string' } },
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'lastSeen at or after' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'lastSeen before' },
];
const idParams = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const json = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });

/**
 * Alert triage (issue 4 "Alerts and triage"): list, detail, counts for the charts, assign, status, comments.
 * Tenant security officers see and change their own tenants' alerts only (scope from ctx.authz.scope); every
 * change is written to Sargs's audit trail and, by the store, to the alert's own history with who and when.
 * Includes the suppression-rule routes (suppression.routes.ts).
 *
 * @example routes.push(...alertRoutes(ctx, { alerts: alertStore, suppressions: createSuppressionStore(sql) }))
 */
export function alertRoutes(ctx: Ctx, deps: { alerts: TriageAlertStore; suppressions: TriageSuppressionStore }) {
  const { alerts } = deps;

  /** The scope of `perm`, refusing outright a named tenant outside it (as events and MFA coverage do). */
  async function scopeFor(principal: Principal, perm: 'alerts:read' | 'alerts:triage', tenant?: string) {
    if (tenant && !ctx.tenants.has(tenant)) throw new AppError(400, 'invalid_query', `tenant: unknown tenant ${tenant}`, { field: 'tenant' });
    const scope = await ctx.authz.scope(principal, perm);
    if (tenant && scope !== '*' && !scope.includes(tenant))
      throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to read alerts of ${tenant}`, { field: 'tenant' });
    return scope;
  }

  /** Applies one triage change to an alert the caller may triage; 404 (not 403) for one outside the scope. */
  async function triage(req: Request, principal: Principal, action: string, change: Parameters<TriageAlertStore['update']>[2]) {
    const id = alertId(req);
    const scope = await scopeFor(principal, 'alerts:triage');
    const before = await alerts.get(id, scope);
    if (!before) throw new AppError(404, 'not_found', `alert ${id} not found`, { field: 'id' });
    const after = await alerts.update(id, scope, change, principal.name);
    const details: Record<string, unknown> = { tenant: before.tenant, ruleId: before.ruleId };
    if (change.status !== undefined) Object.assign(details, { from: before.status, to: after.status });
    if (change.assignee !== undefined) Object.assign(details, { from: before.assignee ?? null, to: after.assignee ?? null });
    // The comment text stays in the alert (it may name people); the audit trail records that one was added.
    await ctx.audit.record(principal.name, action, id, details);
    return after;
  }

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/alerts',
      permission: 'alerts:read',
      summary: 'Search alerts with filters and sort, with deep paging (suppressed alerts left out)',
      tags: ['alerts'],
      openapi: {
        parameters: [
          ...filterParams,
          { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'Cursor from the previous page (`next`)' },
          { name: 'sort', in: 'query', schema: { type: 'string', enum: ['lastSeen', 'level', 'count'], default: 'lastSeen' } },
        ],
        responses: { '200': { description: '{ alerts, total, next? }' }, '400': { description: 'Bad filter (problem+json naming the field)' } },
      },
      async handler(req, res, principal) {
        const q = parse(listQuery, req.query, 'query');
        checkRange(q.from, q.to);
        const scope = await scopeFor(principal!, 'alerts:read', q.tenant);
        res.json(await alerts.search({ ...q, scope }));
      },
    },
    {
      // Declared before /:id so that `stats` is not taken for an alert id.
      method: 'get',
      path: '/api/v1/alerts/stats',
      permission: 'alerts:read',
      summary: 'Alert counts by rule, tenant and severity (for the charts)',
      tags: ['alerts'],
      openapi: { parameters: filterParams.filter((p) => p.name === 'from' || p.name === 'to'), responses: { '200': { description: '{ byRule, byTenant, byLevel }' } } },
      async handler(req, res, principal) {
        const q = parse(statsQuery, req.query, 'query');
        checkRange(q.from, q.to);
        res.json(await alerts.counts({ ...q, scope: await scopeFor(principal!, 'alerts:read') }));
      },
    },
    {
      method: 'get',
      path: '/api/v1/alerts/:id',
      permission: 'alerts:read',
      summary: 'One alert with its evidence event ids, comments, history and the Sigma rule author',
      tags: ['alerts'],
      openapi: { parameters: idParams, responses: { '200': { description: 'The alert' }, '404': { description: 'No such alert in the caller\'s tenants' } } },
      async handler(req, res, principal) {
        const id = alertId(req);
        const alert = await alerts.get(id, await scopeFor(principal!, 'alerts:read'));
        if (!alert) throw new AppError(404, 'not_found', `alert ${id} not found`, { field: 'id' });
        res.json(alert);
      },
    },
    {
      method: 'post',
      path: '/api/v1/alerts/:id/assign',
      permission: 'alerts:triage',
      summary: 'Assign an alert to an analyst (null to unassign)',
      tags: ['alerts'],
      openapi: { parameters: idParams, requestBody: json({ type: 'object', required: ['assignee'], properties: { assignee: { type: ['string', 'null'] } } }), responses: { '200': { description: 'The updated alert' } } },
      async handler(req, res, principal) {
        const { assignee } = parse(assignBody, req.body, 'body');
        res.json(await triage(req, principal!, 'alert.assigned', { assignee }));
      },
    },
    {
      method: 'post',
      path: '/api/v1/alerts/:id/status',
      permission: 'alerts:triage',
      summary: 'Set an alert\'s status (open, acknowledged, in progress, closed as true/false positive or benign)',
      tags: ['alerts'],
      openapi: { parameters: idParams, requestBody: json({ type: 'object', required: ['status'], properties: { status: { type: 'string', enum: [...ALERT_STATUSES] } } }), responses: { '200': { description: 'The updated alert' } } },
      async handler(req, res, principal) {
        const { status } = parse(statusBody, req.body, 'body');
        res.json(await triage(req, principal!, 'alert.status_changed', { status }));
      },
    },
    {
      method: 'post',
      path: '/api/v1/alerts/:id/comments',
      permission: 'alerts:triage',
      summary: 'Add a comment to an alert',
      tags: ['alerts'],
      openapi: { parameters: idParams, requestBody: json({ type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 4000 } } }), responses: { '200': { description: 'The updated alert' } } },
      async handler(req, res, principal) {
        const { text } = parse(commentBody, req.body, 'body');
        res.json(await triage(req, principal!, 'alert.commented', { comment: text }));
      },
    },
    ...suppressionRoutes(ctx, { suppressions: deps.suppressions }),
  ]);
}
