import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { Tenant } from '../../core/tenants';
import type { AppContext } from '../app-context';
import type { Principal } from '../auth/permissions';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import type { CaseService } from './case.service';
import type { CaseScope } from './case.store';
import { CASE_CHANNELS, CASE_OUTCOMES, CASE_RIGHTS, DEADLINE_STATES, DECISION_KINDS, IDENTITY_METHODS, NOTICE_METHODS } from './case.types';

type Ctx = Pick<AppContext, 'authz' | 'tenants'>;

const iso = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time with offset, e.g. 2026-11-30T08:00:00Z' });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const identity = z
  .object({ method: z.enum(IDENTITY_METHODS), verifiedBy: text(256).optional(), verifiedAt: iso.optional(), note: z.string().trim().max(2000).optional() })
  .strict();
const createBody = z
  .object({
    tenant: z.string().min(1).max(64),
    right: z.enum(CASE_RIGHTS),
    receivedAt: iso,
    channel: z.enum(CASE_CHANNELS).optional(),
    summary: z.string().trim().max(4000).optional(),
    requester: z.object({ name: text(256), contact: z.string().trim().max(512).optional(), personCode: z.string().max(20).optional() }).strict(),
    identity: identity.optional(),
  })
  .strict();
const updateBody = z
  .object({
    right: z.enum(CASE_RIGHTS).optional(),
    channel: z.enum(CASE_CHANNELS).nullable().optional(),
    summary: z.string().trim().max(4000).nullable().optional(),
    requester: z.object({ name: text(256).optional(), contact: z.string().trim().max(512).nullable().optional(), personCode: z.string().max(20).nullable().optional() }).strict().optional(),
    identity: identity.nullable().optional(),
  })
  .strict();
const listQuery = z
  .object({
    tenant: z.string().min(1).max(64).optional(),
    status: z.enum(['open', 'closed']).optional(),
    right: z.enum(CASE_RIGHTS).optional(),
    state: z.enum(DEADLINE_STATES).optional(),
    from: iso.optional(),
    to: iso.optional(),
    reference: z.string().min(1).max(64).optional(),
    sort: z.enum(['due', 'received']).default('due'),
    size: z.coerce.number().int().min(1, 'at least 1').max(500, 'at most 500').default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
const searchBody = z.object({ personCode: z.string().min(1).max(20), status: z.enum(['open', 'closed']).optional() }).strict();
const registerQuery = z.object({ from: iso.optional(), to: iso.optional() }).strict();
const remindersQuery = z.object({ undelivered: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
const noteBody = z.object({ text: text(8000) }).strict();
const decisionBody = z.object({ kind: z.enum(DECISION_KINDS), text: text(8000) }).strict();
const reportBody = z.object({ reportId: z.string().uuid('must be a report id (UUID)') }).strict();
const extendBody = z
  .object({ months: z.number().int(), reason: z.string().max(4000).default(''), noticeAt: iso, noticeMethod: z.enum(NOTICE_METHODS).optional() })
  .strict();
const processorBody = z.object({ event: z.enum(['requested', 'provided']), at: iso.optional() }).strict();
const closeBody = z.object({ outcome: z.enum(CASE_OUTCOMES), closedAt: iso.optional(), summary: z.string().trim().max(8000).optional() }).strict();
const attachmentQuery = z.object({ name: z.string().trim().min(1, 'must not be empty').max(200).regex(/^[^/\\\0\r\n]+$/, 'must be a file name without path or line breaks') }).strict();

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown, where: 'query' | 'body'): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw fromZod(r.error, where);
  return r.data;
}

const ID = /^[0-9a-f-]{36}$/;
function pathId(req: Request, name = 'id'): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !ID.test(v)) throw new AppError(400, 'invalid_path', `${name}: not a case id`, { field: name });
  return v;
}

function range(from?: string, to?: string) {
  if (from && to && Date.parse(from) >= Date.parse(to)) throw new AppError(400, 'invalid_query', 'from must be before to', { field: 'from' });
  return { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
}

const idParams = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const json = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });
const caseResponse = { '200': { description: 'The case with its deadlines, timeline, linked reports and attachments' }, '404': { description: 'No such case in the caller\'s tenants' } };
const identitySchema = {
  type: 'object', required: ['method'],
  properties: { method: { type: 'string', enum: [...IDENTITY_METHODS] }, verifiedBy: { type: 'string' }, verifiedAt: { type: 'string', format: 'date-time' }, note: { type: 'string' } },
};
const requesterSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, contact: { type: 'string' }, personCode: { type: 'string', description: 'Validated; stored only as a keyed pseudonym and a masked form' } },
};

