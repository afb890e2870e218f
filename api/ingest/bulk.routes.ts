import type { Request, Response } from 'express';
import type { Principal } from '../auth/permissions';
import type { IntakeContext, RawRecord } from '../../core/types';
import type { AppContext } from '../app-context';
import { defineRoutes } from '../route';
import { tryJson } from './decode-body';

/** The Elasticsearch version Sargs answers as, so that shippers' version checks pass (the server used in tests). */
export const ES_COMPAT_VERSION = '9.5.4';

type Action = { op: 'index' | 'create' | 'delete' | 'update'; index?: string; id?: string };

/**
 * An Elasticsearch-compatible `_bulk` endpoint, so Filebeat, Fluent Bit, Logstash, Vector or rsyslog's
 * omelasticsearch ship to Sargs unchanged. `index` and `create` actions are taken; `delete` and `update`
 * get a per-item 400 as Elasticsearch would give for a refused item. Per-item results use Elasticsearch's format.
 */
export function bulkRoutes(ctx: AppContext) {
  const streamName = `${ctx.config.esPrefix}-events`;

  async function bulk(req: Request, res: Response, principal: Principal | undefined) {
    const started = Date.now();
    const text = (req.body as Buffer | undefined)?.toString('utf8') ?? '';
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    type Item = { action: Action; record?: RawRecord; error?: string };
    const items: Item[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].trim()) continue;
      const meta = tryJson(lines[i]) as Record<string, { _index?: string; _id?: string }> | undefined;
      const op = meta && (Object.keys(meta)[0] as Action['op']);
      if (!meta || !op || !['index', 'create', 'delete', 'update'].includes(op)) {
        // Elasticsearch refuses the whole request on a malformed action line.
        res.status(400).json({
          error: { type: 'illegal_argument_exception', reason: `Malformed action/metadata line [${i + 1}], expected START_OBJECT with index, create, delete or update` },
          status: 400,
        });
        return;
      }
      const action: Action = { op, index: meta[op]?._index ?? (req.params.index as string | undefined), id: meta[op]?._id };
      if (op === 'delete') {
        items.push({ action, error: 'Sargs keeps events immutable: delete is not accepted' });
        continue;
      }
      const raw = lines[++i] ?? '';
      if (op === 'update') items.push({ action, error: 'Sargs keeps events immutable: update is not accepted' });
      else items.push({ action, record: { raw, value: tryJson(raw) } });
    }
    const accepted = items.filter((it) => it.record);
    const ictx: IntakeContext = {
      tenant: principal!.tenant,
      source: principal!.source ?? `bulk:${(req.params.index as string) ?? 'default'}`,
      parser: 'auto',
      transport: 'bulk',
      remoteAddress: req.socket.remoteAddress,
    };
    const outcomes = accepted.length ? await ctx.intake.accept(accepted.map((a) => a.record!), ictx) : [];
    let k = 0;
    let errors = false;
    const out = items.map((it) => {
      const key = it.action.op;
      if (!it.record) {
        errors = true;
        return { [key]: { _index: streamName, _id: it.action.id ?? null, status: 400, error: { type: 'action_request_validation_exception', reason: it.error } } };
      }
      const o = outcomes[k++];
      if (o.status === 'rejected') {
        errors = true;
        return { [key]: { _index: streamName, _id: null, status: 400, error: { type: 'document_parsing_exception', reason: o.reason, field: o.field, dead_letter_id: o.deadLetterId } } };
      }
      if (o.status === 'duplicate') {
        if (key === 'create') {
          errors = true;
          return { create: { _index: streamName, _id: o.id, status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${o.id}]: version conflict, document already exists` } } };
        }
        return { index: { _index: streamName, _id: o.id, _version: 1, result: 'noop', status: 200 } };
      }
      return { [key]: { _index: streamName, _id: o.id, _version: 1, result: 'created', status: 201, _shards: { total: 1, successful: 1, failed: 0 } } };
    });
    res.setHeader('X-Elastic-Product', 'Elasticsearch');
    res.json({ took: Date.now() - started, errors, items: out });
  }

  const info = (_req: Request, res: Response) => {
    res.setHeader('X-Elastic-Product', 'Elasticsearch');
    res.json({
      name: 'sargs',
      cluster_name: 'sargs',
      cluster_uuid: 'sargs',
      version: { number: ES_COMPAT_VERSION, build_flavor: 'default', lucene_version: '10.5.1', minimum_wire_compatibility_version: '8.19.0', minimum_index_compatibility_version: '8.0.0' },
      tagline: 'You Know, for Search',
    });
  };

  const bulkDoc = {
    requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
    responses: { '200': { description: 'Per-item results in Elasticsearch format' }, '401': { description: 'Missing or invalid token' }, '413': { description: 'Body too large' } },
  };
  return defineRoutes([
    { method: 'post', path: '/_bulk', permission: 'events:ingest', body: 'raw', summary: 'Elasticsearch-compatible bulk intake', tags: ['intake'], openapi: bulkDoc, handler: bulk },
    {
      method: 'post',
      path: '/:index/_bulk',
      permission: 'events:ingest',
      body: 'raw',
      summary: 'Elasticsearch-compatible bulk intake (index in the path)',
      tags: ['intake'],
      openapi: { ...bulkDoc, parameters: [{ name: 'index', in: 'path', required: true, schema: { type: 'string' } }] },
      handler: bulk,
    },
    {
      method: 'get',
      path: '/_cluster/health',
      permission: 'events:ingest',
      summary: 'Elasticsearch-compatible health for shippers',
      tags: ['intake'],
      async handler(_req, res) {
        const h = await ctx.health();
        res.setHeader('X-Elastic-Product', 'Elasticsearch');
        res.json({ cluster_name: 'sargs', status: h.status === 'ok' ? 'green' : 'yellow', number_of_nodes: 1 });
      },
    },
    { method: 'get', path: '/_es', permission: 'events:ingest', summary: 'Elasticsearch-compatible product information (also at GET / for non-browser clients)', tags: ['intake'], handler: info },
  ]);
}

export { ES_COMPAT_VERSION as esCompatVersion };
