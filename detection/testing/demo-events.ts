import { randomBytes } from 'node:crypto';
import { generateDemo, type DemoOptions } from '../../cli/demo';
import { parseRecord } from '../../collector/parse-record';
import { createPseudonymiser, type Pseudonymiser } from '../../collector/pseudonymise';
import { loadTenants } from '../../core/tenants';
import type { EcsEvent, IntakeContext } from '../../core/types';

export interface ParsedDemo {
  /** The stored-shape events the engine sees in production, in stream order. */
  events: EcsEvent[];
  /** Scripted misuse scenario → the ids of its events. */
  scenarioIds: Map<string, Set<string>>;
}

/**
 * Demo traffic (cli/demo) through the intake's parser: what detection tests and benchmarks run on.
 * @example const { events, scenarioIds } = parsedDemo({ start: new Date('2026-11-23T00:00:00Z'), days: 2, seed: 11 })
 */
export function parsedDemo(opts: DemoOptions, pseudonymiser: Pseudonymiser = createPseudonymiser(randomBytes(32))): ParsedDemo {
  const tenants = new Set(loadTenants().ids);
  const deps = { pseudonymiser, tenants, keepOriginal: 'none' as const, now: () => new Date('2027-01-01T00:00:00Z') };
  const events: EcsEvent[] = [];
  const scenarioIds = new Map<string, Set<string>>();
  for (const rec of generateDemo(opts)) {
    tenants.add(rec.tenant);
    const ctx: IntakeContext = { tenant: rec.tenant, source: 'demo', parser: rec.parser, transport: 'file', receivedAt: rec.at };
    const r = parseRecord({ raw: rec.raw }, ctx, deps);
    if (!r.ok) continue;
    if (rec.scenario) {
      if (!scenarioIds.has(rec.scenario)) scenarioIds.set(rec.scenario, new Set());
      scenarioIds.get(rec.scenario)!.add(r.event.event.id);
    }
    events.push(r.event);
  }
  return { events, scenarioIds };
}
