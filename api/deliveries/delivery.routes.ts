import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { DeliveryOutbox } from '../../core/delivery/outbox';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';

type Ctx = Pick<AppContext, 'authz' | 'tenants'>;

const STATES = ['pending', 'sending', 'delivered', 'retrying', 'dead'] as const;
// Unknown parameters are refused (a typo must not silently widen the list), as api/alerts does.
const listQuery = z
  .object({
    tenant: z.string().min(1).max(64).optional(),
    state: z.enum(STATES).optional(),
    subjectKind: z.string().min(1).max(64).optional(),
    subjectId: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1, 'at least 1').max(500, 'at most 500').default(100),
  })
  .strict()
  .refine((q) => !q.subjectKind === !q.subjectId, { message: 'subjectKind and subjectId go together', path: ['subjectId'] });
const idParam = z.string().uuid();

const record = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    key: { type: 'string', description: "The sender's idempotency key (e.g. notice:<id>)" },
    channel: { type: 'string', enum: ['email', 'webhook'] },
    to: { type: 'array', items: { type: 'string' } },
    subject: { type: 'string' },
    state: { type: 'string', enum: [...STATES] },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    lastError: { type: 'string' },
    contentHash: { type: 'string', description: 'SHA-256 (hex) of what is sent' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: 'string', format: 'date-time' },
    deliveredAt: { type: 'string', format: 'date-time' },
    tenant: { type: 'string' },
    subjectRef: { type: 'object', properties: { kind: { type: 'string' }, id: { type: 'string' } } },
    messageId: { type: 'string', description: 'E-mail Message-ID, stable across retries' },
    response: { type: 'string', description: 'What the receiver answered to the successful send' },
  },
};

/**
 * The delivery record of every e-mail and webhook Sargs sent or is sending (issue 6): state, attempts, last error,
 * content hash. Read-only; scoped to the caller's tenants for `deliveries:read`.
 *
 * @example routes.push(...deliveryRoutes(ctx, { outbox: ctx.delivery.outbox }))
 */
export function deliveryRoutes(ctx: Ctx, deps: { outbox: Pick<DeliveryOutbox, 'list' | 'get'> }) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/deliveries',
      permission: 'deliveries:read',
      summary: 'Deliveries (e-mail, webhooks) newest first, with state, attempts and last error',
      tags: ['delivery'],
      openapi: {
        parameters: [
          { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Tenant the message concerns' },
          { name: 'state', in: 'query', schema: { type: 'string', enum: [...STATES] } },
          { name: 'subjectKind', in: 'query', schema: { type: 'string' }, description: 'What the message belongs to, e.g. incident-notice (with subjectId)' },
          { name: 'subjectId', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': { description: '{ deliveries }', content: { 'application/json': { schema: { type: 'object', properties: { deliveries: { type: 'array', items: record } } } } } },
          '400': { description: 'Bad filter (problem+json naming the field)' },
          '403': { description: 'tenant outside the caller scope' },
        },
      },
      async handler(req, res, principal) {
        const r = listQuery.safeParse(req.query ?? {});
        if (!r.success) throw fromZod(r.error, 'query');
        const q = r.data;
        if (q.tenant && !ctx.tenants.has(q.tenant)) throw new AppError(400, 'invalid_query', `tenant: unknown tenant ${q.tenant}`, { field: 'tenant' });
        const scope = await ctx.authz.scope(principal!, 'deliveries:read');
        if (q.tenant && scope !== '*' && !scope.includes(q.tenant))
          throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to read deliveries of ${q.tenant}`, { field: 'tenant' });
        const deliveries = await deps.outbox.list({
          tenant: q.tenant ?? scope,
          ...(q.state ? { state: q.state } : {}),
          ...(q.subjectKind && q.subjectId ? { subjectRef: { kind: q.subjectKind, id: q.subjectId } } : {}),
          limit: q.limit,
        });
        res.json({ deliveries });
      },
    },
    {
      method: 'get',
      path: '/api/v1/deliveries/:id',
      permission: 'deliveries:read',
      summary: 'One delivery record',
      tags: ['delivery'],
      openapi: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'The record', content: { 'application/json': { schema: record } } },
          '404': { description: 'No such delivery in the caller scope' },
        },
      },
      async handler(req, res, principal) {
        const id = idParam.safeParse(req.params.id);
        if (!id.success) throw new AppError(400, 'invalid_path', 'id: not a delivery id', { field: 'id' });
        const scope = await ctx.authz.scope(principal!, 'deliveries:read');
        const rec = await deps.outbox.get(id.data);
        // Another tenant's record is as absent as a missing one (404, not 403: its existence is not disclosed).
        if (!rec || (scope !== '*' && !scope.includes(rec.tenant))) throw new AppError(404, 'not_found', `delivery ${id.data} not found`, { field: 'id' });
        res.json(rec);
      },
    },
  ]);
}
