/**
 * Where correlation windows live. The engine turns an event that matched a correlation's base rule into a feed
 * (detection/sigma/correlate.ts); the windows count feeds per group and say when a correlation fires.
 *
 * Two adapters, one contract (correlation-windows.contract.ts):
 * - memory: the correlators of this process (the embedded single-node default; a restart forgets open windows);
 * - Redis (core/stores/redis-correlation-windows.ts, when REDIS_URL is set): every collector instance feeds the
 *   same windows, so a brute force spread over several collectors behind a load balancer is still one burst, and
 *   windows survive a collector restart. Sargs processes then hold no detection state of their own.
 */
import { createCorrelator, type CorrelationFeed, type CorrelationHit, type Correlator, type CorrelatorLimits } from './sigma/correlate';
import type { LoadedCorrelationRule } from './sigma/rule-types';

/** A feed with what the alert needs to know about its event. */
export interface WindowFeed extends CorrelationFeed {
  /** The stream clock when the event was processed (the latest event time seen); closes tumbling windows. */
  clockMs: number;
  /** The event's tenant: a hit belongs to the tenant of its last evidence event. */
  tenant?: string;
}

/** A correlation firing, with the tenant of its last evidence event. */
export interface WindowHit extends CorrelationHit {
  tenant?: string;
}

export interface CorrelationWindows {
  readonly kind: 'memory' | 'redis';
  /**
   * Takes feeds in order, then advances the stream clock to `clockMs` (tumbling windows that ended are judged);
   * returns the hits. Calls from one process must not overlap (the alerting step serialises them); calls from
   * different processes may.
   */
  apply(feeds: readonly WindowFeed[], clockMs: number): Promise<WindowHit[]>;
  close(): Promise<void>;
}

/** Event id → tenant of events the windows hold (bounded). */
const TENANT_MEMORY = 200_000;

/**
 * The windows of this process.
 * @example const windows = createMemoryCorrelationWindows(correlationRules); const hits = await windows.apply(feeds, clock)
 */
export function createMemoryCorrelationWindows(rules: readonly LoadedCorrelationRule[], limits?: CorrelatorLimits): CorrelationWindows {
  const correlators = new Map<string, Correlator>(rules.map((r) => [r.id, createCorrelator(r, limits)]));
  const all = [...correlators.values()];
  const tenants = new Map<string, string>();
  let clock = NaN;
  const tick = (t: number, out: WindowHit[]): void => {
    if (!(t > clock) && !Number.isNaN(clock)) return;
    clock = t;
    for (const c of all) for (const h of c.tick(t)) out.push(withTenant(h));
  };
  const withTenant = (h: CorrelationHit): WindowHit => {
    const last = h.eventIds[h.eventIds.length - 1];
    const tenant = last === undefined ? undefined : tenants.get(last);
    return tenant === undefined ? h : { ...h, tenant };
  };
  return {
    kind: 'memory',
    async apply(feeds, clockMs) {
      const out: WindowHit[] = [];
      for (const f of feeds) {
        const c = correlators.get(f.ruleId);
        if (!c) continue;
        if (!Number.isNaN(f.clockMs)) tick(f.clockMs, out);
        if (f.tenant !== undefined && f.eventId) {
          tenants.set(f.eventId, f.tenant);
          if (tenants.size > TENANT_MEMORY) tenants.delete(tenants.keys().next().value as string);
        }
        const h = c.onFeed(f);
        if (h) out.push(withTenant(h));
      }
      if (!Number.isNaN(clockMs)) tick(clockMs, out);
      return out;
    },
    async close() {},
  };
}
