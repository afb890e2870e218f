import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { AlertStore } from '../../core/stores/alert-store';
import type { AppContext } from '../app-context';
import type { Permission, Principal } from '../auth/permissions';
import { isVpsApplication } from '../mfa/vps-applications';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import type { IncidentService } from './incident.service';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, NOTICE_KINDS, type Notice } from './incident.types';
import { noticePdf } from './notice-pdf';
import { scopedDetail, scopedListItem, type Scope } from './incident-view';

type Ctx = Pick<AppContext, 'authz' | 'tenants'>;

const iso = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-11-30T08:00:00Z' });
const text = (max: number) => z.string().trim().max(max);
const affected = z
  .object({
    tenant: z.string().min(1).max(64),
    applications: z.array(z.string().refine(isVpsApplication, (s) => ({ message: `${s} is not a VPS application` }))).max(20).default([]),
    dataCategories: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'lowercase data category, e.g. residence')).max(30).default([]),
    personsAffected: z.number().int().min(0).max(10_000_000).default(0),
    records: z.number().int().min(0).max(1_000_000_000).optional(),
  })
  .strict();
const facts = z
  .object({ impact: text(4000), indicators: text(8000), rootCause: text(4000), mitigation: text(4000), nature: text(4000), consequences: text(4000), measures: text(4000) })
  .partial()
  .strict();
const createBody = z
  .object({
    title: text(300).min(1, 'must not be empty'),
    description: text(20000).optional(),
    severity: z.enum(INCIDENT_SEVERITIES),
    ownerTenant: z.string().min(1).max(64).optional(),
    affected: z.array(affected).max(60).optional(),
    alertIds: z.array(z.string().min(1).max(128)).max(100).optional(),
    awareAt: iso,
    facts: facts.optional(),
  })
  .strict();
const updateBody = z
  .object({
    title: text(300).min(1, 'must not be empty'),
    description: text(20000),
    severity: z.enum(INCIDENT_SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    affected: z.array(affected).max(60),
    facts,
    awareAt: iso,
    awareAtReason: text(1000),
  })
  .partial()
  .strict();
const alertsBody = z.object({ alertIds: z.array(z.string().min(1).max(128)).min(1).max(100) }).strict();
const noteBody = z.object({ text: text(8000).min(1, 'must not be empty') }).strict();
const taskBody = z.object({ title: text(300).min(1, 'must not be empty'), assignee: text(256).min(1).nullable().optional(), dueAt: iso.nullable().optional() }).strict();
const taskPatch = z.object({ title: text(300).min(1), assignee: text(256).min(1).nullable(), dueAt: iso.nullable(), done: z.boolean() }).partial().strict();
const classifyBody = z
  .object({
    answers: z
      .object({
        serviceDisruptionHours: z.number().min(0).max(100_000),
        usersAffected: z.number().int().min(0).max(100_000_000),
        financialLossEur: z.number().min(0).max(1e12),
        maliciousAccess: z.boolean(),
        recurrenceCount: z.number().int().min(0).max(10_000),
        crossBorder: z.boolean(),
        crossBorderReasoning: text(4000).optional(),
        personalDataBreach: z.boolean(),
        personalDataReasoning: text(4000),
      })
      .strict(),
    significant: z.boolean().optional(),
    overrideReason: text(4000).optional(),
  })
  .strict();
const draftBody = z.object({ kind: z.enum(NOTICE_KINDS), lang: z.enum(['lv', 'en']).default('lv'), audience: z.string().min(1).max(64).nullable().optional() }).strict();
const fanOutBody = z.object({ lang: z.enum(['lv', 'en']).default('lv') }).strict();
const content = z
  .object({
    subject: text(900).min(1, 'must not be empty').refine((s) => !/[\r\n]/.test(s), 'must be one line'),
    sections: z.array(z.object({ key: z.string().min(1).max(64), heading: text(300).min(1), text: text(20000) }).strict()).min(1).max(40),
  })
  .strict();
const CHANNELS = ['email', 'webhook', 'cert-portal', 'dvi-eform', 'letter', 'phone', 'other'] as const;
const editBody = z
  .object({ content, recipients: z.array(z.string().trim().min(3).max(320)).max(50), lang: z.enum(['lv', 'en']), channel: z.enum(CHANNELS) })
  .partial()
  .strict();
const reviewBody = z.object({ decision: z.enum(['approve', 'reject']), note: text(4000).optional() }).strict();
const elsewhereBody = z
  .object({ sentAt: iso, channel: z.enum(CHANNELS), to: z.array(z.string().trim().min(1).max(320)).min(1).max(50), reference: text(500).optional() })
  .strict();
const listQuery = z
  .object({ status: z.enum(INCIDENT_STATUSES).optional(), tenant: z.string().min(1).max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) })
  .strict();
