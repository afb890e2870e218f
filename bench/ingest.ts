/**
 * bench/ingest — the intake figures of issue 2, all measured in one run on this machine:
 *   (a) parse + normalise + pseudonymise to a null sink on one core (bench/ingest-parse.ts);
 *   (b) HTTP NDJSON into Elasticsearch end to end: `sargs start` as its own process, events POSTed in batches,
 *       timed from the first request until every event is searchable in Elasticsearch (after a warm-up of 20,000
 *       other events off the clock: a long-running server's steady state, not its JIT compiling);
 *   (c) the same events shipped into the same Elasticsearch by rsyslog with omelasticsearch (bench/rsyslog),
 *       and the ratio b/c. Both data streams exist before their clocks start.
 *
 *   scripts/services.sh start && npm run build && node dist/bench/ingest.js [events]   (BENCH_ROUNDS=3, BENCH_PARSE=0 skips (a))
 *
 * Needs Elasticsearch at ELASTICSEARCH_URL (default http://127.0.0.1:9200) and Debian's rsyslog and
 * rsyslog-elasticsearch. Targets: (a) ≥ 100,000 events/s; b/c ≥ 1.0.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchParse } from './ingest-parse';
import { legacyCheckDigit } from '../collector/person-code';
import { processCpuMs, shipWithRsyslog } from './rsyslog/ship';
import { spawnSargs } from '../api/testing/start-sargs';

const ES = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Events sent to Sargs before its clock starts (JIT warm-up). */
const WARM_UP_EVENTS = 20_000;

/** Valid legacy person code for `i` (check digit from collector/person-code), so pseudonymisation has real work. */
function personCode(i: number): string {
  for (let k = 0; ; k++) {
    const d = `${String((i % 28) + 1).padStart(2, '0')}${String((i % 12) + 1).padStart(2, '0')}${String(50 + (i % 50)).padStart(2, '0')}1${String((i * 7 + k) % 1000).padStart(3, '0')}`;
    const c = legacyCheckDigit(d);
    if (c < 10) return `${d.slice(0, 6)}-${d.slice(6)}${c}`;
  }
}

