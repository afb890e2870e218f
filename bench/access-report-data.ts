/**
 * The data set of bench/access-report: a year of VPS application audit events about many persons, loaded straight
 * into Elasticsearch with `_bulk` (one stream, `create` with deterministic ids) into the data stream
 * `<prefix>-events` made from Sargs's own index template (core/stores/elasticsearch/events-template.json), in the
 * document shape the intake stores (collector/parsers/vps-audit.ts after normalisation and pseudonymisation).
 *
 * Every event is generated from its own index with a seeded generator, so a load that stopped half-way resumes
 * where the data stream's count says it stopped, and a rerun finds the data stream full and loads nothing.
 *
 * Mix: 43 municipalities, 6 state institutions and ZZ Dats; 16 applications with their data categories; 82 % of
 * accesses by the person's own municipality, 12 % by another municipality, 6 % by a state institution.
 * Persons: one target person with 10,000 accesses, 50 frequent persons with 200 each, and 1,000,000 typical
 * persons (about 5 each) for the rest.
 */
import { createElasticsearchEventStore } from '../core/stores/elasticsearch-event-store';
import { createPseudonymiser, type Pseudonymiser } from '../collector/pseudonymise';
import { loadTenants } from '../core/tenants';

export const BENCH_PREFIX = process.env.BENCH_PREFIX ?? 'sargs-bench-access';
/** The key of the bench's pseudonyms (the report computes the same pseudonym from a person code). */
export const BENCH_PSEUDONYM_KEY = 'sargs-bench-access-report-pseudonym-key-0001';
export const YEAR_FROM = Date.UTC(2025, 11, 1); // 01.12.2025 00:00 UTC
export const YEAR_TO = Date.UTC(2026, 11, 1); // 01.12.2026
export const TARGET_ACCESSES = 10_000;
const FREQUENT = 50;
const FREQUENT_ACCESSES = 200;
export const TYPICAL_PERSONS = 1_000_000;

/** Person code of person `i` in the new format 32NNNN-NNNNN (no check digit): 0 is the target person. */
export const personCode = (i: number): string => {
  const d = `32${String(i).padStart(9, '0')}`;
  return `${d.slice(0, 6)}-${d.slice(6)}`;
};
export const TARGET_PERSON = 0;
/** Frequent persons are 1..50, typical ones 51..1,000,050. */
export const typicalPerson = (k: number) => 1 + FREQUENT + (k % TYPICAL_PERSONS);

const APPS: Array<{ app: string; categories: string[]; weight: number; actions: string[] }> = [
  { app: 'PERS', categories: ['residence'], weight: 20, actions: ['view', 'search', 'update'] },
  { app: 'JUPIS', categories: ['residence', 'civil_status'], weight: 14, actions: ['view', 'search'] },
  { app: 'SOPA', categories: ['social_assistance', 'means_test'], weight: 14, actions: ['view', 'update', 'create', 'print'] },
  { app: 'NINO', categories: ['tax', 'real_property'], weight: 12, actions: ['view', 'update', 'print'] },
  { app: 'NEKIP', categories: ['real_property'], weight: 6, actions: ['view', 'search'] },
  { app: 'DZIMTS', categories: ['civil_status'], weight: 6, actions: ['view', 'create', 'update'] },
  { app: 'BARIS', categories: ['social_assistance', 'civil_status'], weight: 3, actions: ['view', 'update'] },
  { app: 'ENZ', categories: ['vehicle'], weight: 3, actions: ['search', 'view'] },
  { app: 'ALGAS', categories: ['payroll'], weight: 4, actions: ['view', 'update'] },
  { app: 'KADRI', categories: ['hr'], weight: 4, actions: ['view', 'update'] },
  { app: 'NOMA', categories: ['real_property'], weight: 3, actions: ['view', 'update'] },
  { app: 'LIETVARIS', categories: ['documents'], weight: 5, actions: ['view', 'create'] },
  { app: 'GVEDIS', categories: ['payments'], weight: 2, actions: ['view'] },
  { app: 'BUDZIS', categories: ['payments'], weight: 1, actions: ['view'] },
  { app: 'APUS', categories: ['documents'], weight: 2, actions: ['view'] },
  { app: 'AMIS', categories: ['residence'], weight: 1, actions: ['view', 'export'] },
];
const APP_TABLE: number[] = APPS.flatMap((a, i) => Array(a.weight).fill(i));

