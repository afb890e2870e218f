/**
 * bench/detect — issue 4's two figures in one run:
 *   1. events per second through every rule on one core (the engine alone, bench/detect-engine.ts);
 *   2. receipt-to-alert latency under load: `sargs start` as its own process (Elasticsearch for events and alerts
 *      when ELASTICSEARCH_URL answers, else the embedded store), demo traffic POSTed in NDJSON batches at a steady
 *      rate, every batch carrying one off-hours bulk export that must raise an alert. For each such event the
 *      time from the start of its request until its alert is readable through GET /api/v1/alerts/:id is measured
 *      (detection runs inside the ingest path, so the alert exists when the intake answers).
 *
 *   scripts/services.sh start && npm run build && node dist/bench/detect.js [seconds] [events-per-second]
 *   (BENCH_WARMUP=<seconds>, default 5: traffic at the same rate before the clock, not counted)
 *
 * Targets: ≥ 50,000 events/s on one core with every rule loaded; p99 receipt-to-alert under 1 s.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateDemo } from '../cli/demo';
import { spawnSargs } from '../api/testing/start-sargs';
import { benchDetect, demoEvents } from './detect-engine';

const ES = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** The id of rules/vps/exfiltration_off_hours_bulk_export.yml. */
const EXPORT_RULE = '8bf7c898-33ef-44c9-9b22-c7769d45e0df';

/** An off-hours bulk export (rules/vps/exfiltration_off_hours_bulk_export.yml), unique per call. */
function exportAtNight(i: number): string {
  const at = new Date(Date.UTC(2026, 10, 2, 22, 0, 0) + i * 1000); // 00:00 Riga time onwards, a working-day night
  return JSON.stringify({
    '@timestamp': at.toISOString(),
    event: { id: `bench-export-${i}`, dataset: 'vps.audit', kind: 'event', action: 'export_clients', outcome: 'success' },
    service: { name: 'SOPA' },
    organization: { id: 'jelgava' },
    user: { name: `night.user${i}` },
    vps: { tenant: 'jelgava', subject: { organization: 'jelgava' }, data_category: 'social_assistance', record: { id: `EXPORT-${i}` } },
    source: { ip: '10.21.0.44' },
  });
}

async function main() {
  const seconds = Number(process.argv[2] ?? 20);
  const rate = Number(process.argv[3] ?? 5000);
  const warmup = Number(process.env.BENCH_WARMUP ?? 5);
  const batch = 500;

  const events = demoEvents(2);
  const engine = benchDetect(path.resolve(__dirname, '../../rules').replace(`${path.sep}dist${path.sep}`, path.sep), events, 3);
  console.log(`(1) engine: ${engine.rules} rules, ${engine.events} demo events: ${engine.eventsPerSecond.toLocaleString('en')} events/s on one core (target ≥ 50,000); p50 ${engine.p50Micros} µs, p99 ${engine.p99Micros} µs per event`);

  const useEs = (await fetch(`${ES}/_cluster/health`).catch(() => undefined))?.ok === true;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-detect-'));
  const env: Record<string, string> = { SARGS_DATA_DIR: work, SARGS_ROLES: 'api,collector', LOG_LEVEL: 'warn', SARGS_ES_PREFIX: `detect-${Date.now().toString(36)}` };
  if (useEs) env.ELASTICSEARCH_URL = ES;
  const bin = path.resolve(__dirname, '../../bin/sargs.js').replace(`${path.sep}dist${path.sep}`, path.sep);
  const init = JSON.parse(execFileSync(process.execPath, [bin, 'init', '--json'], { env: { ...process.env, ...env } }).toString());
  const { child, url } = await spawnSargs(env);
  const auth = { authorization: `Bearer ${init.token}` };
  try {
    // Normal demo traffic (raw source records: audit JSON, AD FS, access logs, Oracle, syslog) as NDJSON lines.
    const lines: string[] = [];
    for (const r of generateDemo({ start: new Date('2026-11-24T00:00:00Z'), days: 1, seed: 11 })) if (r.parser !== 'web_access' && r.parser !== 'syslog') lines.push(r.raw);
    /**
     * Offers `secs` of traffic at the rate; every request's alert is awaited. Returns the latencies and what was sent.
     * Batches are numbered from `first` so that every export (and its alert) is new.
     */
    const drive = async (secs: number, first: number) => {
      const latencies: number[] = [];
      let missing = 0;
      let sent = 0;
      const t0 = performance.now();
      const interval = (batch / rate) * 1000;
      const inflight: Promise<void>[] = [];
      let k = 0;
      for (; performance.now() - t0 < secs * 1000; k++) {
        const due = t0 + k * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const n = first + k;
        const body = [...Array.from({ length: batch - 1 }, (_, j) => lines[(n * batch + j) % lines.length]), exportAtNight(n)].join('\n') + '\n';
        sent += batch;
        inflight.push(
          (async () => {
            const start = performance.now();
            const r = await fetch(`${url}/api/v1/ingest`, { method: 'POST', body, headers: { ...auth, 'content-type': 'application/x-ndjson' } });
            await r.json();
            if (!r.ok) throw new Error(`ingest HTTP ${r.status}`);
            // The alert of this batch's export: find it by its user (one export per user → one alert) among the
            // newest alerts of the export rule, as a triage list filtered by rule shows them. (A list of every jelgava
            // alert, polled by every batch in flight, made the probe itself a load on Sargs and Elasticsearch.)
            let found = false;
            for (let tries = 0; tries < 200 && !found; tries++) {
              if (tries > 0) await sleep(10);
              const q = await fetch(`${url}/api/v1/alerts?tenant=jelgava&ruleId=${EXPORT_RULE}&size=50`, { headers: auth });
              const list = (await q.json()) as { alerts: Array<{ entity?: string; title: string }> };
              found = list.alerts.some((a) => a.entity === `night.user${n}`);
            }
            if (!found) missing++;
            latencies.push(performance.now() - start);
          })(),
        );
      }
      await Promise.all(inflight);
      return { latencies, missing, sent, wall: (performance.now() - t0) / 1000, next: first + k };
    };
    // A new process on new indices is slow for its first seconds (JIT, index creation, first mappings): it is
    // driven at the same rate off the clock first, as bench/ingest warms Sargs up before its clock.
    const warm = warmup > 0 ? await drive(warmup, 0) : undefined;
    if (warm) console.log(`    warm-up: ${warmup} s at the same rate, not counted (p99 there ${pct(warm.latencies, 99).toFixed(0)} ms)`);
    const { latencies, missing, sent, wall } = await drive(seconds, warm?.next ?? 0);
    console.log(
      `(2) receipt-to-alert under load (${useEs ? 'Elasticsearch' : 'embedded PGlite'}, ${Math.round(sent / wall).toLocaleString('en')} events/s offered for ${seconds} s, ${latencies.length} alerts): p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms (target p99 < 1000 ms)${missing ? `; ${missing} alerts not seen within the probe's 2 s` : ''}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

void main().catch((err) => {
  console.error(`bench/detect: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
