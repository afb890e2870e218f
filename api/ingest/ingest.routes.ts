import { z } from 'zod';
import type { IntakeContext, ParserName } from '../../core/types';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import { decodeIngestBody } from './decode-body';

const parsers = ['auto', 'vps_audit', 'oracle_audit', 'web_access', 'windows', 'ecs', 'syslog'] as const;
const query = z.object({
  parser: z.enum(parsers).default('auto'),
  source: z.string().regex(/^[\w.:@/-]{1,100}$/, 'letters, digits and . : @ / - _ only, at most 100').optional(),
});

/** `POST /api/v1/ingest`: NDJSON, a JSON array or log lines; gzip accepted (Content-Encoding: gzip). */
export function ingestRoutes(ctx: AppContext) {
  return defineRoutes([
    {
      method: 'post',
      path: '/api/v1/ingest',
      permission: 'events:ingest',
      body: 'raw',
      summary: 'Send events: NDJSON, a JSON array or log lines (gzip accepted)',
      tags: ['intake'],
      openapi: {
        parameters: [
          { name: 'parser', in: 'query', schema: { type: 'string', enum: [...parsers], default: 'auto' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/x-ndjson': { schema: { type: 'string' } },
            'application/json': { schema: { type: 'array', items: { type: 'object' } } },
            'text/plain': { schema: { type: 'string' } },
          },
        },
        responses: {
          '200': { description: 'Per-record outcome; rejected records are in the dead-letter store' },
          '401': { description: 'Missing or invalid token' },
          '413': { description: 'Body too large' },
          '503': { description: 'Event store down and spool full; Retry-After says when to retry' },
        },
      },
      async handler(req, res, principal) {
        const q = query.safeParse(req.query);
        if (!q.success) throw fromZod(q.error);
        const started = Date.now();
        const records = decodeIngestBody(req.body as Buffer);
        const ictx: IntakeContext = {
          tenant: principal!.tenant,
          source: principal!.source ?? q.data.source ?? 'http',
          parser: q.data.parser as ParserName,
          transport: 'http',
          remoteAddress: req.socket.remoteAddress,
        };
        const outcomes = await ctx.intake.accept(records, ictx);
        const count = (s: string) => outcomes.filter((o) => o.status === s).length;
        const rejected = outcomes.flatMap((o, index) => (o.status === 'rejected' ? [{ index, ...o }] : []));
        res.json({
          took: Date.now() - started,
          received: records.length,
          created: count('created'),
          duplicates: count('duplicate'),
          spooled: count('spooled'),
          rejected: rejected.length,
          errors: rejected.length > 0,
          items: rejected,
        });
      },
    },
  ]);
}