/** The benchmark's events: ECS JSON lines as a VPS application would ship them (a person code in clear). */
function writeEvents(file: string, n: number): void {
  const apps = ['PERS', 'NINO', 'SOPA', 'DZIMTS', 'JUPIS', 'NEKIP'];
  const tenants = ['riga', 'jelgava', 'valmieras-novads', 'ventspils', 'liepaja'];
  const base = Date.now() - 3_600_000;
  const fd = fs.openSync(file, 'w');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf +=
      JSON.stringify({
        '@timestamp': new Date(base + i).toISOString(),
        event: { id: `bench-${i}`, action: 'person-viewed', outcome: 'success', category: ['database'] },
        service: { name: apps[i % apps.length] },
        organization: { id: tenants[(i >> 3) % tenants.length] },
        user: { name: `user${i % 300}` },
        source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        vps: { tenant: tenants[i % tenants.length], subject: { person: personCode(i) }, data_category: 'residence', purpose: `case ${i % 977}` },
        message: `person record viewed by user${i % 300}`,
      }) + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

async function esCall(method: string, pathAndQuery: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${ES}/${pathAndQuery}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!r.ok) throw new Error(`${method} ${pathAndQuery}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
}

async function esCount(index: string): Promise<number> {
  await fetch(`${ES}/${index}/_refresh`, { method: 'POST' });
  const r = await fetch(`${ES}/${index}/_count`);
  return r.ok ? ((await r.json()) as { count: number }).count : 0;
}

/**
 * Elasticsearch's own CPU time so far (ms, node stats): with the peers' CPU per event it shows where the time of an
 * end-to-end run goes, which stays comparable when other work shares the machine (wall rates do not).
 */
async function esCpuMs(): Promise<number> {
  const r = await fetch(`${ES}/_nodes/_local/stats/process?filter_path=nodes.*.process.cpu.total_in_millis`);
  const j = (await r.json()) as { nodes: Record<string, { process: { cpu: { total_in_millis: number } } }> };
  return Object.values(j.nodes)[0]?.process.cpu.total_in_millis ?? 0;
}

const perEvent = (ms: number | undefined, n: number): string => (ms === undefined ? '?' : ((ms * 1000) / n).toFixed(1));

async function waitForCount(index: string, n: number, timeoutMs = 600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await esCount(index)) < n) {
    if (Date.now() > end) throw new Error(`${index}: fewer than ${n} events after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** (b): Sargs in its own process, HTTP NDJSON batches of `batch` lines with `concurrency` requests in flight. */
async function benchSargs(file: string, n: number, prefix: string, dataDir: string, batch = 2000, concurrency = 4) {
  const env = { SARGS_DATA_DIR: dataDir, ELASTICSEARCH_URL: ES, SARGS_ES_PREFIX: prefix, SARGS_ROLES: 'api,collector', LOG_LEVEL: 'warn' };
  const init = JSON.parse(execFileSync(process.execPath, [path.resolve(__dirname, '../../bin/sargs.js').replace(`${path.sep}dist${path.sep}`, path.sep), 'init', '--json'], { env: { ...process.env, ...env } }).toString());
  const { child, url } = await spawnSargs(env);
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    // UTF-8 bytes ready to send, as a shipper holds the lines it read (the sender's CPU shares the machine too)
    const bodies: ArrayBuffer[] = [];
    for (let i = 0; i < lines.length; i += batch) {
      const bytes = Buffer.from(lines.slice(i, i + batch).join('\n') + '\n');
      bodies.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    // Warm-up, off the clock: a server's steady state is measured, not its JIT compiling (and the data stream is
    // created here; the rsyslog peer's is created before its clock starts too). Other event ids and person codes
    // (new-format codes, which the measured events never use), so nothing of the measured run is cached.
    const warm = Math.min(WARM_UP_EVENTS, n);
    const warmLines = lines.slice(0, warm).map((l, i) =>
      l.replace('"id":"bench-', '"id":"warm-').replace(/"person":"[0-9-]+"/, `"person":"32${String(i % 10_000).padStart(4, '0')}-${String(i).padStart(5, '0')}"`),
    );
    const post = async (body: ArrayBuffer | string): Promise<number> => {
      const r = await fetch(`${url}/api/v1/ingest`, { method: 'POST', body, headers: { authorization: `Bearer ${init.token}`, 'content-type': 'application/x-ndjson' } });
      if (!r.ok) throw new Error(`ingest HTTP ${r.status}: ${await r.text()}`);
      const j = (await r.json()) as { created: number; duplicates: number; spooled: number; rejected: number };
      if (j.rejected) throw new Error(`ingest rejected ${j.rejected} events`);
      return j.created + j.duplicates + j.spooled;
    };
    for (let i = 0; i < warmLines.length; i += batch) await post(warmLines.slice(i, i + batch).join('\n') + '\n');
    await waitForCount(`${prefix}-events`, warm);

    let next = 0;
    let acknowledged = 0;
    const cpu0 = processCpuMs(child.pid);
    const self0 = process.cpuUsage();
    const es0 = await esCpuMs();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const k = await post(bodies[next++]); // (not `acknowledged += await …`: that would read it before the await)
          acknowledged += k;
        }
      }),
    );
    const acked = (performance.now() - t0) / 1000;
    const selfUsage = process.cpuUsage(self0);
    const senderMs = (selfUsage.user + selfUsage.system) / 1000;
    await waitForCount(`${prefix}-events`, warm + n);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = processCpuMs(child.pid);
    const esMs = (await esCpuMs()) - es0;
    if (acknowledged !== n) throw new Error(`acknowledged ${acknowledged} of ${n}`);
    const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return { seconds, acknowledgedSeconds: acked, eventsPerSecond: Math.round(n / seconds), cpuMs, esMs, senderMs };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main() {
  const n = Number(process.argv[2] ?? 200_000);
  const health = await fetch(`${ES}/_cluster/health`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`bench/ingest: Elasticsearch is not reachable at ${ES} (start it with scripts/services.sh start)`);
    process.exit(2);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-bench-'));
  const file = path.join(work, 'events.ndjson');
  writeEvents(file, n);
  const prefix = `bench-${Date.now().toString(36)}`;
  console.log(`bench/ingest: ${n.toLocaleString('en')} events, ${os.cpus().length} cores, Elasticsearch ${ES}, Node ${process.version}`);

  // BENCH_PARSE=0 skips (a), to repeat only the end-to-end comparison.
  const a = process.env.BENCH_PARSE === '0' ? { eventsPerSecond: NaN } : benchParse(Math.max(n, 200_000));
  console.log(`(a) parse + normalise + pseudonymise, one core, null sink: ${a.eventsPerSecond.toLocaleString('en')} events/s (target ≥ 100,000)`);

  // The two end-to-end runs alternate, `rounds` times each (the same events, fresh data streams), and the
  // medians are compared: Elasticsearch's own state (merges, JIT, caches) then favours neither side.
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const bs: number[] = [];
  const cs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const p = `${prefix}-${r}`;
    const b = await benchSargs(file, n, p, path.join(work, `sargs-data-${r}`));
    bs.push(b.eventsPerSecond);
    console.log(`(b) round ${r + 1}: Sargs HTTP NDJSON → Elasticsearch, end to end: ${b.eventsPerSecond.toLocaleString('en')} events/s (${b.seconds.toFixed(1)} s; CPU per event: Sargs ${perEvent(b.cpuMs, n)} µs, Elasticsearch ${perEvent(b.esMs, n)} µs, HTTP sender ${perEvent(b.senderMs, n)} µs)`);
    // The rsyslog peer writes into a data stream of the same template (pattern <prefix>-events*), same mappings.
    // Its data stream exists before the clock starts, as Sargs' does after its warm-up.
    // (this distribution has no create-data-stream API: one document creates it and is deleted again)
    const made = (await esCall('POST', `${p}-events-rsyslog/_doc?refresh=true`, { '@timestamp': new Date().toISOString(), message: 'create' })) as { _index: string; _id: string };
    await esCall('DELETE', `${made._index}/_doc/${made._id}?refresh=true`);
    const esBefore = await esCpuMs();
    const c = await shipWithRsyslog({ esUrl: ES, index: `${p}-events-rsyslog`, file, count: n, workDir: path.join(work, `rsyslog-${r}`) });
    const esMs = (await esCpuMs()) - esBefore;
    cs.push(Math.round(c.eventsPerSecond));
    console.log(`(c) round ${r + 1}: rsyslog imfile → omelasticsearch, same events: ${Math.round(c.eventsPerSecond).toLocaleString('en')} events/s (${c.seconds.toFixed(1)} s; CPU per event: rsyslog ${perEvent(c.cpuMs, n)} µs, Elasticsearch ${perEvent(esMs, n)} µs)`);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const b = { eventsPerSecond: median(bs) };
  const c = { eventsPerSecond: median(cs) };
  const ratio = b.eventsPerSecond / c.eventsPerSecond;
  console.log(`medians of ${rounds}: (b) ${b.eventsPerSecond.toLocaleString('en')} events/s, (c) ${c.eventsPerSecond.toLocaleString('en')} events/s`);
  console.log(`b/c = ${ratio.toFixed(2)} (target ≥ 1.0)`);
  const out = { date: new Date().toISOString(), events: n, rounds, a: a.eventsPerSecond, b: b.eventsPerSecond, c: c.eventsPerSecond, bRuns: bs, cRuns: cs, ratio: Number(ratio.toFixed(2)) };
  fs.mkdirSync(path.resolve(__dirname, '../../bench/out'), { recursive: true });
  fs.writeFileSync(path.resolve(__dirname, '../../bench/out/ingest.json'), JSON.stringify(out, null, 2) + '\n');
  fs.rmSync(work, { recursive: true, force: true });
}

void main().catch((err) => {
  console.error(`bench/ingest: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
