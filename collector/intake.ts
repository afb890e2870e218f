import type { Logger } from 'pino';
import { AppError, StoreUnavailableError } from '../core/errors';
import type { Metrics } from '../core/metrics';
import type { DeadLetterStore, NewDeadLetter } from '../core/stores/dead-letter-store';
import type { EventStore } from '../core/stores/event-store';
import type { EcsEvent, IntakeContext, IntakeSink, ItemOutcome, RawRecord } from '../core/types';
import { parseRecord } from './parse-record';
import type { Pseudonymiser } from './pseudonymise';
import type { DiskSpool } from './spool';

export interface IntakeDeps {
  store: EventStore;
  spool: DiskSpool;
  deadLetters: DeadLetterStore;
  pseudonymiser: Pseudonymiser;
  tenants: ReadonlySet<string>;
  metrics: Metrics;
  /** Which records keep event.original (config.keepOriginal). */
  keepOriginal?: 'all' | 'text' | 'none';
  logger?: Logger;
  /** How often the spool is retried while it holds events (ms, default 1000). */
  replayIntervalMs?: number;
  /**
   * Called with the events newly stored (not duplicates), in arrival order, directly or by spool replay: detection
   * runs here, inside the ingest path. Its failures are logged and never fail the intake (the events are stored).
   */
  onStored?: (events: EcsEvent[]) => Promise<void>;
}

export interface Intake extends IntakeSink {
  /** Starts replaying the spool in the background whenever it holds events. */
  start(): void;
  /** Stops the replay loop; pending appends are flushed. */
  stop(): Promise<void>;
  /** Replays the spool now (tests, shutdown); resolves with how many events were written. */
  replay(): Promise<number>;
  spoolStatus(): { depth: number; bytes: number };
}

/**
 * The one path every record takes, whatever its transport: parse, normalise, pseudonymise, then store durably.
 *
 * An event is acknowledged (the promise resolves) only once it is in the event store or fsynced in the disk spool.
 * While the spool holds anything, new events go to the spool too, so that they are stored in arrival order.
 * A record that cannot be parsed or mapped goes to the dead-letter store with its reason and never holds back
 * the good records of its batch.
 */
