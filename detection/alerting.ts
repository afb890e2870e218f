/**
 * Alerting inside the ingest path (issue 4): every stored event goes through all rules as it arrives; hits become
 * alerts grouped by (rule, tenant, group key) within a window, so that a storm is one alert with a count.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AlertHitInput, AlertStore } from '../core/stores/alert-store';
import type { SuppressionStore } from '../core/stores/suppression-store';
import type { EcsEvent } from '../core/types';
import { createDetectionEngine, type DetectionEngine, type DetectionHit } from './engine';
import { loadRules } from './sigma/load-rules';
import type { LoadedRule } from './sigma/rule-types';

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
}

export interface AlertingStats {
  events: number;
  hits: number;
  /** Alerts created or updated (one alert counts once per batch). */
  alertsTouched: number;
  suppressedHits: number;
  ruleErrors: number;
}

export interface Alerting {
  /** Runs the engine on newly stored events, in order, and records the hits as alerts. Calls are serialised. */
  onStored(events: EcsEvent[]): Promise<void>;
  readonly ruleCount: number;
  stats(): AlertingStats;
}

const DEFAULT_WINDOW_MS = 15 * 60_000;
/** Event id → tenant of recent events, for correlation hits whose evidence came earlier. */
const TENANT_MEMORY = 200_000;

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
  const engine: DetectionEngine = createDetectionEngine(rules);
  const windowMs = opts.groupWindowMs ?? DEFAULT_WINDOW_MS;
  const tenants = new Map<string, string>();
  const stats: AlertingStats = { events: 0, hits: 0, alertsTouched: 0, suppressedHits: 0, ruleErrors };
  let queue: Promise<void> = Promise.resolve();

  const remember = (id: string, tenant: string) => {
    tenants.set(id, tenant);
    if (tenants.size > TENANT_MEMORY) tenants.delete(tenants.keys().next().value as string);
  };

  const run = async (events: EcsEvent[]) => {
    const inputs: AlertHitInput[] = [];
    for (const event of events) {
      stats.events++;
      const tenant = event.vps?.tenant;
      if (typeof event.event?.id === 'string' && tenant) remember(event.event.id, tenant);
      for (const hit of engine.process(event)) {
        stats.hits++;
        // the tenant of the evidence: a correlation closed by a later event belongs to its own events' tenant
        const evidenceTenant = hit.eventIds.length ? tenants.get(hit.eventIds[hit.eventIds.length - 1]!) : undefined;
        inputs.push({ hit, tenant: evidenceTenant ?? tenant, entity: entityOf(hit, event) });
      }
    }
    if (inputs.length === 0) return;
    for (const input of inputs) {
      const s = await opts.suppressions.match({ tenant: input.tenant, ruleId: input.hit.ruleId, entity: input.entity });
      if (s) {
        input.suppressedBy = s.id;
        stats.suppressedHits++;
      }
    }
    const touched = await opts.alerts.record(inputs, windowMs);
    stats.alertsTouched += touched.length;
  };

  return {
    onStored(events) {
      const next = queue.then(() => run(events));
      queue = next.catch((err) => {
        opts.logger?.error({ err: (err as Error).message }, 'alerting failed');
      });
      return next;
    },
    ruleCount: engine.ruleCount,
    stats: () => ({ ...stats }),
  };
}
