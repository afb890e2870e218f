import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '../../core/errors';
import type { EventQuery } from '../../core/stores/event-store';
import { decodeCursor } from '../../core/stores/event-store';
import type { Principal } from '../auth/permissions';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';

const iso = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-11-30T08:00:00Z' });
const filters = z.object({
  tenant: z.string().min(1).max(64).optional(),
  app: z.string().min(1).max(64).optional(),
  user: z.string().min(1).max(256).optional(),
  person: z.string().min(1).max(32).optional(),
  action: z.string().min(1).max(128).optional(),
  outcome: z.enum(['success', 'failure', 'unknown']).optional(),
  from: iso.optional(),
  to: iso.optional(),
});
const pageFields = {
  size: z.coerce.number().int().min(1, 'at least 1').max(1000, 'at most 1000').default(100),
  after: z.string().max(512).optional(),
};
// Unknown parameters are refused: a typo such as `persn=` must not silently return every event.
const filterQuery = filters.strict();
const pageQuery = filters.extend(pageFields).strict();

export const eventFilterNames = Object.keys(filters.shape);

/** Builds the store query: scope from the caller, a person code turned into its pseudonym. */
async function toQuery(ctx: AppContext, req: Request, principal: Principal, withPage: boolean): Promise<EventQuery> {
  const r = (withPage ? pageQuery : filterQuery).safeParse(req.query);
  if (!r.success) throw fromZod(r.error);
  const { person, ...rest } = r.data as z.infer<typeof pageQuery>;
  if (rest.from && rest.to && Date.parse(rest.from) >= Date.parse(rest.to))
    throw new AppError(400, 'invalid_query', 'from must be before to', { field: 'from' });
  if (rest.after) {
    try {
      decodeCursor(rest.after);
    } catch {
      throw new AppError(400, 'invalid_query', 'after: not a cursor returned by this API', { field: 'after' });
    }
  }
  if (rest.tenant && !ctx.tenants.has(rest.tenant)) throw new AppError(400, 'invalid_query', `tenant: unknown tenant ${rest.tenant}`, { field: 'tenant' });
  const scope = await ctx.authz.scope(principal, 'events:read');
  // Naming a tenant outside one's own is refused outright (as MFA coverage does), not answered with an empty page.
  if (rest.tenant && scope !== '*' && !scope.includes(rest.tenant))
    throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to read events of ${rest.tenant}`, { field: 'tenant' });
  return { ...rest, scope, ...(person ? { person: ctx.pseudonymiser.person(person) } : {}) };
}

const filterParams = [
  { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Municipality or institution id' },
  { name: 'app', in: 'query', schema: { type: 'string' }, description: 'Application (service.name), e.g. NINO' },
  { name: 'user', in: 'query', schema: { type: 'string' } },
  { name: 'person', in: 'query', schema: { type: 'string' }, description: 'Person code (either format); searched by its pseudonym' },
  { name: 'action', in: 'query', schema: { type: 'string' } },
  { name: 'outcome', in: 'query', schema: { type: 'string', enum: ['success', 'failure', 'unknown'] } },
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
];

export function eventRoutes(ctx: AppContext) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/events',
      permission: 'events:read',
      summary: 'Search events, newest first, with deep paging',
      tags: ['events'],
      openapi: {
        parameters: [
          ...filterParams,
          { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'Cursor from the previous page (`next`)' },
        ],
        responses: { '200': { description: '{ events, total, next? }' }, '400': { description: 'Bad filter (problem+json naming the field)' } },
      },
      async handler(req, res, principal) {
        res.json(await ctx.events.search(await toQuery(ctx, req, principal!, true)));
      },
    },
    {
      method: 'get',
      path: '/api/v1/events/count',
      permission: 'events:read',
      summary: 'Count events matching the filters',
      tags: ['events'],
      openapi: { parameters: filterParams, responses: { '200': { description: '{ count }' } } },
      async handler(req, res, principal) {
        res.json({ count: await ctx.events.count(await toQuery(ctx, req, principal!, false)) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/stats/overview',
      permission: 'events:read',
      summary: 'Events per application per hour, sources and their last event, dead-letter count',
      tags: ['events'],
      openapi: {
        parameters: [{ name: 'hours', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 744, default: 24 } }],
        responses: { '200': { description: '{ from, to, hourly, sources, deadLetters }' } },
      },
      async handler(req, res, principal) {
        const r = z.object({ hours: z.coerce.number().int().min(1).max(744).default(24) }).safeParse(req.query);
        if (!r.success) throw fromZod(r.error);
        const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
        const from = new Date(to.getTime() - r.data.hours * 3_600_000);
        const scope = await ctx.authz.scope(principal!, 'events:read');
        const [o, total] = await Promise.all([
          ctx.events.overview({ scope, from: from.toISOString(), to: to.toISOString() }),
          ctx.deadLetters.count({ scope }),
        ]);
        res.json({ from: from.toISOString(), to: to.toISOString(), ...o, deadLetters: { total } });
      },
    },
  ]);
}
