import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '../../core/errors';
import { decodeCursor } from '../../core/stores/event-store';
import { loadTenants, type Tenant } from '../../core/tenants';
import type { Principal } from '../auth/permissions';
import type { AppContext } from '../app-context';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import { buildCrossAccessView, crossAccessCsv } from './cross-access-view';
import { createMonthlyReports } from './monthly-reports';
import { monthOf, rigaDay, rigaMonth, shiftMonth, type Period } from './period';

const MAX_PERIOD_MS = 366 * 86_400_000;
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM, e.g. 2026-10');
// An ISO time (to exclusive) or a Riga calendar day (to inclusive: the view runs to the end of that day).
const instant = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) || z.string().datetime({ offset: true }).safeParse(s).success, 'must be a date YYYY-MM-DD or an ISO 8601 time')
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), 'is not a real date');
const periodFields = { month: month.optional(), from: instant.optional(), to: instant.optional() };
const viewQuery = z.object({ ...periodFields, lang: z.enum(['lv', 'en']).optional() }).strict();
const eventsQuery = z
  .object({
    ...periodFields,
    organization: z.string().min(1, 'is required: the organisation of the row').max(64),
    app: z.string().min(1).max(64).optional(),
    dataCategory: z.string().min(1).max(64).optional(),
    size: z.coerce.number().int().min(1, 'at least 1').max(1000, 'at most 1000').default(100),
    after: z.string().max(512).optional(),
  })
  .strict();

/** The period of a request: `month`, or `from` and `to`, or by default the previous Riga calendar month. */
export function periodOf(q: { month?: string; from?: string; to?: string }, now = new Date()): Period {
  if (q.month && (q.from || q.to)) throw new AppError(400, 'invalid_query', 'month: give either month or from and to', { field: 'month' });
  if (q.month) return rigaMonth(q.month);
  if (!q.from && !q.to) return rigaMonth(shiftMonth(monthOf(now), -1));
  if (!q.from || !q.to) throw new AppError(400, 'invalid_query', `${q.from ? 'to' : 'from'}: required with ${q.from ? 'from' : 'to'}`, { field: q.from ? 'to' : 'from' });
  const from = q.from.length === 10 ? rigaDay(q.from) : new Date(q.from).toISOString();
  const to = q.to.length === 10 ? rigaDay(q.to, true) : new Date(q.to).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw new AppError(400, 'invalid_query', 'from must be before to', { field: 'from' });
  if (Date.parse(to) - Date.parse(from) > MAX_PERIOD_MS) throw new AppError(400, 'invalid_query', 'to: the period is at most 366 days', { field: 'to' });
  return { from, to };
}

const periodParams = [
  { name: 'month', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, description: 'A Riga calendar month (default: the previous month)' },
  { name: 'from', in: 'query', schema: { type: 'string' }, description: 'Start: ISO time, or a date YYYY-MM-DD (Riga midnight)' },
  { name: 'to', in: 'query', schema: { type: 'string' }, description: 'End: ISO time (exclusive), or a date YYYY-MM-DD (inclusive day)' },
];
const tenantParam = { name: 'tenant', in: 'path', required: true, schema: { type: 'string' }, description: 'The municipality whose residents’ data was accessed' };

/**
 * The municipality view (issue 5): who from other municipalities and state institutions read a municipality's
 * residents' data, with outliers (./outliers.ts), drill-down to the events and the monthly reports. Every route
 * needs municipality:review in the municipality named by the path (a reviewer of A never sees B's view).
 */
