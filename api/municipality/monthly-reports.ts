import type { Logger } from 'pino';
import type { SqlClient } from '../../core/sql/sql-client';
import type { JobQueue, JobWorker } from '../../core/jobs/job-queue';
import type { AuditLog } from '../../core/stores/audit-log';
import type { Outbox } from '../../core/delivery/outbox.types';
import { rigaParts } from '../../core/calendar/riga-time';
import { buildCrossAccessView, type CrossAccessView, type CrossAccessViewDeps } from './cross-access-view';
import { firstWorkingDay, monthOf, rigaMonth, shiftMonth } from './period';

/** The job queue and job names of the monthly municipality reports. */
export const REPORTS_QUEUE = 'municipality-reports';

export interface MonthlyReportsDeps extends CrossAccessViewDeps {
  sql: SqlClient;
  /** Needed by tick() and process() only (the routes read reports without it). */
  jobs?: JobQueue;
  audit: Pick<AuditLog, 'record'>;
  /** Base URL of the dashboard, for the link in e-mails. */
  publicUrl: string;
  /** When given, reviewers with an e-mail address also get the report by e-mail (core/delivery). */
  outbox?: Pick<Outbox, 'enqueue'>;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface StoredReport {
  tenant: string;
  month: string;
  period: { from: string; to: string };
  state: 'pending' | 'built';
  builtAt?: string;
  accesses?: number;
  outlierOrganizations?: number;
}

/**
 * The month whose report is due at `now`: the previous month once the first Latvian working day of the current
 * month has begun in Riga, else the month before it (its delivery day has passed already).
 */
export function dueMonth(now: Date): string {
  const current = monthOf(now);
  const p = rigaParts(now);
  const fwd = firstWorkingDay(current);
  return p.day >= fwd.day ? shiftMonth(current, -1) : shiftMonth(current, -2);
}

/** Reviewers of a tenant: active users holding municipality-reviewer there (casbin `g` lines). */
async function reviewersOf(sql: SqlClient, tenant: string): Promise<Array<{ id: string; email: string | null }>> {
  const r = await sql.query<{ id: string; email: string | null }>(
    `SELECT u.id, u.email FROM casbin_rule g JOIN users u ON g.v0 = 'user:' || u.id
     WHERE g.ptype = 'g' AND g.v1 = 'municipality-reviewer' AND g.v2 = $1 AND u.status = 'active' ORDER BY u.id`,
    [tenant],
  );
  return r.rows;
}

/** The e-mail of a monthly report, Latvian first, then English. */
export function reportEmail(view: CrossAccessView, month: string, link: string): { subject: string; text: string } {
  const [y, m] = month.split('-');
  const top = view.organizations.slice(0, 10);
  const outliers = view.organizations.filter((o) => o.outliers.length > 0);
  const line = (o: (typeof top)[number], lang: 'lv' | 'en') =>
    `  - ${o.name ?? (o.organization || (lang === 'lv' ? 'nav norādīta' : 'not recorded'))}: ${o.accesses}` +
    (o.outliers.length ? ` — ${o.outliers.map((f) => f.text[lang]).join('; ')}` : '');
  const who = view.name ?? view.residentsOf;
  const lv = [
    `${who}: citu pašvaldību un valsts iestāžu piekļuves jūsu iedzīvotāju datiem ${m}.${y}.`,
    `Piekļuves kopā: ${view.totals.accesses}; organizācijas: ${view.totals.organizations}; ar novirzēm: ${view.totals.outlierOrganizations}.`,
    ...(top.length ? ['Lielākās:', ...top.map((o) => line(o, 'lv'))] : ['Piekļuvju nav.']),
    ...(outliers.length ? ['Novirzes:', ...outliers.map((o) => line(o, 'lv'))] : []),
    `Skatīt: ${link}`,
  ];
  const en = [
    `${who}: accesses by other municipalities and state institutions to your residents' data in ${month}.`,
    `Accesses: ${view.totals.accesses}; organisations: ${view.totals.organizations}; with outliers: ${view.totals.outlierOrganizations}.`,
    ...(top.length ? ['Largest:', ...top.map((o) => line(o, 'en'))] : ['No accesses.']),
    ...(outliers.length ? ['Outliers:', ...outliers.map((o) => line(o, 'en'))] : []),
    `View: ${link}`,
  ];
  return { subject: `Sargs: piekļuves iedzīvotāju datiem ${m}.${y} / Cross-access report ${month}`, text: [...lv, '', ...en].join('\n') };
}

/**
 * Monthly reports to the municipalities' reviewers. State lives in the database (municipality_reports,
 * municipality_report_deliveries; core/migrations/0096): `tick` derives from it what is due, so a restart, a
 * second instance or a missed day changes nothing but when the work happens.
 * - `tick(now)`: when the due month (see {@link dueMonth}) has no report rows, inserts a `pending` one per
 *   municipality (ON CONFLICT DO NOTHING), then adds a job per pending report with the jobId
 *   `municipality-report-<tenant>-<month>` (idempotent across instances).
 * - the job (`run`) builds the view once (state built), then records one delivery per reviewer (primary key
 *   tenant, month, user), handing e-mails to the outbox with the key `municipality-report:<tenant>:<month>:<user>`
 *   (the outbox sends each key once). A repeated job finds both done and does nothing.
 */
export function createMonthlyReports(deps: MonthlyReportsDeps) {
  const municipalities = () => [...deps.tenants.values()].filter((t) => t.kind === 'municipality').map((t) => t.id);

  async function tick(now = new Date()): Promise<{ month: string; created: number; queued: number }> {
    const month = dueMonth(now);
    const period = rigaMonth(month);
    const ids = municipalities();
    const created = await deps.sql.query(
      `INSERT INTO municipality_reports (tenant, month, period_from, period_to)
       SELECT t, $2, $3::timestamptz, $4::timestamptz FROM unnest($1::text[]) AS t
       ON CONFLICT (tenant, month) DO NOTHING`,
      [ids, month, period.from, period.to],
    );
    const pending = await deps.sql.query<{ tenant: string; month: string }>(
      `SELECT tenant, month FROM municipality_reports WHERE state = 'pending' ORDER BY month, tenant`,
    );
    let queued = 0;
    for (const r of pending.rows) {
      if (!deps.jobs) throw new Error('monthly reports: no job queue given');
      const add = await deps.jobs.add(REPORTS_QUEUE, 'build', { tenant: r.tenant, month: r.month }, { jobId: `municipality-report-${r.tenant}-${r.month}`, attempts: 5, backoffMs: 60_000 });
      if (!add.duplicate) queued++;
    }
    if (created.rowCount) deps.logger?.info({ month, reports: created.rowCount }, 'monthly municipality reports scheduled');
    return { month, created: created.rowCount, queued };
  }

  /** Builds (once) and delivers (once per reviewer) the report of `tenant` for `month`. */
  async function run(tenant: string, month: string, now = new Date()): Promise<{ built: boolean; delivered: number }> {
    const row = (
      await deps.sql.query<{ state: string; view: CrossAccessView | string | null }>(
        'SELECT state, view FROM municipality_reports WHERE tenant = $1 AND month = $2',
        [tenant, month],
      )
    ).rows[0];
    if (!row) throw new Error(`no monthly report row for ${tenant} ${month}`);
    let built = false;
    let view = typeof row.view === 'string' ? (JSON.parse(row.view) as CrossAccessView) : row.view;
    if (row.state !== 'built' || !view) {
      view = await buildCrossAccessView(deps, tenant, rigaMonth(month), now);
      const u = await deps.sql.query(
        `UPDATE municipality_reports SET state = 'built', view = $3::jsonb, accesses = $4, outlier_organizations = $5, built_at = now()
         WHERE tenant = $1 AND month = $2 AND state = 'pending'`,
        [tenant, month, JSON.stringify(view), view.totals.accesses, view.totals.outlierOrganizations],
      );
      built = u.rowCount === 1;
      if (built) await deps.audit.record('system:monthly-reports', 'municipality.report.built', `${tenant}/${month}`, { accesses: view.totals.accesses, outlierOrganizations: view.totals.outlierOrganizations });
    }
    let delivered = 0;
    const link = `${deps.publicUrl.replace(/\/$/, '')}/municipality.html?tenant=${encodeURIComponent(tenant)}&month=${month}`;
    for (const r of await reviewersOf(deps.sql, tenant)) {
      const email = deps.outbox && r.email ? r.email : null;
      const key = `municipality-report:${tenant}:${month}:${r.id}`;
      const ins = await deps.sql.query(
        `INSERT INTO municipality_report_deliveries (tenant, month, user_id, channel, email, outbox_key)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, month, user_id) DO NOTHING`,
        [tenant, month, r.id, email ? 'email' : 'dashboard', email, email ? key : null],
      );
      // The outbox is idempotent by key: a job that died between the row and the enqueue sends it on its rerun.
      let channel = email ? 'email' : 'dashboard';
      if (email && deps.outbox) {
        const mail = reportEmail(view, month, link);
        try {
          await deps.outbox.enqueue({ key, channel: 'email', to: [email], subject: mail.subject, text: mail.text, tenant, subjectRef: { kind: 'municipality-report', id: `${tenant}/${month}` } });
        } catch (err) {
          // An address the outbox refuses (400) must not hold up the other reviewers: the dashboard still has it.
          if ((err as { status?: number }).status !== 400) throw err;
          channel = 'dashboard';
          deps.logger?.warn({ tenant, month, user: r.id, err: (err as Error).message }, 'monthly report: e-mail address refused, delivered on the dashboard only');
          await deps.sql.query(
            `UPDATE municipality_report_deliveries SET channel = 'dashboard', email = NULL, outbox_key = NULL WHERE tenant = $1 AND month = $2 AND user_id = $3`,
            [tenant, month, r.id],
          );
        }
      }
      if (ins.rowCount === 1) {
        delivered++;
        await deps.audit.record('system:monthly-reports', 'municipality.report.delivered', `${tenant}/${month}`, { user: r.id, channel });
      }
    }
    return { built, delivered };
  }

  /** Runs the build jobs of this instance. */
  function process(): JobWorker {
    if (!deps.jobs) throw new Error('monthly reports: no job queue given');
    return deps.jobs.process(REPORTS_QUEUE, async (job) => {
      const d = job.data as { tenant?: unknown; month?: unknown };
      if (typeof d?.tenant !== 'string' || typeof d?.month !== 'string') throw new Error('job data must name tenant and month');
      await run(d.tenant, d.month);
    });
  }

  /** The reports of a tenant, newest first, with the caller's delivery. */
  async function list(tenant: string, userId?: string): Promise<Array<StoredReport & { deliveredAt?: string; channel?: string }>> {
    const r = await deps.sql.query<{
      tenant: string; month: string; period_from: Date | string; period_to: Date | string; state: 'pending' | 'built';
      built_at: Date | string | null; accesses: number | null; outlier_organizations: number | null; delivered_at: Date | string | null; channel: string | null;
    }>(
      `SELECT r.tenant, r.month, r.period_from, r.period_to, r.state, r.built_at, r.accesses, r.outlier_organizations, d.delivered_at, d.channel
       FROM municipality_reports r LEFT JOIN municipality_report_deliveries d ON d.tenant = r.tenant AND d.month = r.month AND d.user_id = $2
       WHERE r.tenant = $1 ORDER BY r.month DESC LIMIT 36`,
      [tenant, userId ?? ''],
    );
    const iso = (v: Date | string) => new Date(v).toISOString();
    return r.rows.map((x) => ({
      tenant: x.tenant,
      month: x.month,
      period: { from: iso(x.period_from), to: iso(x.period_to) },
      state: x.state,
      ...(x.built_at ? { builtAt: iso(x.built_at) } : {}),
      ...(x.accesses !== null ? { accesses: Number(x.accesses) } : {}),
      ...(x.outlier_organizations !== null ? { outlierOrganizations: Number(x.outlier_organizations) } : {}),
      ...(x.delivered_at ? { deliveredAt: iso(x.delivered_at), channel: x.channel ?? undefined } : {}),
    }));
  }

  /** The stored view of one report, or undefined when not built. */
  async function get(tenant: string, month: string): Promise<CrossAccessView | undefined> {
    const r = await deps.sql.query<{ view: CrossAccessView | string | null }>(
      `SELECT view FROM municipality_reports WHERE tenant = $1 AND month = $2 AND state = 'built'`,
      [tenant, month],
    );
    const v = r.rows[0]?.view;
    return v ? (typeof v === 'string' ? (JSON.parse(v) as CrossAccessView) : v) : undefined;
  }

  /** Deliveries of a report (who got it, when, how). */
  async function deliveries(tenant: string, month: string): Promise<Array<{ userId: string; channel: string; deliveredAt: string }>> {
    const r = await deps.sql.query<{ user_id: string; channel: string; delivered_at: Date | string }>(
      'SELECT user_id, channel, delivered_at FROM municipality_report_deliveries WHERE tenant = $1 AND month = $2 ORDER BY user_id',
      [tenant, month],
    );
    return r.rows.map((x) => ({ userId: x.user_id, channel: x.channel, deliveredAt: new Date(x.delivered_at).toISOString() }));
  }

  return { tick, run, process, list, get, deliveries };
}

export type MonthlyReports = ReturnType<typeof createMonthlyReports>;

/**
 * The worker side in `sargs start` (worker role): runs the build jobs and checks what is due now and every
 * `intervalMs` (default 10 minutes). The timer only decides when to look; what is due comes from the stored rows.
 * Returns the stop function.
 */
export function startMonthlyReports(deps: MonthlyReportsDeps, intervalMs = 600_000): () => Promise<void> {
  const reports = createMonthlyReports(deps);
  const worker = reports.process();
  const check = () => reports.tick().catch((err) => deps.logger?.warn({ err: String(err) }, 'monthly municipality reports: could not schedule'));
  void check();
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await worker.close();
  };
}
