import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, errors as esErrors } from '@elastic/elasticsearch';
import { StoreUnavailableError, notFound } from '../errors';
import {
  type Alert,
  type AlertHitInput,
  type AlertQuery,
  type AlertStore,
  LEVEL_RANK,
  addHit,
  alertPageSize,
  applyChange,
  decodeAlertCursor,
  encodeAlertCursor,
  groupKeyOf,
  joins,
  newAlert,
} from './alert-store';

export interface ElasticsearchAlertStoreOptions {
  url: string;
  /** Names: `<prefix>-alerts` (the alerts), `<prefix>-alert-heads` (key → its latest alert, read in real time). */
  prefix: string;
}

function indexBody() {
  const file = ['elasticsearch', '../../../core/stores/elasticsearch']
    .map((d) => path.resolve(__dirname, d, 'alerts-index.json'))
    .find((f) => fs.existsSync(f));
  if (!file) throw new Error('alerts-index.json not found');
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete t._comment;
  return t as { settings: object; mappings: object };
}

type Stored = Alert & { levelRank: number };
interface Held { alert: Alert; seqNo?: number; primaryTerm?: number; fresh: boolean; hits: AlertHitInput[] }

const status = (err: unknown): number | undefined => (err instanceof esErrors.ResponseError ? err.statusCode : undefined);
const strip = (s: Stored): Alert => {
  const { levelRank: _r, ...a } = s;
  return a;
};
const toStored = (a: Alert): Stored => ({ ...a, levelRank: LEVEL_RANK[a.level] ?? 0 });
const seenBefore = (a: Alert, h: AlertHitInput): boolean =>
  h.hit.eventIds.length > 0 && h.hit.eventIds.every((id) => a.evidence.includes(id));
const keyId = (ruleId: string, tenant: string, groupKey: string) =>
  createHash('sha256').update(JSON.stringify([ruleId, tenant, groupKey])).digest('hex').slice(0, 32);

const SORTS = {
  lastSeen: [{ lastSeen: 'desc' }, { id: 'desc' }],
  level: [{ levelRank: 'desc' }, { lastSeen: 'desc' }, { id: 'desc' }],
  count: [{ count: 'desc' }, { lastSeen: 'desc' }, { id: 'desc' }],
} as const;

/**
 * Alerts in a normal Elasticsearch index `<prefix>-alerts` (alerts change, so not a data stream). Every write of
 * an existing alert is conditional on its if_seq_no/if_primary_term; a concurrent change is re-read and re-applied.
 * Grouping finds a key's latest alert through a head document read by GET (real time, no refresh needed).
 */