/** mulberry32: a small seeded generator, one per event so that any event can be generated alone. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchWorld {
  municipalities: string[];
  institutions: string[];
  pseudonymiser: Pseudonymiser;
  /** Pseudonyms (HMAC) of persons, cached. */
  pseudonym(i: number): string;
  /** The municipality where person `i` is declared. */
  home(i: number): string;
}

export function benchWorld(): BenchWorld {
  const t = loadTenants();
  const all = [...t.byId.values()];
  const municipalities = all.filter((x) => x.kind === 'municipality').map((x) => x.id);
  const institutions = all.filter((x) => x.kind === 'state-institution').map((x) => x.id);
  const pseudonymiser = createPseudonymiser(Buffer.from(BENCH_PSEUDONYM_KEY));
  const cache = new Map<number, string>();
  return {
    municipalities,
    institutions,
    pseudonymiser,
    pseudonym(i) {
      let p = cache.get(i);
      if (!p) {
        p = pseudonymiser.person(personCode(i));
        cache.set(i, p); // about 1,000,050 persons: ~150 MB, saves an HMAC per event
      }
      return p;
    },
    home: (i) => municipalities[(i * 7919) % municipalities.length],
  };
}

/** The person of event `n` of `total`: the target first, then the frequent persons, then typical ones. */
function personOf(n: number, r: () => number): number {
  if (n % 500 === 0) return TARGET_PERSON; // 10,000 of 5,000,000
  if (n % 500 === 1) return 1 + ((n / 500) | 0) % FREQUENT; // 200 each
  return typicalPerson(Math.floor(r() * TYPICAL_PERSONS));
}

