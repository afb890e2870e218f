/**
 * Alerting inside the ingest path (issue 4): every stored event goes through all rules as it arrives; hits become
 * alerts grouped by (rule, tenant, group key) within a window, so that a storm is one alert with a count.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AlertHitInput, AlertStore } from '../core/stores/alert-store';
import type { BaselineStore } from '../core/stores/baseline-store';
import type { WatchlistStore } from '../core/stores/watchlist-store';
import type { SuppressionStore } from '../core/stores/suppression-store';
import type { EcsEvent } from '../core/types';
import { createMemoryCorrelationWindows, type CorrelationWindows, type WindowFeed, type WindowHit } from './correlation-windows';
import { correlationHit, createDetectionEngine, type DetectionEngine, type DetectionHit } from './engine';
import { createAnomalyState } from './anomaly/anomaly-state';
import { loadRules } from './sigma/load-rules';
import type { LoadedCorrelationRule, LoadedRule } from './sigma/rule-types';
import { watchlistLookup } from './watchlist-lookup';

export interface AlertingOptions {
  /** Folder of the Sigma rules (default: the repository's rules/). Ignored when `rules` is given. */
  rulesDir?: string;
  /** Rules already loaded (tests, backtests). */
  rules?: LoadedRule[];
  alerts: AlertStore;
  suppressions: Pick<SuppressionStore, 'match'>;
  /** Hits of one key within this time of the alert's last hit join it (default 15 minutes). */
  groupWindowMs?: number;
  logger?: Logger;
  /**
   * Where anomaly baselines live, shared by every instance and kept across restarts (core/stores/baseline-store.ts).
   * Without it they are learned in memory only.
   */
  baselines?: BaselineStore;
  /** Baseline changes are written at most this often (default 1 s; also when 5,000 entities changed). */
  baselineFlushMs?: number;
  /** The watch list behind the `sargs.watchlist` pseudo-field (core/stores/watchlist-store.ts). */
  watchlist?: Pick<WatchlistStore, 'list'>;
  /** The watch list is re-read this often (default 30 s). */
  watchlistRefreshMs?: number;
  /**
   * Where correlation windows live, given the loaded correlation rules (detection/correlation-windows.ts; Redis
   * when configured, shared by every instance). Default: in this process.
   */
  correlationWindows?: (rules: readonly LoadedCorrelationRule[]) => CorrelationWindows;
}

export interface AlertingStats {
  events: number;
  hits: number;
  /** Alerts created or updated (one alert counts once per batch). */
  alertsTouched: number;
  suppressedHits: number;
  ruleErrors: number;
  /** Runs whose call to the shared correlation windows failed (their feeds went with the next run). */
  windowErrors: number;
}

export interface Alerting {
  /** Runs the engine on newly stored events, in order, and records the hits as alerts. Calls are serialised. */
  onStored(events: EcsEvent[]): Promise<void>;
  readonly ruleCount: number;
  stats(): AlertingStats;
  /** Writes pending anomaly baseline changes now (shutdown, tests). */
  flush(): Promise<void>;
  /** Where correlation windows live. */
  readonly windows: CorrelationWindows['kind'];
  /** Releases the shared correlation windows' connection. */
  close(): Promise<void>;
}

const DEFAULT_WINDOW_MS = 15 * 60_000;
/** Event id → tenant of recent events, for correlation hits whose evidence came earlier. */
const TENANT_MEMORY = 200_000;
/** At most this many events go through one run (batches waiting behind a busy run are merged up to it). */
const MAX_RUN_EVENTS = 20_000;
/** Correlation feeds kept while the shared windows are unreachable (the oldest are dropped beyond it). */
const MAX_HELD_FEEDS = 100_000;

function defaultRulesDir(): string {
  const dir = ['../rules', '../../rules'].map((d) => path.resolve(__dirname, d)).find((d) => fs.existsSync(d));
  if (!dir) throw new Error('rules/ folder not found');
  return dir;
}

/** What a hit is about: the correlation's user or address or group values, else the event's user or address. */
function entityOf(hit: DetectionHit, event: EcsEvent): string | undefined {
  if (hit.group) {
    const g = hit.group;
    const v = g['user.name'] ?? g['source.ip'] ?? Object.values(g).join(' / ');
    if (v) return v;
  }
  const e = event as EcsEvent & { user?: { name?: unknown }; source?: { ip?: unknown } };
  if (typeof e.user?.name === 'string' && e.user.name) return e.user.name;
  if (typeof e.source?.ip === 'string' && e.source.ip) return e.source.ip;
  return undefined;
}

