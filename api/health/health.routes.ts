import type { AppContext } from '../app-context';
import { defineRoutes } from '../route';

export function healthRoutes(ctx: AppContext) {
  return defineRoutes([
    {
      method: 'get',
      path: '/healthz',
      permission: 'public',
      summary: 'Each backend and its state (200 when all are up, 503 otherwise)',
      tags: ['system'],
      openapi: { responses: { '200': { description: 'All backends up' }, '503': { description: 'A backend is down' } } },
      async handler(_req, res) {
        const h = await ctx.health();
        res.status(h.status === 'ok' ? 200 : 503).json(h);
      },
    },
    {
      method: 'get',
      path: '/metrics',
      permission: 'metrics:read',
      summary: 'Prometheus metrics: events received, stored, dead-lettered, spool depth, store latency',
      tags: ['system'],
      openapi: { responses: { '200': { description: 'Prometheus text format' } } },
      async handler(_req, res) {
        const s = ctx.intake.spoolStatus();
        ctx.metrics.spoolDepth.set(s.depth);
        ctx.metrics.spoolBytes.set(s.bytes);
        res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
      },
    },
  ]);
}