export function createElasticsearchAlertStore(opts: ElasticsearchAlertStoreOptions): AlertStore & { close(): Promise<void> } {
  const client = new Client({ node: opts.url, requestTimeout: 30_000, maxRetries: 0 });
  const index = `${opts.prefix}-alerts`;
  const heads = `${opts.prefix}-alert-heads`;

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof esErrors.ConnectionError || err instanceof esErrors.TimeoutError || err instanceof esErrors.NoLivingConnectionsError)
        throw new StoreUnavailableError(`Elasticsearch unreachable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  };

  const read = async (id: string): Promise<Held | undefined> => {
    try {
      const r = await guard(() => client.get<Stored>({ index, id }));
      return { alert: strip(r._source!), seqNo: r._seq_no, primaryTerm: r._primary_term, fresh: false, hits: [] };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  };

  const filters = (q: Partial<AlertQuery> & { scope: string[] | '*' }): { filter: object[]; must_not: object[] } => {
    const filter: object[] = [];
    if (q.scope !== '*') filter.push({ terms: { tenant: q.scope } });
    const term = (field: string, v?: string) => v !== undefined && v !== '' && filter.push({ term: { [field]: v } });
    term('tenant', q.tenant);
    term('ruleId', q.ruleId);
    term('level', q.level);
    term('status', q.status);
    term('assignee', q.assignee);
    if (q.from || q.to) filter.push({ range: { lastSeen: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
    return { filter, must_not: q.includeSuppressed ? [] : [{ exists: { field: 'suppressedBy' } }] };
  };

  /** Reads alerts by id in one real-time request (mget); missing ids are left out. */
  const readMany = async (ids: string[]): Promise<Map<string, Held>> => {
    const out = new Map<string, Held>();
    if (ids.length === 0) return out;
    const r = await guard(() => client.mget<Stored>({ index, ids }));
    for (const d of r.docs as Array<{ _id: string; found?: boolean; _source?: Stored; _seq_no?: number; _primary_term?: number }>) {
      if (d.found && d._source) out.set(d._id, { alert: strip(d._source), seqNo: d._seq_no, primaryTerm: d._primary_term, fresh: false, hits: [] });
    }
    return out;
  };

  /**
   * Writes the held alerts in one bulk request with one refresh, so the triage list shows them at once (a refresh
   * per alert costs Elasticsearch a Lucene flush each under load). New alerts are `create`d, changed ones written
   * conditionally on if_seq_no/if_primary_term; an item that conflicts (a replay created it, or a triage change
   * came in between) is re-read, this batch's hits re-applied, and written again (at most 5 rounds).
   */
  const writeAll = async (held: Held[]): Promise<void> => {
    let pending = held;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 5) throw new Error(`alert ${pending[0]!.alert.id}: too many concurrent changes`);
      const operations: object[] = [];
      for (const h of pending) {
        if (h.fresh) operations.push({ create: { _index: index, _id: h.alert.id } }, toStored(h.alert));
        else operations.push({ index: { _index: index, _id: h.alert.id, if_seq_no: h.seqNo, if_primary_term: h.primaryTerm } }, toStored(h.alert));
      }
      const resp = await guard(() => client.bulk({ operations, refresh: true, filter_path: 'errors,items.*.status,items.*.error' }));
      if (!resp.errors) return;
      const conflicts: Held[] = [];
      (resp.items as Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>>).forEach((item, k) => {
        const r = Object.values(item)[0]!;
        if (r.status === 409) conflicts.push(pending[k]!);
        else if (r.status >= 300) throw new Error(`alert ${pending[k]!.alert.id}: ${r.error?.type ?? r.status}: ${r.error?.reason ?? ''}`.trim());
      });
      const current = await readMany(conflicts.map((h) => h.alert.id));
      for (const h of conflicts) {
        const cur = current.get(h.alert.id);
        if (!cur) throw new Error(`alert ${h.alert.id}: conflicting write, but the alert cannot be read`);
        // created meanwhile (a replay) or changed meanwhile: apply this batch's hits to what is stored
        for (const hit of h.hits) if (!seenBefore(cur.alert, hit)) addHit(cur.alert, hit);
        Object.assign(h, { alert: cur.alert, seqNo: cur.seqNo, primaryTerm: cur.primaryTerm, fresh: false });
      }
      pending = conflicts;
    }
  };

  return {
    kind: 'elasticsearch',
    async init() {
      for (const [name, body] of [[index, indexBody()], [heads, { settings: { index: { auto_expand_replicas: '0-1' } }, mappings: { dynamic: false, properties: {} } }]] as const) {
        try {
          await guard(() => client.indices.create({ index: name, ...(body as object) }));
        } catch (err) {
          if (!(err instanceof esErrors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception')) throw err;
          // made by an earlier version without the setting (a replica a single node can never hold: yellow, slower
          // writes): set it in place
          if (name === heads) await guard(() => client.indices.putSettings({ index: heads, settings: { index: { auto_expand_replicas: '0-1' } } }));
        }
      }
    },

    async record(hits, groupWindowMs) {
      if (hits.length === 0) return [];
      // Everything the grouping may need is read up front in real-time mget requests: the heads of the batch's keys
      // together with the alerts each hit would open (present after a replay), then only the alerts the heads name
      // that were not read yet (none for new keys). Each round trip waits for a busy event loop under load, so the
      // fewer in sequence the shorter the receipt-to-alert tail (issue 4).
      const kids = hits.map((h) => keyId(h.hit.ruleId, h.tenant, groupKeyOf(h)));
      const headOf = new Map<string, string>();
      const uniqueKids = [...new Set(kids)];
      const fresh = hits.map((h) => newAlert(h));
      const [headDocs, stored] = await Promise.all([
        guard(() => client.mget<{ alertId: string }>({ index: heads, ids: uniqueKids })),
        readMany([...new Set(fresh.map((a) => a.id))]),
      ]);
      for (const d of headDocs.docs as Array<{ _id: string; found?: boolean; _source?: { alertId: string } }>) {
        if (d.found && d._source?.alertId) headOf.set(d._id, d._source.alertId);
      }
      const unread = [...new Set(headOf.values())].filter((id) => !stored.has(id));
      if (unread.length) for (const [id, h] of await readMany(unread)) stored.set(id, h);

      const latest = new Map<string, Held | null>();
      const touched = new Map<string, Held>();
      hits.forEach((h, i) => {
        const kid = kids[i]!;
        let cur = latest.get(kid);
        if (cur === undefined) {
          const head = headOf.get(kid);
          cur = head ? (touched.get(head) ?? stored.get(head) ?? null) : null;
        }
        if (cur && joins(cur.alert, h, groupWindowMs)) {
          if (!seenBefore(cur.alert, h)) {
            addHit(cur.alert, h);
            cur.hits.push(h);
          }
        } else {
          const a = fresh[i]!;
          cur = touched.get(a.id) ?? (cur?.alert.id === a.id ? cur : undefined) ?? stored.get(a.id) ?? { alert: a, fresh: true, hits: [h] };
        }
        latest.set(kid, cur);
        touched.set(cur.alert.id, cur);
      });
      // heads that move (new keys, new windows) are written alongside the alerts: alert ids do not change on a retry,
      // and a head naming an alert whose write failed only makes the next hit open a new alert
      const ops: object[] = [];
      for (const [kid, h] of latest) if (h && headOf.get(kid) !== h.alert.id) ops.push({ index: { _index: heads, _id: kid } }, { alertId: h.alert.id });
      await Promise.all([writeAll([...touched.values()]), ops.length ? guard(() => client.bulk({ operations: ops })) : undefined]);
      return [...touched.values()].map((h) => h.alert);
    },

    async get(id, scope) {
      const h = await read(id);
      if (!h || (scope !== '*' && !scope.includes(h.alert.tenant))) return undefined;
      return h.alert;
    },

    async search(q) {
      const size = alertPageSize(q);
      const sort = SORTS[q.sort ?? 'lastSeen'];
      const after = q.after ? decodeAlertCursor(q.after, sort.length) : undefined;
      const resp = await guard(() =>
        client.search<Stored>({
          index, size, track_total_hits: true, query: { bool: filters(q) }, sort: sort as never,
          ...(after ? { search_after: after } : {}),
        }),
      );
      const hits = resp.hits.hits;
      const total = typeof resp.hits.total === 'number' ? resp.hits.total : (resp.hits.total?.value ?? 0);
      const last = hits[hits.length - 1];
      const next = hits.length === size && last?.sort ? encodeAlertCursor(last.sort as Array<string | number>) : undefined;
      return { alerts: hits.map((h) => strip(h._source!)), total, ...(next ? { next } : {}) };
    },

    async update(id, scope, change, by) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const h = await read(id);
        if (!h || (scope !== '*' && !scope.includes(h.alert.tenant))) throw notFound('no such alert');
        applyChange(h.alert, change, by);
        try {
          await guard(() => client.index({ index, id, document: toStored(h.alert), if_seq_no: h.seqNo, if_primary_term: h.primaryTerm, refresh: true }));
          return h.alert;
        } catch (err) {
          if (status(err) !== 409) throw err;
        }
      }
      throw new Error(`alert ${id}: too many concurrent changes`);
    },

    async counts(q) {
      const resp = await guard(() =>
        client.search({
          index, size: 0, query: { bool: filters(q) },
          aggs: {
            rule: { terms: { field: 'ruleId', size: 1000, order: [{ _count: 'desc' }, { _key: 'asc' }] }, aggs: { title: { terms: { field: 'title', size: 1 } } } },
            tenant: { terms: { field: 'tenant', size: 1000, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
            level: { terms: { field: 'level', size: 10 } },
          },
        } as never),
      );
      type B = { key: string; doc_count: number; title?: { buckets: B[] } };
      const a = resp.aggregations as unknown as { rule: { buckets: B[] }; tenant: { buckets: B[] }; level: { buckets: B[] } };
      return {
        byRule: a.rule.buckets.map((b) => ({ key: b.key, title: b.title?.buckets[0]?.key ?? '', count: b.doc_count })),
        byTenant: a.tenant.buckets.map((b) => ({ key: b.key, count: b.doc_count })),
        byLevel: a.level.buckets
          .map((b) => ({ key: b.key, count: b.doc_count }))
          .sort((x, y) => (LEVEL_RANK[y.key as Alert['level']] ?? 0) - (LEVEL_RANK[x.key as Alert['level']] ?? 0)),
      };
    },

    async refresh() {
      await guard(() => client.indices.refresh({ index }));
    },

    async close() {
      await client.close();
    },
  };
}
