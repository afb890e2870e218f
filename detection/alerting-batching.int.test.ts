import path from 'node:path';
import type { AlertStore } from '../core/stores/alert-store';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { openTestSql } from '../core/testing/services';
import type { EcsEvent } from '../core/types';
import { createAlerting } from './alerting';
import { loadRules } from './sigma/load-rules';

/**
 * Batches handed to onStored while a run is busy go through the next run together (detection/alerting.ts): each
 * caller's promise resolves only once its own events are detected and their alerts recorded, and the alerts are
 * the ones separate runs would give.
 */
const { rules } = loadRules(path.resolve(__dirname, '../rules'));
const EXPORT_RULE = '8bf7c898-33ef-44c9-9b22-c7769d45e0df'; // rules/vps/exfiltration_off_hours_bulk_export.yml

/** An off-hours bulk export by `user` (a working-day night in Riga), event id `id`. */
function exportAtNight(user: string, id: string, second: number): EcsEvent {
  return {
    '@timestamp': new Date(Date.UTC(2026, 10, 2, 22, 0, second)).toISOString(),
    event: { id, dataset: 'vps.audit', kind: 'event', action: 'export_clients', outcome: 'success', module: 'vps_audit' },
    service: { name: 'SOPA' },
    organization: { id: 'jelgava' },
    user: { name: user },
    vps: { tenant: 'jelgava', subject: { organization: 'jelgava' }, data_category: 'social_assistance', record: { id: `EXPORT-${id}` } },
    source: { ip: '10.21.0.44' },
  } as unknown as EcsEvent;
}

describe('alerting: batches that wait behind a busy run', () => {
  it('are detected together, each caller resolved after its own alerts are recorded', async () => {
    const t = await openTestSql('pglite');
    try {
      const store = createSqlAlertStore(t.sql);
      await store.init();
      const alerting = createAlerting({ rules, alerts: store, suppressions: createSuppressionStore(t.sql) });
      // 1 run that starts (and is busy writing its alert), then 5 batches arriving while it runs.
      const first = alerting.onStored([exportAtNight('night.user0', 'e0', 0)]);
      await new Promise((r) => setImmediate(r));
      const calls = [first, ...Array.from({ length: 5 }, (_, k) => alerting.onStored([exportAtNight(`night.user${k + 1}`, `e${k + 1}`, k + 1)]))];
      // the five waited together: one promise for all of them, another for the busy run
      expect(new Set(calls.slice(1)).size).toBe(1);
      expect(calls[1]).not.toBe(first);
      const seen: string[] = [];
      await Promise.all(
        calls.map(async (p, i) => {
          await p;
          const { alerts } = await store.search({ scope: '*', ruleId: EXPORT_RULE });
          // by the time a caller is answered, its own alert is there
          expect(alerts.map((a) => a.entity)).toContain(`night.user${i}`);
          seen.push(`night.user${i}`);
        }),
      );
      expect(seen).toHaveLength(6);
      expect(alerting.stats()).toMatchObject({ events: 6, hits: 6 });
      const { alerts } = await store.search({ scope: '*', ruleId: EXPORT_RULE });
      expect(alerts.map((a) => a.entity).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `night.user${i}`));
      // the same events again (a replay) raise nothing new
      await Promise.all([alerting.onStored([exportAtNight('night.user0', 'e0', 0)]), alerting.onStored([exportAtNight('night.user1', 'e1', 1)])]);
      const again = await store.search({ scope: '*', ruleId: EXPORT_RULE });
      expect(again.total).toBe(6);
      expect(again.alerts.every((a) => a.count === 1)).toBe(true);
    } finally {
      await t.drop();
    }
  });

  it('writes alerts in run order while the engine goes on: hits waiting behind a slow write go into the next one', async () => {
    const t = await openTestSql('pglite');
    try {
      const real = createSqlAlertStore(t.sql);
      await real.init();
      // the real store, its first write held until the test lets it go
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const writes: string[][] = [];
      const store: AlertStore = {
        ...real,
        async record(inputs, windowMs) {
          writes.push(inputs.map((i) => i.entity ?? ''));
          if (writes.length === 1) await held;
          return real.record(inputs, windowMs);
        },
      };
      const alerting = createAlerting({ rules, alerts: store, suppressions: createSuppressionStore(t.sql) });
      let firstDone = false;
      const first = alerting.onStored([exportAtNight('night.user0', 'e0', 0)]).then(() => (firstDone = true));
      while (writes.length === 0) await new Promise((r) => setImmediate(r));
      // the first write hangs; two more batches are detected meanwhile
      const second = alerting.onStored([exportAtNight('night.user1', 'e1', 1)]);
      const third = alerting.onStored([exportAtNight('night.user2', 'e2', 2)]);
      for (let i = 0; i < 50 && alerting.stats().events < 3; i++) await new Promise((r) => setTimeout(r, 5));
      expect(alerting.stats().events).toBe(3);
      expect(firstDone).toBe(false);
      expect(writes).toEqual([['night.user0']]);
      release();
      await Promise.all([first, second, third]);
      // in order, the two waiting runs' hits in one write
      expect(writes).toEqual([['night.user0'], ['night.user1', 'night.user2']]);
      const { alerts } = await real.search({ scope: '*', ruleId: EXPORT_RULE });
      expect(alerts.map((a) => a.entity).sort()).toEqual(['night.user0', 'night.user1', 'night.user2']);
    } finally {
      await t.drop();
    }
  });
});