/** Event `n` as Sargs stores it. */
export function benchEvent(n: number, w: BenchWorld): Record<string, unknown> {
  const r = rng(n * 2654435761 + 12345);
  const person = personOf(n, r);
  const home = w.home(person);
  const roll = r();
  const org = roll < 0.82 ? home : roll < 0.94 ? w.municipalities[Math.floor(r() * w.municipalities.length)] : w.institutions[Math.floor(r() * w.institutions.length)];
  const a = APPS[APP_TABLE[Math.floor(r() * APP_TABLE.length)]];
  const category = a.categories[Math.floor(r() * a.categories.length)];
  const action = a.actions[Math.floor(r() * a.actions.length)];
  // Working hours in Riga mostly: day uniform in the year, 07:00-18:00 UTC+2 with some evening work.
  const day = Math.floor(r() * ((YEAR_TO - YEAR_FROM) / 86_400_000));
  const secs = r() < 0.9 ? 5 * 3600 + Math.floor(r() * 10 * 3600) : Math.floor(r() * 86_400);
  const ts = new Date(YEAR_FROM + day * 86_400_000 + secs * 1000);
  const iso = ts.toISOString();
  const user = `${org}.user${Math.floor(r() * 40)}`;
  const purpose = r() < 0.6 ? `${a.app}-${2025 + (r() < 0.5 ? 1 : 0)}/${Math.floor(r() * 9000) + 1000}` : undefined;
  return {
    '@timestamp': iso,
    event: {
      id: `${ts.getTime().toString(36)}-b${n.toString(36)}`,
      created: iso,
      ingested: iso,
      kind: 'event',
      category: ['database'],
      type: action === 'update' || action === 'create' ? ['change'] : ['access'],
      action,
      outcome: r() < 0.98 ? 'success' : 'failure',
      module: 'vps_audit',
      dataset: 'vps.audit',
    },
    service: { name: a.app },
    organization: { id: org },
    user: { name: user, id: `u-${org}-${Math.floor(r() * 40)}`, roles: [`${a.app}_LIETOTAJS`] },
    source: { ip: `10.${Math.floor(r() * 200)}.${Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}` },
    vps: {
      tenant: org,
      subject: { person: w.pseudonym(person), organization: home },
      data_category: category,
      ...(purpose ? { purpose } : {}),
      record: { id: `${a.app}-${Math.floor(r() * 9_000_000) + 1_000_000}` },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function es(url: string, method: string, path: string, body?: string, contentType = 'application/json') {
  const res = await fetch(`${url}${path}`, { method, headers: body ? { 'content-type': contentType } : {}, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Makes sure `<prefix>-events` holds `total` events: puts Sargs's template, then loads what is missing with one
 * `_bulk` stream (refresh off while loading). Returns the count and the seconds spent loading (0 when reused).
 */
export async function ensureBenchData(url: string, total: number, log: (s: string) => void = console.log): Promise<{ count: number; loadSeconds: number }> {
  const stream = `${BENCH_PREFIX}-events`;
  const store = createElasticsearchEventStore({ url, prefix: BENCH_PREFIX, retentionDays: 3650 });
  await store.init();
  await store.close();
  const countNow = async () => {
    await es(url, 'POST', `/${stream}/_refresh`);
    const c = await es(url, 'GET', `/${stream}/_count`);
    return c.status === 200 ? (c.body.count as number) : 0;
  };
  let have = await countNow();
  if (have >= total) {
    log(`data stream ${stream} already holds ${have.toLocaleString('en')} events: reused`);
    return { count: have, loadSeconds: 0 };
  }
  const batch = 5000;
  // Batches complete one at a time, so the count says where a stopped load ends (a partly written batch is redone;
  // its stored events come back as 409 duplicates).
  const start = Math.floor(have / batch) * batch;
  log(`loading ${stream}: ${have.toLocaleString('en')} present, generating events ${start.toLocaleString('en')}..${total.toLocaleString('en')}`);
  const w = benchWorld();
  const t0 = Date.now();
  let settingsDone = false;
  for (let n = start; n < total; n += batch) {
    const lines: string[] = [];
    for (let k = n; k < Math.min(total, n + batch); k++) {
      const ev = benchEvent(k, w) as { event: { id: string } };
      lines.push(JSON.stringify({ create: { _index: stream, _id: ev.event.id } }), JSON.stringify(ev));
    }
    for (let attempt = 1; ; attempt++) {
      const r = await es(url, 'POST', `/_bulk?filter_path=errors,items.*.status,items.*.error.type`, lines.join('\n') + '\n', 'application/x-ndjson').catch((err) => ({ status: 0, body: String(err) }));
      if (r.status === 200) {
        const bad = (r.body.items as Array<Record<string, { status: number; error?: { type: string } }>> | undefined)?.filter((i) => {
          const s = Object.values(i)[0].status;
          return s !== 201 && s !== 409;
        });
        if (!bad?.length) break;
        if (attempt >= 5) throw new Error(`bulk items failed: ${JSON.stringify(bad.slice(0, 3))}`);
      } else if (attempt >= 5) throw new Error(`bulk failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      await sleep(1000 * attempt);
    }
    if (!settingsDone) {
      // Loading speed: no refresh while loading (the bench's own data stream only); restored at the end.
      await es(url, 'PUT', `/${stream}/_settings`, JSON.stringify({ index: { refresh_interval: '-1' } }));
      settingsDone = true;
    }
    const done = n + batch - start;
    if ((n / batch) % 40 === 0) {
      const s = (Date.now() - t0) / 1000;
      log(`  ${(n + batch).toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round(done / s).toLocaleString('en')} events/s)`);
    }
  }
  await es(url, 'PUT', `/${stream}/_settings`, JSON.stringify({ index: { refresh_interval: '1s' } }));
  have = await countNow();
  const loadSeconds = (Date.now() - t0) / 1000;
  log(`loaded: ${have.toLocaleString('en')} events in ${loadSeconds.toFixed(0)} s`);
  return { count: have, loadSeconds };
}

if (require.main === module) {
  const total = Number(process.argv[2] ?? 5_000_000);
  ensureBenchData(process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200', total).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