/**
 * Subject-request cases (issue 5): create, list, register of deadline compliance, case page data, changes.
 * `cases:read` reads, `cases:manage` changes; both narrowed to the caller's tenants (a DPO of A sees A's cases
 * only; a holder in the processor tenant, ZZ Dats, reads every controller's cases). A case outside the scope is
 * "not found". Every change is audited and written to the case's own timeline (case.service.ts).
 */
export function caseRoutes(ctx: Ctx, deps: { cases: CaseService; tenantsById: ReadonlyMap<string, Tenant> }) {
  const { cases } = deps;

  async function scopeOf(principal: Principal, perm: 'cases:read' | 'cases:manage', tenant?: string): Promise<CaseScope> {
    if (tenant && !ctx.tenants.has(tenant)) throw new AppError(400, 'invalid_query', `tenant: unknown tenant ${tenant}`, { field: 'tenant' });
    let scope: CaseScope = await ctx.authz.scope(principal, perm);
    // ZZ Dats, the processor, supports every controller's requests: its DPO reads every case (not changes them).
    if (scope !== '*' && perm === 'cases:read' && scope.some((t) => deps.tenantsById.get(t)?.kind === 'processor')) scope = '*';
    if (tenant && scope !== '*' && !scope.includes(tenant))
      throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to ${perm === 'cases:read' ? 'read' : 'manage'} cases of ${tenant}`, { field: 'tenant' });
    return scope;
  }

  const manage = (principal: Principal | undefined) => scopeOf(principal!, 'cases:manage');

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/cases',
      permission: 'cases:read',
      summary: 'List subject-request cases with filters (open first, nearest deadline first)',
      tags: ['cases'],
      openapi: {
        parameters: [
          { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Controller (municipality)' },
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] } },
          { name: 'right', in: 'query', schema: { type: 'string', enum: [...CASE_RIGHTS] } },
          { name: 'state', in: 'query', schema: { type: 'string', enum: [...DEADLINE_STATES] } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Received at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Received before' },
          { name: 'reference', in: 'query', schema: { type: 'string' }, description: 'Reference or its prefix' },
          { name: 'sort', in: 'query', schema: { type: 'string', enum: ['due', 'received'], default: 'due' } },
          { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: { '200': { description: '{ cases, total }' }, '400': { description: 'Bad filter (problem+json naming the field)' } },
      },
      async handler(req, res, principal) {
        const q = parse(listQuery, req.query, 'query');
        const { from, to } = range(q.from, q.to);
        const scope = await scopeOf(principal!, 'cases:read', q.tenant);
        res.json(await cases.list({ ...q, from, to }, scope));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases',
      permission: 'cases:manage',
      summary: 'Open a case for a data subject\'s request; the answer deadline (1 month, GDPR Art. 12(3)) is computed and stored',
      tags: ['cases'],
      openapi: {
        requestBody: json({
          type: 'object', required: ['tenant', 'right', 'receivedAt', 'requester'],
          properties: {
            tenant: { type: 'string' }, right: { type: 'string', enum: [...CASE_RIGHTS] }, receivedAt: { type: 'string', format: 'date-time' },
            channel: { type: 'string', enum: [...CASE_CHANNELS] }, summary: { type: 'string' }, requester: requesterSchema, identity: identitySchema,
          },
        }),
        responses: { '201': { description: 'The case' }, '400': { description: 'Bad field (problem+json naming it and the reason)' }, '403': { description: 'Tenant outside the caller\'s scope' } },
      },
      async handler(req, res, principal) {
        const b = parse(createBody, req.body, 'body');
        if (!ctx.tenants.has(b.tenant)) throw new AppError(400, 'invalid_body', `tenant: unknown tenant ${b.tenant}`, { field: 'tenant' });
        const scope = await manage(principal);
        if (scope !== '*' && !scope.includes(b.tenant))
          throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to manage cases of ${b.tenant}`, { field: 'tenant' });
        const c = await cases.create(
          { ...b, receivedAt: new Date(b.receivedAt), identity: b.identity && { ...b.identity, verifiedAt: b.identity.verifiedAt ? new Date(b.identity.verifiedAt) : undefined } },
          principal!.name,
        );
        res.status(201).json(c);
      },
    },
    {
      // Declared before /:id so that `register` is not taken for a case id.
      method: 'get',
      path: '/api/v1/cases/register',
      permission: 'cases:read',
      summary: 'Register of deadline compliance per municipality (count, open, overdue, answered in time %, extended)',
      tags: ['cases'],
      openapi: {
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Cases received at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Cases received before' },
        ],
        responses: { '200': { description: '{ rows: ComplianceRow[], totals }' } },
      },
      async handler(req, res, principal) {
        const q = parse(registerQuery, req.query, 'query');
        const rows = await cases.register(await scopeOf(principal!, 'cases:read'), range(q.from, q.to));
        const sum = (k: 'total' | 'open' | 'overdue' | 'dueSoon' | 'closed' | 'answeredInTime' | 'answeredLate' | 'extended' | 'processorOverdue') => rows.reduce((n, r) => n + r[k], 0);
        const closed = sum('closed');
        res.json({
          rows,
          totals: {
            total: sum('total'), open: sum('open'), overdue: sum('overdue'), dueSoon: sum('dueSoon'), closed, answeredInTime: sum('answeredInTime'),
            answeredLate: sum('answeredLate'), inTimePercent: closed ? Math.round((sum('answeredInTime') / closed) * 1000) / 10 : null, extended: sum('extended'),
            processorOverdue: sum('processorOverdue'),
          },
        });
      },
    },
    {
      // POST so that the person code never appears in a URL (access logs, browser history).
      method: 'post',
      path: '/api/v1/cases/search',
      permission: 'cases:read',
      summary: 'Find the cases of one data subject by person code (compared as its keyed pseudonym; e.g. repeated requests, GDPR Art. 12(5))',
      tags: ['cases'],
      openapi: {
        requestBody: json({ type: 'object', required: ['personCode'], properties: { personCode: { type: 'string' }, status: { type: 'string', enum: ['open', 'closed'] } } }),
        responses: { '200': { description: '{ cases, total }, newest first' }, '400': { description: 'Not a valid person code (field personCode and the reason)' } },
      },
      async handler(req, res, principal) {
        const b = parse(searchBody, req.body, 'body');
        const scope = await scopeOf(principal!, 'cases:read');
        res.json(await cases.list({ person: cases.personPseudonym(b.personCode, 'personCode'), status: b.status, sort: 'received', size: 500, offset: 0 }, scope));
      },
    },
    {
      method: 'get',
      path: '/api/v1/cases/reminders',
      permission: 'cases:read',
      summary: 'Reminders and overdue notices recorded for the caller\'s cases (due notifications), newest first',
      tags: ['cases'],
      openapi: {
        parameters: [
          { name: 'undelivered', in: 'query', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Only those not yet handed to a delivery channel' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { '200': { description: '{ reminders }' } },
      },
      async handler(req, res, principal) {
        const q = parse(remindersQuery, req.query, 'query');
        res.json({ reminders: await cases.reminders(await scopeOf(principal!, 'cases:read'), { undeliveredOnly: q.undelivered === 'true', limit: q.limit }) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/cases/:id',
      permission: 'cases:read',
      summary: 'One case: requester (person code masked), identity check, deadlines and their state, timeline, linked reports, attachments',
      tags: ['cases'],
      openapi: { parameters: idParams, responses: caseResponse },
      async handler(req, res, principal) {
        res.json(await cases.get(pathId(req), await scopeOf(principal!, 'cases:read')));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id',
      permission: 'cases:manage',
      summary: 'Change a case\'s fields (right, channel, summary, requester, identity check); the received date is fixed',
      tags: ['cases'],
      openapi: {
        parameters: idParams,
        requestBody: json({ type: 'object', properties: { right: { type: 'string', enum: [...CASE_RIGHTS] }, channel: { type: ['string', 'null'] }, summary: { type: ['string', 'null'] }, requester: requesterSchema, identity: { ...identitySchema, type: ['object', 'null'] } } }),
        responses: { ...caseResponse, '409': { description: 'The case is closed' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const b = parse(updateBody, req.body, 'body');
        const patch = { ...b, identity: b.identity ? { ...b.identity, verifiedAt: b.identity.verifiedAt ? new Date(b.identity.verifiedAt) : undefined } : b.identity };
        res.json(await cases.update(id, await manage(principal), patch, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/notes',
      permission: 'cases:manage',
      summary: 'Add a note to the case timeline (person codes in the text are replaced by their pseudonyms)',
      tags: ['cases'],
      openapi: { parameters: idParams, requestBody: json({ type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 8000 } } }), responses: caseResponse },
      async handler(req, res, principal) {
        const id = pathId(req);
        const { text: t } = parse(noteBody, req.body, 'body');
        res.json(await cases.addNote(id, await manage(principal), t, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/decisions',
      permission: 'cases:manage',
      summary: 'Record a decision on the request (grant, partial grant, refuse, more information needed, fee, other)',
      tags: ['cases'],
      openapi: {
        parameters: idParams,
        requestBody: json({ type: 'object', required: ['kind', 'text'], properties: { kind: { type: 'string', enum: [...DECISION_KINDS] }, text: { type: 'string', maxLength: 8000 } } }),
        responses: { ...caseResponse, '409': { description: 'The case is closed' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const b = parse(decisionBody, req.body, 'body');
        res.json(await cases.addDecision(id, await manage(principal), b, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/attachments',
      permission: 'cases:manage',
      body: 'raw',
      summary: 'Attach a file (raw body, its type in Content-Type, ?name=); stored in the database with its SHA-256; size limit and type allow-list in policies/cases.yaml',
      tags: ['cases'],
      openapi: {
        parameters: [...idParams, { name: 'name', in: 'query', required: true, schema: { type: 'string', maxLength: 200 } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '201': { description: 'The attachment (id, name, contentType, size, sha256)' }, '413': { description: 'Too large' }, '415': { description: 'Type not accepted, or content not of the declared type' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const { name } = parse(attachmentQuery, req.query, 'query');
        const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const att = await cases.addAttachment(id, await manage(principal), { name, contentType: req.get('content-type') ?? '', content }, principal!.name);
        res.status(201).json(att);
      },
    },
    {
      method: 'get',
      path: '/api/v1/cases/:id/attachments/:attachmentId',
      permission: 'cases:read',
      summary: 'Download an attachment (as a file, with its SHA-256 in a header)',
      tags: ['cases'],
      openapi: {
        parameters: [...idParams, { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: { '200': { description: 'The file' }, '404': { description: 'No such attachment in the caller\'s tenants' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const attachmentId = pathId(req, 'attachmentId');
        const a = await cases.attachment(id, attachmentId, await scopeOf(principal!, 'cases:read'));
        res.setHeader('Content-Type', a.meta.contentType);
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.meta.name)}`);
        res.setHeader('X-Content-SHA256', a.meta.sha256);
        res.setHeader('Cache-Control', 'no-store');
        res.send(a.content);
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/reports',
      permission: 'cases:manage',
      summary: 'Link a person access report (api/reports) to the case',
      tags: ['cases'],
      openapi: { parameters: idParams, requestBody: json({ type: 'object', required: ['reportId'], properties: { reportId: { type: 'string', format: 'uuid' } } }), responses: caseResponse },
      async handler(req, res, principal) {
        const id = pathId(req);
        const { reportId } = parse(reportBody, req.body, 'body');
        res.json(await cases.linkReport(id, await manage(principal), reportId, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/extend',
      permission: 'cases:manage',
      summary: 'Extend the answer deadline by 1 or 2 further months (GDPR Art. 12(3)): needs the reasons and the notice given to the requester within the first month',
      tags: ['cases'],
      openapi: {
        parameters: idParams,
        requestBody: json({
          type: 'object', required: ['months', 'reason', 'noticeAt', 'noticeMethod'],
          properties: { months: { type: 'integer', enum: [1, 2] }, reason: { type: 'string' }, noticeAt: { type: 'string', format: 'date-time' }, noticeMethod: { type: 'string', enum: [...NOTICE_METHODS] } },
        }),
        responses: { ...caseResponse, '400': { description: 'Refused: the field and reason (months, reason, noticeAt after the first month …)' }, '409': { description: 'Closed, or extended already' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const b = parse(extendBody, req.body, 'body');
        res.json(await cases.extend(id, await manage(principal), { months: b.months, reason: b.reason, noticeAt: new Date(b.noticeAt), noticeMethod: b.noticeMethod! }, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/processor-support',
      permission: 'cases:manage',
      summary: 'Record that the processor\'s (ZZ Dats) support was requested (sets its due date: 5 Latvian working days) or provided',
      tags: ['cases'],
      openapi: {
        parameters: idParams,
        requestBody: json({ type: 'object', required: ['event'], properties: { event: { type: 'string', enum: ['requested', 'provided'] }, at: { type: 'string', format: 'date-time' } } }),
        responses: { ...caseResponse, '409': { description: 'Requested or provided already, or not requested' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const b = parse(processorBody, req.body, 'body');
        res.json(await cases.processorSupport(id, await manage(principal), { event: b.event, at: b.at ? new Date(b.at) : undefined }, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:id/close',
      permission: 'cases:manage',
      summary: 'Close a case with its outcome and the date the answer was given (in time or late against the deadline in force)',
      tags: ['cases'],
      openapi: {
        parameters: idParams,
        requestBody: json({ type: 'object', required: ['outcome'], properties: { outcome: { type: 'string', enum: [...CASE_OUTCOMES] }, closedAt: { type: 'string', format: 'date-time' }, summary: { type: 'string' } } }),
        responses: { ...caseResponse, '409': { description: 'Closed already' } },
      },
      async handler(req, res, principal) {
        const id = pathId(req);
        const b = parse(closeBody, req.body, 'body');
        res.json(await cases.close(id, await manage(principal), { outcome: b.outcome, closedAt: b.closedAt ? new Date(b.closedAt) : undefined, summary: b.summary }, principal!.name));
      },
    },
  ]);
}