/**
 * Builds the alerting step. The lead wires `onStored` into collector/intake.ts (after store and spool replay).
 * @example const a = createAlerting({ alerts, suppressions }); await a.onStored(storedEvents)
 */
export function createAlerting(opts: AlertingOptions): Alerting {
  let rules = opts.rules;
  let ruleErrors = 0;
  if (!rules) {
    const loaded = loadRules(opts.rulesDir ?? defaultRulesDir());
    rules = loaded.rules;
    ruleErrors = loaded.errors.length;
    // A bad rule file is refused with its file, line and reason; the others keep running (issue 4).
    for (const e of loaded.errors) opts.logger?.error({ file: e.file, line: e.line, reason: e.reason }, 'rule refused');
  }
  const anomalies = createAnomalyState({ store: opts.baselines });
  // correlation windows behind one port, in this process or shared (Redis): the engine hands over feeds only
  const engine: DetectionEngine = createDetectionEngine(rules, undefined, { anomalies, externalWindows: true });
  const windows = (opts.correlationWindows ?? createMemoryCorrelationWindows)(engine.correlations);
  const correlationById = new Map(engine.correlations.map((c) => [c.id, c]));
  let heldFeeds: WindowFeed[] = [];
  const flushMs = opts.baselineFlushMs ?? 1000;
  const watchRefreshMs = opts.watchlistRefreshMs ?? 30_000;
  let lastFlush = Date.now();
  let flushTimer: NodeJS.Timeout | undefined;
  let watchLoadedAt = -Infinity;
  const refreshWatchlist = async (): Promise<void> => {
    if (!opts.watchlist || Date.now() - watchLoadedAt < watchRefreshMs) return;
    watchLoadedAt = Date.now();
    try {
      engine.setWatchlist(watchlistLookup(await opts.watchlist.list('*')));
    } catch (err) {
      opts.logger?.warn({ err: (err as Error).message }, 'watch list not reloaded; the previous one stays in use');
    }
  };
  const flushBaselines = async (): Promise<void> => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    lastFlush = Date.now();
    await anomalies.flush();
  };
  const windowMs = opts.groupWindowMs ?? DEFAULT_WINDOW_MS;
  const tenants = new Map<string, string>();
  const stats: AlertingStats = { events: 0, hits: 0, alertsTouched: 0, suppressedHits: 0, ruleErrors, windowErrors: 0 };
  let queue: Promise<void> = Promise.resolve();
  /** The batch waiting for the run in progress; later batches join it (up to MAX_RUN_EVENTS). */
  let waiting: { events: EcsEvent[]; done: Promise<void> } | undefined;

  const remember = (id: string, tenant: string) => {
    tenants.set(id, tenant);
    if (tenants.size > TENANT_MEMORY) tenants.delete(tenants.keys().next().value as string);
  };

  /**
   * The correlation hits of a run's feeds: one call to the windows for the whole run (one round trip when shared).
   * Feeds of runs whose call failed go first (order kept): a Redis outage delays correlations, never the single-event
   * alerts of the run, and loses no feed up to MAX_HELD_FEEDS. A hit belongs to its last evidence's tenant.
   */
  const correlate = async (lastEvent: EcsEvent | undefined): Promise<AlertHitInput[]> => {
    const taken = engine.takeFeeds();
    const feeds = heldFeeds.length ? [...heldFeeds, ...taken.feeds] : taken.feeds;
    let fired: WindowHit[];
    try {
      fired = await windows.apply(feeds, taken.clockMs);
      heldFeeds = [];
    } catch (err) {
      heldFeeds = feeds.length > MAX_HELD_FEEDS ? feeds.slice(feeds.length - MAX_HELD_FEEDS) : feeds;
      stats.windowErrors++;
      opts.logger?.warn({ err: (err as Error).message, heldFeeds: heldFeeds.length }, 'correlation windows unreachable; their feeds are kept for the next run');
      return [];
    }
    const out: AlertHitInput[] = [];
    for (const w of fired) {
      const rule = correlationById.get(w.ruleId);
      if (!rule) continue;
      const hit = correlationHit(rule, w);
      stats.hits++;
      const tenant = w.tenant ?? (w.eventIds.length ? tenants.get(w.eventIds[w.eventIds.length - 1]!) : undefined) ?? lastEvent?.vps?.tenant;
      if (tenant) out.push({ hit, tenant, entity: lastEvent ? entityOf(hit, lastEvent) : undefined });
    }
    return out;
  };

  const run = async (events: EcsEvent[]): Promise<{ recorded: Promise<void> }> => {
    await refreshWatchlist();
    // one query per anomaly rule for the batch's entities not cached yet: no database round trip per event
    if (opts.baselines) await anomalies.prefetch(engine.anomalyKeys(events));
    const inputs: AlertHitInput[] = [];
    for (const event of events) {
      stats.events++;
      const tenant = event.vps?.tenant;
      const hits = engine.process(event);
      // only events a window kept can be a later hit's evidence
      if (engine.retained() && typeof event.event?.id === 'string' && tenant) remember(event.event.id, tenant);
      for (const hit of hits) {
        stats.hits++;
        // the tenant of the evidence: a correlation closed by a later event belongs to its own events' tenant
        const evidenceTenant = hit.eventIds.length ? tenants.get(hit.eventIds[hit.eventIds.length - 1]!) : undefined;
        inputs.push({ hit, tenant: evidenceTenant ?? tenant, entity: entityOf(hit, event) });
      }
    }
    for (const input of await correlate(events[events.length - 1])) inputs.push(input);
    if (inputs.length === 0) return { recorded: Promise.resolve() };
    for (const input of inputs) {
      const s = await opts.suppressions.match({ tenant: input.tenant, ruleId: input.hit.ruleId, entity: input.entity });
      if (s) {
        input.suppressedBy = s.id;
        stats.suppressedHits++;
      }
    }
    return { recorded: recordInOrder(inputs) };
  };

  /**
   * The alert writes of consecutive runs, in run order: one write at a time (grouping reads and updates the alerts of
   * earlier hits), all hits waiting behind a write in progress go into the next write. The next run's engine work
   * goes on meanwhile, so a slow alert-store round trip no longer holds the engine (receipt-to-alert latency).
   */
  let toRecord: Array<{ inputs: AlertHitInput[]; resolve: () => void; reject: (err: unknown) => void }> = [];
  let recording = false;
  const drainRecords = async (): Promise<void> => {
    recording = true;
    while (toRecord.length) {
      const group = toRecord;
      toRecord = [];
      try {
        const touched = await opts.alerts.record(group.length === 1 ? group[0]!.inputs : group.flatMap((g) => g.inputs), windowMs);
        stats.alertsTouched += touched.length;
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    recording = false;
  };
  const recordInOrder = (inputs: AlertHitInput[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      toRecord.push({ inputs, resolve, reject });
      if (!recording) void drainRecords();
    });

  /**
   * Writes baseline changes once a second (or at 5,000 dirty entities), after a run's alerts are recorded and off
   * its caller's promise: the next run waits for it, the alert does not (receipt-to-alert latency, issue 4).
   */
  const flushIfDue = async (): Promise<void> => {
    if (!opts.baselines || anomalies.dirty === 0) return;
    if (Date.now() - lastFlush >= flushMs || anomalies.dirty >= 5000) {
      await flushBaselines().catch((err) => opts.logger?.warn({ err: (err as Error).message }, 'anomaly baselines not written yet; kept for the next flush'));
    } else if (!flushTimer) {
      flushTimer = setTimeout(() => void enqueue(() => flushBaselines()).catch(() => undefined), flushMs);
      flushTimer.unref();
    }
  };

  /** Runs work after every queued run (baseline flushes), in order. */
  const enqueue = (fn: () => Promise<void>): Promise<void> => {
    const next = queue.then(fn);
    queue = next.catch((err) => {
      opts.logger?.error({ err: (err as Error).message }, 'alerting failed');
    });
    return next;
  };

  return {
    onStored(events) {
      // Batches that arrive while a run is busy wait together and go through the next run as one: under load the
      // alert store is read and written once per run, not once per request, so receipt-to-alert latency stays
      // bounded (issue 4) instead of growing with a queue of small runs. Order is kept: batches join in arrival.
      if (waiting && waiting.events.length + events.length <= MAX_RUN_EVENTS) {
        for (const e of events) waiting.events.push(e);
        return waiting.done;
      }
      const batch: { events: EcsEvent[]; done: Promise<void> } = { events: [...events], done: Promise.resolve() };
      // the engine work of runs is serial (queue); a batch is done once its alerts are written too
      const ran = queue.then(() => {
        if (waiting === batch) waiting = undefined;
        return run(batch.events);
      });
      batch.done = ran.then((r) => r.recorded);
      waiting = batch;
      queue = ran
        .then(
          () => undefined,
          (err) => {
            opts.logger?.error({ err: (err as Error).message }, 'alerting failed');
          },
        )
        .then(flushIfDue);
      return batch.done;
    },
    ruleCount: engine.ruleCount,
    stats: () => ({ ...stats }),
    flush: () => enqueue(() => flushBaselines()),
    windows: windows.kind,
    close: () => windows.close(),
  };
}
