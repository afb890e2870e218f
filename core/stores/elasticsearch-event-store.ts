import fs from 'node:fs';
import path from 'node:path';
import { Client, errors as esErrors } from '@elastic/elasticsearch';
import type { EcsEvent } from '../types';
import { StoreUnavailableError } from '../errors';
import { elasticsearchPersonAccesses } from './elasticsearch-person-accesses';
import {
  type BulkItemResult,
  type EventQuery,
  type EventStore,
  type Overview,
  type OverviewQuery,
  type CrossAccessQuery,
  type CrossAccessRow,
  sortCrossAccessRows,
  decodeCursor,
  encodeCursor,
  pageSize,
} from './event-store';

export interface ElasticsearchEventStoreOptions {
  url: string;
  /** Names: `<prefix>-events` is the data stream and its template. */
  prefix: string;
  retentionDays: number;
  /** Attempts of a bulk request before the store counts as unavailable (default 3). */
  attempts?: number;
  backoffMs?: number;
}

function templateBody(prefix: string, retentionDays: number) {
  const file = ['elasticsearch', '../../../core/stores/elasticsearch']
    .map((d) => path.resolve(__dirname, d, 'events-template.json'))
    .find((f) => fs.existsSync(f));
  if (!file) throw new Error('events-template.json not found');
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete t._comment;
  // Retention by data stream lifecycle: Elasticsearch deletes backing indices older than this.
  t.template.lifecycle = { data_retention: `${retentionDays}d` };
  return { index_patterns: [`${prefix}-events*`], priority: 500, data_stream: t.data_stream, template: t.template };
}

const transient = (status: number) => status === 429 || status === 502 || status === 503 || status === 504;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isConnectionError(err: unknown): boolean {
  return (
    err instanceof esErrors.ConnectionError ||
    err instanceof esErrors.TimeoutError ||
    err instanceof esErrors.NoLivingConnectionsError ||
    (err instanceof esErrors.ResponseError && transient(err.statusCode ?? 0))
  );
}

/**
 * Events in an Elasticsearch data stream `<prefix>-events`, written with `create` and the deterministic
 * event.id as `_id`, so a re-delivered event is a 409 (duplicate), never a second copy.
 */
