/**
 * bench/municipality-view: how long the municipality view takes on a large Elasticsearch data set — the view of
 * one municipality for one month (EventStore.crossAccess three times for the month and twice for each of the 6
 * history months, 15 aggregations, then the outliers), for several municipalities, p50 and p95; and as the peer
 * in the same run, one plain `count` of the same month's events of that municipality's residents (the cheapest
 * query that touches the same documents), so the ratio says what the grouping and distinct counts cost.
 *
 * Reads the data set of bench/access-report (bench/access-report-data.ts: a year of VPS audit events, 12 % by
 * another municipality, 6 % by a state institution) without changing it:
 *   node dist/bench/municipality-view.js [municipalities=10] [month=2026-09]
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@elastic/elasticsearch';
import { createElasticsearchEventStore } from '../core/stores/elasticsearch-event-store';
import { loadTenants } from '../core/tenants';
import { buildCrossAccessView } from '../api/municipality/cross-access-view';
import { rigaMonth } from '../api/municipality/period';
import { BENCH_PREFIX } from './access-report-data';

const url = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const n = Number(process.argv[2] ?? 10);
const month = process.argv[3] ?? '2026-09';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function main() {
  const tenants = loadTenants().byId;
  const store = createElasticsearchEventStore({ url, prefix: BENCH_PREFIX, retentionDays: 3650 });
  const client = new Client({ node: url });
  const stream = `${BENCH_PREFIX}-events`;
  const total = (await client.count({ index: stream })).count;
  const period = rigaMonth(month);
  const municipalities = [...tenants.values()].filter((t) => t.kind === 'municipality').slice(0, n).map((t) => t.id);
  const view: number[] = [];
  const count: number[] = [];
  let rows = 0;
  let accesses = 0;
  // One warm-up view: the first aggregations load field data and caches.
  await buildCrossAccessView({ events: store, tenants }, municipalities[0], period);
  for (const m of municipalities) {
    let t = performance.now();
    await client.count({
      index: stream,
      query: { bool: { filter: [{ term: { 'vps.subject.organization': m } }, { range: { '@timestamp': { gte: period.from, lt: period.to } } }], must_not: [{ term: { 'organization.id': m } }] } },
    });
    count.push(performance.now() - t);
    t = performance.now();
    const v = await buildCrossAccessView({ events: store, tenants }, m, period);
    view.push(performance.now() - t);
    rows += v.rows.length;
    accesses += v.totals.accesses;
  }
  const f = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`data set: ${total.toLocaleString('en')} events in ${stream}; month ${month}; ${municipalities.length} municipalities`);
  console.log(`cross accesses in the month: ${accesses.toLocaleString('en')} (${(accesses / municipalities.length).toFixed(0)} per municipality), ${rows} rows`);
  console.log(`view (15 aggregations + outliers): p50 ${f(pct(view, 50))}, p95 ${f(pct(view, 95))}, max ${f(Math.max(...view))}`);
  console.log(`peer, one count of the same documents: p50 ${f(pct(count, 50))}, p95 ${f(pct(count, 95))}`);
  console.log(`ratio view/count (p50): ${(pct(view, 50) / Math.max(pct(count, 50), 1)).toFixed(1)}`);
  await client.close();
  await store.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
