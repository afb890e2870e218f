import { z } from 'zod';
import { AppError } from '../../core/errors';
import { decodeCursor } from '../../core/stores/event-store';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';

export function deadLetterRoutes(ctx: AppContext) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/deadletter',
      permission: 'deadletter:read',
      summary: 'Records that could not be parsed or mapped, newest first, with their reason',
      tags: ['intake'],
      openapi: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'before', in: 'query', schema: { type: 'string' }, description: 'Cursor (`next` of the previous page)' },
        ],
        responses: { '200': { description: '{ items, total, next? }' } },
      },
      async handler(req, res, principal) {
        const r = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: z.string().max(256).optional() }).safeParse(req.query);
        if (!r.success) throw fromZod(r.error);
        const scope = await ctx.authz.scope(principal!, 'deadletter:read');
        if (r.data.before) {
          try {
            if (Number.isNaN(Date.parse(decodeCursor(r.data.before)[0]))) throw new Error();
          } catch {
            throw new AppError(400, 'invalid_query', 'before: not a cursor returned by this API', { field: 'before' });
          }
        }
        const page = await ctx.deadLetters.list({ scope, limit: r.data.limit, before: r.data.before });
        res.json({ ...page, total: await ctx.deadLetters.count({ scope }) });
      },
    },
  ]);
}