export function createElasticsearchEventStore(opts: ElasticsearchEventStoreOptions): EventStore {
  const client = new Client({ node: opts.url, requestTimeout: 30_000, maxRetries: 0 });
  const stream = `${opts.prefix}-events`;
  const attempts = opts.attempts ?? 3;
  const backoff = opts.backoffMs ?? 200;

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isConnectionError(err)) throw new StoreUnavailableError(`Elasticsearch unreachable: ${(err as Error).message}`, { cause: err });
      if (err instanceof esErrors.ResponseError && err.statusCode === 404) throw err;
      throw err;
    }
  };

  const filters = (q: EventQuery | OverviewQuery): object[] => {
    const f: object[] = [];
    if (q.scope !== '*') f.push({ terms: { 'vps.tenant': q.scope } });
    const e = q as EventQuery;
    const term = (field: string, v?: string) => v !== undefined && f.push({ term: { [field]: v } });
    term('vps.tenant', e.tenant);
    term('service.name', e.app);
    term('user.name', e.user);
    term('vps.subject.person', e.person);
    term('event.action', e.action);
    term('event.outcome', e.outcome);
    term('organization.id', e.organization);
    term('vps.subject.organization', e.subjectOrganization);
    term('vps.data_category', e.dataCategory);
    if (q.from || q.to)
      f.push({ range: { '@timestamp': { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
    return f;
  };

  const notFoundIsEmpty = async <T>(fn: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await guard(fn);
    } catch (err) {
      // No event written yet: the data stream does not exist until the first write.
      if (err instanceof esErrors.ResponseError && err.statusCode === 404) return empty;
      throw err;
    }
  };

  // The template must exist before the first write creates the data stream; otherwise Elasticsearch would create
  // a plain index with guessed mappings. When Elasticsearch was down at start, the first bulk puts it.
  let templateReady = false;
  const ensureTemplate = async () => {
    if (templateReady) return;
    await guard(() => client.indices.putIndexTemplate({ name: stream, ...templateBody(opts.prefix, opts.retentionDays) } as never));
    templateReady = true;
  };

  return {
    kind: 'elasticsearch',
    async init() {
      await ensureTemplate();
    },

    async bulk(events: EcsEvent[]): Promise<BulkItemResult[]> {
      await ensureTemplate();
      const results: (BulkItemResult | undefined)[] = new Array(events.length);
      let pending = events.map((_, i) => i);
      for (let attempt = 1; pending.length > 0; attempt++) {
        let items: Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>>;
        try {
          // The action lines are written as text (the client serialises only the events): one JSON.stringify per
          // event instead of two, on the intake's hot path.
          const operations: Array<string | object> = [];
          for (const i of pending) operations.push(`{"create":{"_id":${JSON.stringify(events[i].event.id)}}}`, events[i]);
          // Only what is read back: a full bulk response costs Elasticsearch and Sargs time for every item.
          const resp = await client.bulk({ index: stream, operations, filter_path: 'items.*.status,items.*.error.type,items.*.error.reason' });
          items = resp.items as never;
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          if (attempt >= attempts) throw new StoreUnavailableError(`Elasticsearch bulk failed: ${(err as Error).message}`, { cause: err });
          await sleep(backoff * 2 ** (attempt - 1));
          continue;
        }
        const retry: number[] = [];
        items.forEach((item, k) => {
          const i = pending[k];
          const r = item.create;
          if (r.status === 201 || r.status === 200) results[i] = { status: 'created' };
          else if (r.status === 409) results[i] = { status: 'duplicate' };
          else if (transient(r.status)) retry.push(i);
          else results[i] = { status: 'failed', reason: `${r.error?.type ?? r.status}: ${r.error?.reason ?? ''}`.trim() };
        });
        if (retry.length && attempt >= attempts) throw new StoreUnavailableError(`Elasticsearch rejected ${retry.length} items after ${attempts} attempts`);
        if (retry.length) await sleep(backoff * 2 ** (attempt - 1));
        pending = retry;
      }
      return results as BulkItemResult[];
    },

    async search(q) {
      const size = pageSize(q);
      return notFoundIsEmpty(async () => {
        const resp = await client.search<EcsEvent>({
          index: stream,
          size,
          track_total_hits: true,
          query: { bool: { filter: filters(q) } },
          sort: [{ '@timestamp': 'desc' }, { 'event.id': 'desc' }],
          ...(q.after ? { search_after: decodeCursor(q.after) } : {}),
        });
        const hits = resp.hits.hits;
        const total = typeof resp.hits.total === 'number' ? resp.hits.total : (resp.hits.total?.value ?? 0);
        const last = hits[hits.length - 1];
        const next =
          hits.length === size && last?._source ? encodeCursor(new Date(last._source['@timestamp']).toISOString(), last._source.event.id) : undefined;
        return { events: hits.map((h) => h._source as EcsEvent), total, ...(next ? { next } : {}) };
      }, { events: [], total: 0 });
    },

    async count(q) {
      return notFoundIsEmpty(async () => (await client.count({ index: stream, query: { bool: { filter: filters(q) } } })).count, 0);
    },

    async overview(q): Promise<Overview> {
      return notFoundIsEmpty(async () => {
        const resp = await client.search({
          index: stream,
          size: 0,
          query: { bool: { filter: filters(q) } },
          aggs: {
            hourly: {
              date_histogram: { field: '@timestamp', fixed_interval: '1h' },
              aggs: { app: { terms: { field: 'service.name', size: 50, missing: '' } } },
            },
            sources: {
              composite: {
                size: 500,
                sources: [
                  { tenant: { terms: { field: 'vps.tenant' } } },
                  { app: { terms: { field: 'service.name', missing_bucket: true } } },
                  { dataset: { terms: { field: 'event.dataset', missing_bucket: true } } },
                ],
              },
              aggs: { last: { max: { field: '@timestamp' } } },
            },
          },
        } as never);
        type B = { key: number | Record<string, string | null>; doc_count: number; app?: { buckets: B[] }; last?: { value: number } };
        const aggs = resp.aggregations as unknown as { hourly: { buckets: B[] }; sources: { buckets: B[] } };
        const hourly: Overview['hourly'] = [];
        for (const h of aggs.hourly.buckets)
          for (const a of h.app?.buckets ?? [])
            hourly.push({ hour: new Date(h.key as number).toISOString(), app: String(a.key ?? ''), count: a.doc_count });
        const sources = aggs.sources.buckets
          .map((b) => {
            const k = b.key as Record<string, string | null>;
            return {
              tenant: k.tenant ?? '',
              app: k.app ?? '',
              dataset: k.dataset ?? '',
              lastEventAt: new Date(b.last?.value ?? 0).toISOString(),
              events: b.doc_count,
            };
          })
          .sort((a, b) => b.lastEventAt.localeCompare(a.lastEventAt));
        return { hourly, sources };
      }, { hourly: [], sources: [] });
    },

    async crossAccess(q: CrossAccessQuery): Promise<CrossAccessRow[]> {
      const by = q.by ?? ['organization', 'application', 'dataCategory'];
      const fields: Array<[string, string]> = [['organization', 'organization.id']];
      if (by.includes('application')) fields.push(['application', 'service.name']);
      if (by.includes('dataCategory')) fields.push(['dataCategory', 'vps.data_category']);
      const filter: object[] = [
        { term: { 'vps.subject.organization': q.residentsOf } },
        { range: { '@timestamp': { gte: q.from, lt: q.to } } },
      ];
      if (q.scope !== '*') filter.push({ terms: { 'vps.tenant': q.scope } });
      // Every group, page by page (composite aggregation), so a municipality with many accessors loses none.
      type B = { key: Record<string, string | null>; doc_count: number; persons: { value: number }; users: { value: number } };
      return notFoundIsEmpty(async () => {
        const rows: CrossAccessRow[] = [];
        let after: Record<string, string | null> | undefined;
        for (;;) {
          const resp = await client.search({
            index: stream,
            size: 0,
            query: { bool: { filter, must_not: [{ term: { 'organization.id': q.residentsOf } }] } },
            aggs: {
              groups: {
                composite: {
                  size: 1000,
                  sources: fields.map(([k, f]) => ({ [k]: { terms: { field: f, missing_bucket: true } } })),
                  ...(after ? { after } : {}),
                },
                aggs: {
                  // precision_threshold 40 000 (the maximum): counts below it are exact in practice.
                  persons: { cardinality: { field: 'vps.subject.person', precision_threshold: 40_000 } },
                  users: { cardinality: { field: 'user.name', precision_threshold: 40_000 } },
                },
              },
            },
          } as never);
          const g = (resp.aggregations as unknown as { groups: { buckets: B[]; after_key?: Record<string, string | null> } }).groups;
          for (const b of g.buckets) {
            const row: CrossAccessRow = {
              organization: b.key.organization ?? '',
              accesses: b.doc_count,
              distinctPersons: b.persons.value,
              distinctUsers: b.users.value,
            };
            if (by.includes('application')) row.application = b.key.application ?? '';
            if (by.includes('dataCategory')) row.dataCategory = b.key.dataCategory ?? '';
            rows.push(row);
          }
          if (g.buckets.length < 1000 || !g.after_key) break;
          after = g.after_key;
        }
        return sortCrossAccessRows(rows);
      }, [] as CrossAccessRow[]);
    },

    // The person access report (issue 5): core/stores/elasticsearch-person-accesses.ts.
    async personAccesses(q) {
      return guard(() => elasticsearchPersonAccesses(client, stream, q));
    },

    async refresh() {
      await notFoundIsEmpty(async () => {
        await client.indices.refresh({ index: stream });
      }, undefined);
    },

    async health() {
      try {
        const h = await client.cluster.health({ timeout: '2s' });
        return { ok: h.status !== 'red', detail: `cluster ${h.status}` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },

    async close() {
      await client.close();
    },
  };
}