const exportQuery = z.object({ format: z.enum(['json', 'pdf']).default('json') }).strict();
const idRe = /^[0-9a-f-]{36}$/;

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown, where: 'query' | 'body'): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw fromZod(r.error, where);
  return r.data;
}

function param(req: Request, name: 'id' | 'noticeId' | 'taskId'): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !idRe.test(v)) throw new AppError(404, 'not_found', `${name}: no such ${name === 'id' ? 'incident' : name.replace('Id', '')}`, { field: name });
  return v;
}

const idParams = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const noticeParams = [...idParams, { name: 'noticeId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const taskParams = [...idParams, { name: 'taskId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const jsonBody = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
const affectedSchema = obj({ tenant: { type: 'string' }, applications: { type: 'array', items: { type: 'string' } }, dataCategories: { type: 'array', items: { type: 'string' } }, personsAffected: { type: 'integer' }, records: { type: 'integer' } }, ['tenant']);
const factsSchema = obj(Object.fromEntries(['impact', 'indicators', 'rootCause', 'mitigation', 'nature', 'consequences', 'measures'].map((k) => [k, { type: 'string' }])));
const problems = { '400': { description: 'Bad input (problem+json naming the field)' }, '404': { description: 'No such incident in the caller\'s tenants' } };

/**
 * Incident cases, legal clocks and notices (issue 6) under /api/v1/incidents/**. Tenant scoping: a case is
 * visible to the holders of incidents:read in its owner tenant or in one of its affected tenants; a holder in an
 * affected tenant only sees its own part (its own notices, clocks and share of the impact: incident-view.ts).
 * Changes need incidents:manage in the owner tenant; notices need notices:send where the duty lies (the owner for
 * NIS2 and processor → controller notices, the municipality for its notice to DVI); sending is done by a person
 * with a fresh second factor (step-up). Every change is audited and in the case's timeline (incident.service.ts).
 */
export function incidentRoutes(ctx: Ctx, deps: { service: IncidentService; alerts?: Pick<AlertStore, 'get'> }) {
  const { service } = deps;
  const scope = (p: Principal, perm: Permission): Promise<Scope> => ctx.authz.scope(p, perm);
  const holds = (s: Scope, tenant: string) => s === '*' || s.includes(tenant);

  /** The incident when the caller may read it (404 otherwise: a foreign case does not exist for the caller). */
  async function readable(req: Request, p: Principal) {
    const id = param(req, 'id');
    const read = await scope(p, 'incidents:read');
    const incident = await service.get(id).catch(() => undefined);
    if (!incident || !(holds(read, incident.ownerTenant) || incident.affected.some((a) => holds(read, a.tenant))))
      throw new AppError(404, 'not_found', `incident ${id} not found`, { field: 'id' });
    return { incident, read };
  }

  async function manageable(req: Request, p: Principal) {
    const { incident, read } = await readable(req, p);
    if (!holds(await scope(p, 'incidents:manage'), incident.ownerTenant))
      throw new AppError(403, 'forbidden', `not permitted: incidents:manage in ${incident.ownerTenant}`, { field: 'id' });
    return { incident, read };
  }

  /** The tenant whose notices:send a notice needs: the municipality for its notice to DVI, else the owner. */
  const dutyTenant = (incidentOwner: string, n: Pick<Notice, 'kind' | 'audience'>) => (n.kind === 'gdpr-controller-to-dvi' ? n.audience ?? incidentOwner : incidentOwner);

  async function noticeAccess(req: Request, p: Principal, kind?: Notice['kind'], audience?: string | null, person = false) {
    // Notices are reviewed and sent by a person (NIS2 and GDPR notices carry someone's responsibility), not a token.
    if (person && p.kind !== 'user') throw new AppError(403, 'person_required', 'a notice is reviewed and sent by a signed-in person, not an API token');
    const { incident, read } = await readable(req, p);
    const n = kind ? undefined : await service.notice(incident.id, param(req, 'noticeId'));
    const target = n ?? { kind: kind!, audience: audience ?? null };
    const tenant = dutyTenant(incident.ownerTenant, target);
    if (n && !(holds(read, incident.ownerTenant) || (n.audience && holds(read, n.audience)))) throw new AppError(404, 'not_found', `notice ${n.id} not found`, { field: 'noticeId' });
    if (!holds(await scope(p, 'notices:send'), tenant)) throw new AppError(403, 'forbidden', `not permitted: notices:send in ${tenant}`, { field: n ? 'noticeId' : 'kind' });
    return { incident, notice: n, read };
  }

  async function detailFor(id: string, read: Scope) {
    return scopedDetail(await service.detail(id), read);
  }

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/incidents',
      permission: 'incidents:read',
      summary: 'Incident register: the cases of the caller\'s tenants with their clocks (due in Riga time, time left, escalation step)',
      tags: ['incidents'],
      openapi: {
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: [...INCIDENT_STATUSES] } },
          { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Only cases concerning this tenant (within the caller\'s)' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
        ],
        responses: { '200': { description: '{ incidents: [{ id, title, severity, status, clocks, nextClock … }] }' }, '400': problems['400'] },
      },
      async handler(req, res, principal) {
        const q = parse(listQuery, req.query, 'query');
        const read = await scope(principal!, 'incidents:read');
        if (q.tenant && !ctx.tenants.has(q.tenant)) throw new AppError(400, 'invalid_query', `tenant: unknown tenant ${q.tenant}`, { field: 'tenant' });
        if (q.tenant && !holds(read, q.tenant)) throw new AppError(403, 'tenant_out_of_scope', `tenant: not permitted to read incidents of ${q.tenant}`, { field: 'tenant' });
        const tenants = q.tenant ? [q.tenant] : read;
        const items = await service.list({ tenants, status: q.status, limit: q.limit });
        res.json({ incidents: items.map((x) => scopedListItem(x, read)) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents',
      permission: 'incidents:manage',
      summary: 'Open an incident case, from alerts (alertIds) or by hand; "became aware at" starts the clocks',
      tags: ['incidents'],
      openapi: {
        requestBody: jsonBody(obj({ title: { type: 'string' }, description: { type: 'string' }, severity: { type: 'string', enum: [...INCIDENT_SEVERITIES] }, ownerTenant: { type: 'string' }, affected: { type: 'array', items: affectedSchema }, alertIds: { type: 'array', items: { type: 'string' } }, awareAt: { type: 'string', format: 'date-time' }, facts: factsSchema }, ['title', 'severity', 'awareAt'])),
        responses: { '201': { description: 'The case' }, ...problems },
      },
      async handler(req, res, principal) {
        const b = parse(createBody, req.body, 'body');
        const owner = b.ownerTenant ?? principal!.tenant;
        if (!ctx.tenants.has(owner)) throw new AppError(400, 'invalid_body', `ownerTenant: unknown tenant ${owner}`, { field: 'ownerTenant' });
        if (!holds(await scope(principal!, 'incidents:manage'), owner)) throw new AppError(403, 'forbidden', `not permitted: incidents:manage in ${owner}`, { field: 'ownerTenant' });
        checkAffected(b.affected ?? []);
        if (b.alertIds?.length) {
          // Alerts the caller cannot read are "not found" to it.
          const alertScope = await scope(principal!, 'alerts:read');
          for (const id of b.alertIds) if (alertScope !== '*' && !(await alertTenantIn(id, alertScope))) throw new AppError(400, 'invalid_body', `alertIds: alert ${id} not found`, { field: 'alertIds' });
        }
        const incident = await service.create({ ...b, ownerTenant: owner, affected: b.affected as never }, principal!.name);
        res.status(201).json(await detailFor(incident.id, await scope(principal!, 'incidents:read')));
      },
    },
    {
      method: 'get',
      path: '/api/v1/incidents/:id',
      permission: 'incidents:read',
      summary: 'One case: details, classification, clocks (Riga time), tasks, notices with their sendings, timeline',
      tags: ['incidents'],
      openapi: { parameters: idParams, responses: { '200': { description: 'The case as the caller may see it' }, '404': problems['404'] } },
      async handler(req, res, principal) {
        const { incident, read } = await readable(req, principal!);
        res.json(await detailFor(incident.id, read));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id',
      permission: 'incidents:manage',
      summary: 'Change a case: title, description, severity, status, affected tenants, facts, "became aware at" (with a reason; clocks move)',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ title: { type: 'string' }, description: { type: 'string' }, severity: { type: 'string', enum: [...INCIDENT_SEVERITIES] }, status: { type: 'string', enum: [...INCIDENT_STATUSES] }, affected: { type: 'array', items: affectedSchema }, facts: factsSchema, awareAt: { type: 'string', format: 'date-time' }, awareAtReason: { type: 'string' } })), responses: { '200': { description: 'The case' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, read } = await manageable(req, principal!);
        const b = parse(updateBody, req.body, 'body');
        if (b.affected) checkAffected(b.affected);
        await service.update(incident.id, b as never, principal!.name);
        res.json(await detailFor(incident.id, read));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/alerts',
      permission: 'incidents:manage',
      summary: 'Link further alerts to a case (each alert gets a comment linking back)',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ alertIds: { type: 'array', items: { type: 'string' } } }, ['alertIds'])), responses: { '200': { description: 'The case' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, read } = await manageable(req, principal!);
        const b = parse(alertsBody, req.body, 'body');
        const alertScope = await scope(principal!, 'alerts:read');
        for (const id of b.alertIds) if (alertScope !== '*' && !(await alertTenantIn(id, alertScope))) throw new AppError(400, 'invalid_body', `alertIds: alert ${id} not found`, { field: 'alertIds' });
        await service.linkAlerts(incident.id, b.alertIds, principal!.name);
        res.json(await detailFor(incident.id, read));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notes',
      permission: 'incidents:manage',
      summary: 'Add a note to the case\'s timeline',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ text: { type: 'string' } }, ['text'])), responses: { '200': { description: 'The case' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, read } = await manageable(req, principal!);
        await service.addNote(incident.id, parse(noteBody, req.body, 'body').text, principal!.name);
        res.json(await detailFor(incident.id, read));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/tasks',
      permission: 'incidents:manage',
      summary: 'Add a task (title, assignee, due)',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ title: { type: 'string' }, assignee: { type: ['string', 'null'] }, dueAt: { type: ['string', 'null'], format: 'date-time' } }, ['title'])), responses: { '201': { description: 'The task' }, ...problems } },
      async handler(req, res, principal) {
        const { incident } = await manageable(req, principal!);
        res.status(201).json(await service.addTask(incident.id, parse(taskBody, req.body, 'body'), principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/tasks/:taskId',
      permission: 'incidents:manage',
      summary: 'Change a task: title, assignee, due, done',
      tags: ['incidents'],
      openapi: { parameters: taskParams, requestBody: jsonBody(obj({ title: { type: 'string' }, assignee: { type: ['string', 'null'] }, dueAt: { type: ['string', 'null'] }, done: { type: 'boolean' } })), responses: { '200': { description: 'The task' }, ...problems } },
      async handler(req, res, principal) {
        const { incident } = await manageable(req, principal!);
        res.json(await service.updateTask(incident.id, param(req, 'taskId'), parse(taskPatch, req.body, 'body'), principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/classification',
      permission: 'incidents:manage',
      summary: 'Record the classification aids\' answers (significant incident, personal data breach, cross-border); the clocks follow',
      tags: ['incidents'],
      openapi: {
        parameters: idParams,
        requestBody: jsonBody(obj({
          answers: obj({ serviceDisruptionHours: { type: 'number' }, usersAffected: { type: 'integer' }, financialLossEur: { type: 'number' }, maliciousAccess: { type: 'boolean' }, recurrenceCount: { type: 'integer' }, crossBorder: { type: 'boolean' }, crossBorderReasoning: { type: 'string' }, personalDataBreach: { type: 'boolean' }, personalDataReasoning: { type: 'string' } },
            ['serviceDisruptionHours', 'usersAffected', 'financialLossEur', 'maliciousAccess', 'recurrenceCount', 'crossBorder', 'personalDataBreach', 'personalDataReasoning']),
          significant: { type: 'boolean', description: 'The decision; omitted = the aid\'s suggestion' },
          overrideReason: { type: 'string', description: 'Required when the decision differs from the suggestion' },
        }, ['answers'])),
        responses: { '200': { description: 'The case' }, ...problems },
      },
      async handler(req, res, principal) {
        const { incident, read } = await manageable(req, principal!);
        const b = parse(classifyBody, req.body, 'body');
        await service.classify(incident.id, b as never, principal!.name);
        res.json(await detailFor(incident.id, read));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices',
      permission: 'notices:send',
      summary: 'Draft a notice pre-filled from the case (NIS2 early warning, notification, intermediate, final report; GDPR Art. 33)',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ kind: { type: 'string', enum: [...NOTICE_KINDS] }, lang: { type: 'string', enum: ['lv', 'en'] }, audience: { type: ['string', 'null'], description: 'The municipality a GDPR notice concerns' } }, ['kind'])), responses: { '201': { description: 'The draft' }, '409': { description: 'The kind does not apply to the case\'s classification' }, ...problems } },
      async handler(req, res, principal) {
        const b = parse(draftBody, req.body, 'body');
        const { incident } = await noticeAccess(req, principal!, b.kind, b.audience ?? null);
        res.status(201).json(await service.draft(incident.id, b.kind, b.lang, b.audience ?? null, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices/fan-out',
      permission: 'incidents:manage',
      summary: 'Fan-out: one processor → controller draft per affected municipality, each with its own applications, data categories and counts',
      tags: ['incidents'],
      openapi: { parameters: idParams, requestBody: jsonBody(obj({ lang: { type: 'string', enum: ['lv', 'en'] } })), responses: { '201': { description: '{ notices }' }, '409': { description: 'Not a processor incident, or not a personal data breach' }, ...problems } },
      async handler(req, res, principal) {
        const { incident } = await manageable(req, principal!);
        if (!holds(await scope(principal!, 'notices:send'), incident.ownerTenant)) throw new AppError(403, 'forbidden', `not permitted: notices:send in ${incident.ownerTenant}`, { field: 'id' });
        res.status(201).json({ notices: await service.fanOut(incident.id, parse(fanOutBody, req.body, 'body').lang, principal!.name) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices/:noticeId',
      permission: 'notices:send',
      summary: 'Edit a notice that was not sent (content, recipients, language, channel); an approved notice goes back to draft',
      tags: ['incidents'],
      openapi: { parameters: noticeParams, requestBody: jsonBody(obj({ content: obj({ subject: { type: 'string' }, sections: { type: 'array', items: obj({ key: { type: 'string' }, heading: { type: 'string' }, text: { type: 'string' } }) } }), recipients: { type: 'array', items: { type: 'string' } }, lang: { type: 'string', enum: ['lv', 'en'] }, channel: { type: 'string', enum: [...CHANNELS] } })), responses: { '200': { description: 'The notice' }, '409': { description: 'Already sent' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, notice } = await noticeAccess(req, principal!);
        res.json(await service.editNotice(incident.id, notice!.id, parse(editBody, req.body, 'body'), principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices/:noticeId/review',
      permission: 'notices:send',
      summary: 'Review a notice: approve it for sending, or send it back to draft with a note (by a person)',
      tags: ['incidents'],
      openapi: { parameters: noticeParams, requestBody: jsonBody(obj({ decision: { type: 'string', enum: ['approve', 'reject'] }, note: { type: 'string' } }, ['decision'])), responses: { '200': { description: 'The notice' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, notice } = await noticeAccess(req, principal!, undefined, undefined, true);
        const b = parse(reviewBody, req.body, 'body');
        res.json(await service.reviewNotice(incident.id, notice!.id, b.decision, b.note, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices/:noticeId/send',
      permission: 'notices:send',
      stepUp: true,
      summary: 'Send an approved notice through the outbox (step-up); the clock stops when it is delivered',
      tags: ['incidents'],
      openapi: { parameters: noticeParams, responses: { '202': { description: 'The sending record (state follows delivery)' }, '409': { description: 'Not approved, or already sent' }, '503': { description: 'Delivery not configured' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, notice } = await noticeAccess(req, principal!, undefined, undefined, true);
        res.status(202).json(await service.sendNotice(incident.id, notice!.id, principal!.name));
      },
    },
    {
      method: 'post',
      path: '/api/v1/incidents/:id/notices/:noticeId/sent-elsewhere',
      permission: 'notices:send',
      stepUp: true,
      summary: 'Record a notice sent by other means (CERT.LV portal, DVI e-form, letter): who, when, to whom, channel, content hash (step-up)',
      tags: ['incidents'],
      openapi: { parameters: noticeParams, requestBody: jsonBody(obj({ sentAt: { type: 'string', format: 'date-time' }, channel: { type: 'string', enum: [...CHANNELS] }, to: { type: 'array', items: { type: 'string' } }, reference: { type: 'string' } }, ['sentAt', 'channel', 'to'])), responses: { '201': { description: 'The sending record' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, notice } = await noticeAccess(req, principal!, undefined, undefined, true);
        res.status(201).json(await service.recordSentElsewhere(incident.id, notice!.id, parse(elsewhereBody, req.body, 'body'), principal!.name));
      },
    },
    {
      method: 'get',
      path: '/api/v1/incidents/:id/notices/:noticeId/export',
      permission: 'incidents:read',
      summary: 'A notice as JSON or PDF (DejaVu fonts, Riga times) with its content hash and sendings',
      tags: ['incidents'],
      openapi: { parameters: [...noticeParams, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'pdf'], default: 'json' } }], responses: { '200': { description: 'application/json or application/pdf' }, ...problems } },
      async handler(req, res, principal) {
        const { incident, read } = await readable(req, principal!);
        const q = parse(exportQuery, req.query, 'query');
        const detail = await detailFor(incident.id, read);
        const notice = detail.notices.find((n) => n.id === req.params.noticeId);
        if (!notice) throw new AppError(404, 'not_found', `notice ${String(req.params.noticeId)} not found`, { field: 'noticeId' });
        const sendings = detail.sendings.filter((s) => s.noticeId === notice.id);
        const base = `incident-${incident.id.slice(0, 8)}-${notice.kind}${notice.audience ? `-${notice.audience}` : ''}`;
        if (q.format === 'pdf') {
          res.type('application/pdf').attachment(`${base}.pdf`).send(await noticePdf(notice, sendings));
          return;
        }
        res.type('application/json').attachment(`${base}.json`).send(JSON.stringify({ notice, sendings }, null, 2));
      },
    },
  ]);

  function checkAffected(list: Array<{ tenant: string }>): void {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (!ctx.tenants.has(a.tenant)) throw new AppError(400, 'invalid_body', `affected.${i}.tenant: unknown tenant ${a.tenant}`, { field: `affected.${i}.tenant` });
      if (seen.has(a.tenant)) throw new AppError(400, 'invalid_body', `affected.${i}.tenant: ${a.tenant} is listed twice`, { field: `affected.${i}.tenant` });
      seen.add(a.tenant);
    });
  }

  async function alertTenantIn(id: string, s: string[]): Promise<boolean> {
    return Boolean(await deps.alerts?.get(id, s));
  }
}