export function createIntake(deps: IntakeDeps): Intake {
  const { store, spool, deadLetters, pseudonymiser, tenants, metrics, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  const parseDeps = { pseudonymiser, tenants, keepOriginal: deps.keepOriginal };

  const updateSpoolGauges = () => {
    metrics.spoolDepth.set(spool.depth);
    metrics.spoolBytes.set(spool.bytes);
  };

  const writeToStore = async (events: EcsEvent[]) => {
    const end = metrics.storeLatency.startTimer();
    try {
      return await store.bulk(events);
    } finally {
      end();
    }
  };

  const notifyStored = async (events: EcsEvent[]) => {
    if (!deps.onStored || events.length === 0) return;
    try {
      await deps.onStored(events);
    } catch (err) {
      logger?.error({ err: (err as Error).message }, 'detection on stored events failed');
    }
  };

  const replay = async (): Promise<number> => {
    if (spool.depth === 0) return 0;
    const failedItems: NewDeadLetter[] = [];
    const n = await spool.drain(async (events) => {
      const results = await writeToStore(events);
      const created: EcsEvent[] = [];
      results.forEach((r, i) => {
        if (r.status === 'created') {
          metrics.stored.inc();
          created.push(events[i]);
        } else if (r.status === 'duplicate') metrics.duplicates.inc();
        else failedItems.push(storeRejection(events[i], r.reason));
      });
      await notifyStored(created);
    });
    if (failedItems.length) await deadLetters.add(failedItems);
    updateSpoolGauges();
    if (n) logger?.info({ events: n }, 'spool replayed into the event store');
    return n;
  };

  const storeRejection = (ev: EcsEvent, reason: string): NewDeadLetter => ({
    tenant: ev.vps.tenant,
    source: String(ev.event.dataset ?? 'unknown'),
    transport: 'store',
    parser: String(ev.event.module ?? 'unknown'),
    reason: `event store refused the event: ${reason}`,
    field: null,
    raw: ev.event.original ?? JSON.stringify(ev),
  });

  return {
    async accept(records: RawRecord[], ctx: IntakeContext): Promise<ItemOutcome[]> {
      const receivedAt = ctx.receivedAt ?? new Date().toISOString();
      const fullCtx = { ...ctx, receivedAt };
      metrics.received.inc({ transport: ctx.transport }, records.length);

      const spoolFull = () => {
        metrics.rejectedFull.inc();
        return new AppError(503, 'spool_full', 'the event store is unavailable and the disk spool is full; retry later', {
          retryAfterSeconds: 30,
        });
      };
      // Refuse the whole batch before acknowledging any of it when the spool could not take it (a cheap estimate
      // before parsing; the exact size is checked before the append below).
      if (spool.depth > 0 && spool.wouldOverflow(records.reduce((s, r) => s + r.raw.length * 2, 0))) throw spoolFull();

      const outcomes: ItemOutcome[] = new Array(records.length);
      const good: EcsEvent[] = [];
      const goodAt: number[] = [];
      const bad: NewDeadLetter[] = [];
      const badAt: number[] = [];
      records.forEach((rec, i) => {
        const r = parseRecord(rec, fullCtx, parseDeps);
        if (r.ok) {
          good.push(r.event);
          goodAt.push(i);
        } else {
          badAt.push(i);
          bad.push({
            tenant: ctx.tenant === '*' ? null : ctx.tenant,
            source: ctx.source,
            transport: ctx.transport,
            parser: ctx.parser,
            reason: r.reason,
            field: r.field ?? null,
            // Person codes never reach storage in clear, not even in a dead letter.
            raw: pseudonymiser.scrubText(rec.raw),
            receivedAt,
          });
        }
      });

      if (good.length) {
        let results: Array<ItemOutcome['status']> | undefined;
        if (spool.depth === 0) {
          try {
            const stored = await writeToStore(good);
            let created = 0;
            let duplicates = 0;
            results = stored.map((s, k) => {
              if (s.status === 'created') {
                created++;
                return 'created';
              }
              if (s.status === 'duplicate') {
                duplicates++;
                return 'duplicate';
              }
              bad.push(storeRejection(good[k], s.reason));
              badAt.push(goodAt[k]);
              return 'rejected';
            });
            if (created) metrics.stored.inc(created);
            if (duplicates) metrics.duplicates.inc(duplicates);
          } catch (err) {
            if (!(err instanceof StoreUnavailableError)) throw err;
            logger?.warn({ err: err.message }, 'event store unavailable: spooling');
          }
        }
        if (!results) {
          // SARGS_SPOOL_MAX_BYTES bounds the spool on disk: measured as the spool writes the events (one NDJSON
          // line each), before anything of the batch is acknowledged or dead-lettered.
          if (spool.wouldOverflow(good.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)) + 1, 0))) throw spoolFull();
          await spool.append(good);
          metrics.spooled.inc(good.length);
          updateSpoolGauges();
          results = good.map(() => 'spooled');
        }
        const created: EcsEvent[] = [];
        for (let k = 0; k < results.length; k++) {
          const status = results[k];
          if (status === 'rejected') continue;
          outcomes[goodAt[k]] = { status, id: good[k].event.id } as ItemOutcome;
          if (status === 'created') created.push(good[k]);
        }
        await notifyStored(created);
      }

      if (bad.length) {
        const ids = await deadLetters.add(bad);
        metrics.deadLettered.inc({ transport: ctx.transport }, bad.length);
        bad.forEach((b, k) => {
          outcomes[badAt[k]] = { status: 'rejected', reason: b.reason, ...(b.field ? { field: b.field } : {}), deadLetterId: ids[k] };
        });
      }
      return outcomes;
    },

    start() {
      if (timer) return;
      const tick = async () => {
        try {
          await replay();
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) logger?.error({ err }, 'spool replay failed');
        } finally {
          if (timer) timer = setTimeout(tick, deps.replayIntervalMs ?? 1000);
        }
      };
      timer = setTimeout(tick, deps.replayIntervalMs ?? 1000);
    },

    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await spool.close();
    },

    replay,
    spoolStatus: () => ({ depth: spool.depth, bytes: spool.bytes }),
  };
}