export function municipalityRoutes(ctx: AppContext) {
  const tenants: ReadonlyMap<string, Tenant> = loadTenants().byId;
  const reports = createMonthlyReports({ sql: ctx.identity.sql, events: ctx.events, tenants, audit: ctx.audit, publicUrl: ctx.config.publicUrl });

  /** The municipality of the path, once the caller may review it. */
  async function municipalityOf(req: Request, principal: Principal): Promise<string> {
    const tenant = String(req.params.tenant);
    if (!(await ctx.authz.can(principal, 'municipality:review', tenant)))
      throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to review ${tenant}`, { field: 'tenant' });
    const t = tenants.get(tenant);
    if (!t) throw new AppError(404, 'not_found', `tenant: unknown tenant ${tenant}`, { field: 'tenant' });
    if (t.kind !== 'municipality') throw new AppError(400, 'invalid_tenant', `tenant: ${tenant} is a ${t.kind}, not a municipality`, { field: 'tenant' });
    return tenant;
  }

  const parse = <T>(schema: z.ZodType<T>, req: Request): T => {
    const r = schema.safeParse(req.query);
    if (!r.success) throw fromZod(r.error);
    return r.data;
  };

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/municipality/:tenant/cross-access',
      permission: 'municipality:review',
      summary: 'Who from other municipalities and state institutions accessed the municipality’s residents’ data, with outliers',
      tags: ['municipality'],
      openapi: {
        parameters: [tenantParam, ...periodParams],
        responses: {
          '200': { description: '{ residentsOf, period, history, totals, organizations[], applications[], rows[] } — rows by organisation × application × data category; outliers[] with test, metric, ratio and text { lv, en }' },
          '400': { description: 'Bad period (problem+json naming the field)' },
          '403': { description: 'No municipality:review in this tenant' },
        },
      },
      async handler(req, res, principal) {
        const tenant = await municipalityOf(req, principal!);
        const { lang: _lang, ...q } = parse(viewQuery, req);
        res.json(await buildCrossAccessView({ events: ctx.events, tenants }, tenant, periodOf(q)));
      },
    },
    {
      method: 'get',
      path: '/api/v1/municipality/:tenant/cross-access.csv',
      permission: 'municipality:review',
      summary: 'The municipality view as CSV (one row per organisation × application × data category, outlier reasons)',
      tags: ['municipality'],
      openapi: {
        parameters: [tenantParam, ...periodParams, { name: 'lang', in: 'query', schema: { type: 'string', enum: ['lv', 'en'], default: 'lv' } }],
        responses: { '200': { description: 'text/csv (; separated, UTF-8 with BOM)' } },
      },
      async handler(req, res, principal) {
        const tenant = await municipalityOf(req, principal!);
        const { lang, ...q } = parse(viewQuery, req);
        const period = periodOf(q);
        const view = await buildCrossAccessView({ events: ctx.events, tenants }, tenant, period);
        await ctx.audit.record(principal!.name, 'municipality.cross-access.exported', tenant, { period, rows: view.rows.length });
        res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
        res.setHeader('Content-Disposition', `attachment; filename="cross-access-${tenant}-${period.from.slice(0, 10)}.csv"`);
        res.send(crossAccessCsv(view, lang ?? 'lv'));
      },
    },
    {
      method: 'get',
      path: '/api/v1/municipality/:tenant/cross-access/events',
      permission: 'municipality:review',
      summary: 'Drill-down: the events behind one row of the municipality view, newest first',
      tags: ['municipality'],
      openapi: {
        parameters: [
          tenantParam,
          ...periodParams,
          { name: 'organization', in: 'query', required: true, schema: { type: 'string' }, description: 'The accessing organisation (not the municipality itself)' },
          { name: 'app', in: 'query', schema: { type: 'string' } },
          { name: 'dataCategory', in: 'query', schema: { type: 'string' } },
          { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'Cursor from the previous page (`next`)' },
        ],
        responses: { '200': { description: '{ events, total, next? }' }, '400': { description: 'Bad filter (problem+json naming the field)' } },
      },
      async handler(req, res, principal) {
        const tenant = await municipalityOf(req, principal!);
        const { organization, app, dataCategory, size, after, ...q } = parse(eventsQuery, req);
        // The view shows other organisations only; the municipality's own staff are read with events:read.
        if (organization === tenant)
          throw new AppError(400, 'invalid_query', 'organization: the municipality’s own accesses are not part of this view', { field: 'organization' });
        if (after) {
          try {
            decodeCursor(after);
          } catch {
            throw new AppError(400, 'invalid_query', 'after: not a cursor returned by this API', { field: 'after' });
          }
        }
        const period = periodOf(q);
        const page = await ctx.events.search({
          scope: '*',
          subjectOrganization: tenant,
          organization,
          ...(app ? { app } : {}),
          ...(dataCategory ? { dataCategory } : {}),
          ...period,
          size,
          ...(after ? { after } : {}),
        });
        // Reading other organisations' staff and the residents' pseudonyms is itself recorded.
        await ctx.audit.record(principal!.name, 'municipality.cross-access.events-viewed', tenant, { organization, app, dataCategory, period, events: page.events.length });
        res.json(page);
      },
    },
    {
      method: 'get',
      path: '/api/v1/municipality/:tenant/reports',
      permission: 'municipality:review',
      summary: 'The monthly reports of the municipality, newest first, with the caller’s delivery',
      tags: ['municipality'],
      openapi: { parameters: [tenantParam], responses: { '200': { description: '{ reports: [{ month, period, state, builtAt, accesses, outlierOrganizations, deliveredAt?, channel? }] }' } } },
      async handler(req, res, principal) {
        const tenant = await municipalityOf(req, principal!);
        res.json({ reports: await reports.list(tenant, principal!.kind === 'user' ? principal!.id : undefined) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/municipality/:tenant/reports/:month',
      permission: 'municipality:review',
      summary: 'One monthly report: the stored view of that month and its deliveries',
      tags: ['municipality'],
      openapi: {
        parameters: [tenantParam, { name: 'month', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } }],
        responses: { '200': { description: '{ view, deliveries }' }, '404': { description: 'No report built for that month' } },
      },
      async handler(req, res, principal) {
        const tenant = await municipalityOf(req, principal!);
        const m = month.safeParse(req.params.month);
        if (!m.success) throw new AppError(400, 'invalid_path', `month: ${m.error.issues[0].message}`, { field: 'month' });
        const view = await reports.get(tenant, m.data);
        if (!view) throw new AppError(404, 'not_found', `no monthly report of ${tenant} for ${m.data}`, { field: 'month' });
        res.json({ view, deliveries: await reports.deliveries(tenant, m.data) });
      },
    },
  ]);
}
