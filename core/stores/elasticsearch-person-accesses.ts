import { type Client, errors as esErrors } from '@elastic/elasticsearch';
import type { EcsEvent } from '../types';
import {
  DEFAULT_PERSON_ACCESS_LIMIT,
  PERSON_ACCESS_SOURCE,
  type KeyCount,
  type PersonAccessQuery,
  type PersonAccessResult,
  REPORT_TIME_ZONE,
  personAccessRowOf,
  sortCounts,
} from './person-accesses';

/** Hits per request of the list scan (Elasticsearch's default max_result_window is 10,000). */
const PAGE = 10_000;

/** The bool filter of a person access query (core/stores/person-accesses.ts explains the visibility rule). */
export function personAccessFilter(q: PersonAccessQuery): object[] {
  const f: object[] = [
    { term: { 'vps.subject.person': q.person } },
    { range: { '@timestamp': { gte: q.from, lt: q.to } } },
  ];
  if (q.controllers !== '*') {
    const c = q.controllers;
    f.push({
      bool: {
        should: [{ terms: { 'vps.tenant': c } }, { terms: { 'organization.id': c } }, { terms: { 'vps.subject.organization': c } }],
        minimum_should_match: 1,
      },
    });
  }
  return f;
}

/**
 * {@link EventStore.personAccesses} on Elasticsearch: one search gives the first page of the list and the summary
 * (terms on organization.id, service.name, vps.data_category; a monthly date_histogram in Europe/Riga), further
 * pages follow with search_after on (@timestamp desc, event.id desc), reading only the fields the report shows.
 */
export async function elasticsearchPersonAccesses(client: Client, index: string, q: PersonAccessQuery): Promise<PersonAccessResult> {
  const limit = Math.max(0, q.limit ?? DEFAULT_PERSON_ACCESS_LIMIT);
  const empty: PersonAccessResult = { total: 0, accesses: [], truncated: false, byOrganization: [], byApplication: [], byDataCategory: [], byMonth: [] };
  if (q.controllers !== '*' && q.controllers.length === 0) return empty;
  const query = { bool: { filter: personAccessFilter(q) } };
  const sort = [{ '@timestamp': 'desc' }, { 'event.id': 'desc' }];
  const terms = (field: string) => ({ terms: { field, size: 500, missing: '' } });
  try {
    const first = await client.search<EcsEvent>({
      index,
      size: Math.min(PAGE, limit),
      track_total_hits: true,
      query,
      sort,
      _source: PERSON_ACCESS_SOURCE,
      aggs: {
        byOrganization: terms('organization.id'),
        byApplication: terms('service.name'),
        byDataCategory: terms('vps.data_category'),
        byMonth: { date_histogram: { field: '@timestamp', calendar_interval: 'month', time_zone: REPORT_TIME_ZONE, format: 'yyyy-MM', min_doc_count: 1 } },
      },
    } as never);
    const total = typeof first.hits.total === 'number' ? first.hits.total : (first.hits.total?.value ?? 0);
    type B = { key: string | number; key_as_string?: string; doc_count: number };
    const aggs = first.aggregations as unknown as Record<string, { buckets: B[] }>;
    const counts = (name: string): KeyCount[] => sortCounts(aggs[name].buckets.map((b) => ({ key: String(b.key), count: b.doc_count })));
    const accesses = first.hits.hits.map((h) => personAccessRowOf(h._source as EcsEvent));
    let hits = first.hits.hits;
    while (accesses.length < limit && hits.length === PAGE) {
      const last = hits[hits.length - 1];
      const page = await client.search<EcsEvent>({
        index,
        size: Math.min(PAGE, limit - accesses.length),
        track_total_hits: false,
        query,
        sort,
        _source: PERSON_ACCESS_SOURCE,
        search_after: last.sort,
      } as never);
      hits = page.hits.hits;
      for (const h of hits) accesses.push(personAccessRowOf(h._source as EcsEvent));
    }
    return {
      total,
      accesses,
      truncated: total > accesses.length,
      byOrganization: counts('byOrganization'),
      byApplication: counts('byApplication'),
      byDataCategory: counts('byDataCategory'),
      byMonth: aggs.byMonth.buckets.map((b) => ({ key: b.key_as_string ?? String(b.key), count: b.doc_count })),
    };
  } catch (err) {
    // No event written yet: the data stream does not exist until the first write.
    if (err instanceof esErrors.ResponseError && err.statusCode === 404) return empty;
    throw err;
  }
}
