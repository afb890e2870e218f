import type { Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors';
import { loadTenants, type Tenant } from '../../core/tenants';
import type { AppContext } from '../app-context';
import type { Principal } from '../authz/principal';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';
import { answerLetter, controllerDetails, exportReport } from './export';
import type { PersonAccessReport } from './person-access.types';
import { buildPersonAccessReport } from './person-access';
import { auditReportProduced } from './report-audit';
import { chooseController, mayRead, reportControllers } from './report-authz';
import { createReportStore, type StoredExport } from './report.store';

const FORMATS = ['json', 'csv', 'pdf'] as const;
/** A report's files: its exports, and the answer letter to an access request built from it (GDPR Art. 15(1)). */
type Format = (typeof FORMATS)[number] | 'letter.pdf';
const LANGS = ['lv', 'en'] as const;
type Lang = (typeof LANGS)[number];

const body = z
  .object({
    // Checked by buildPersonAccessReport, which names the field (`person`, `from`, `to`) and the reason.
    personCode: z.unknown(),
    from: z.unknown(),
    to: z.unknown(),
    reference: z.string().trim().min(1).max(200).optional(),
    caseId: z.string().trim().min(1).max(100).optional(),
    controller: z.string().min(1).max(64).optional(),
    format: z.enum(FORMATS).optional(),
    lang: z.enum(LANGS).optional(),
  })
  .strict();

/**
 * `{id}`, `{id}.{json|csv|pdf}`, `{id}.letter.pdf` (the answer letter) and `{file}.p7s` (the detached CMS signature
 * of that file).
 */
const FILE_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.(json|csv|pdf|letter\.pdf)(\.p7s)?)?$/;

const downloadsOf = (id: string) => {
  const out: Array<{ format: Format; lang: Lang; href: string; signature: string }> = [];
  for (const format of [...FORMATS, 'letter.pdf'] as const)
    for (const lang of LANGS) {
      const href = `/api/v1/reports/${id}.${format}?lang=${lang}`;
      out.push({ format, lang, href, signature: `/api/v1/reports/${id}.${format}.p7s?lang=${lang}` });
    }
  return out;
};

/**
 * The person access report routes (issue 5): produce (POST, dpo, step-up, audited as an access to the person),
 * list the reports of one's controllers, and download a report's signed exports with their detached signatures.
 * Authorisation: api/reports/report-authz.ts.
 */
export function personAccessRoutes(ctx: AppContext) {
  const store = createReportStore(ctx.identity.sql);
  let tenantsById: ReadonlyMap<string, Tenant> | undefined;
  const tenants = () => (tenantsById ??= loadTenants().byId);

  /** Renders, signs and keeps an export once; later downloads get the same bytes and signature. */
  const exportOf = async (report: PersonAccessReport, format: Format, lang: Lang): Promise<StoredExport> => {
    const kept = await store.getExport(report.id, format, lang);
    if (kept) return kept;
    const signer = (ctx as Partial<AppContext>).pki?.signer;
    if (!signer) throw new AppError(503, 'signing_unavailable', 'the platform signing certificate is not configured: exports cannot be signed');
    const out = format === 'letter.pdf' ? await answerLetter(report, lang, controllerDetails(report.controller), signer) : await exportReport(report, format, lang, signer);
    return store.putExport(report.id, format, lang, {
      fileName: out.fileName,
      contentType: out.contentType,
      bytes: out.bytes,
      sha256: out.sha256,
      signature: out.signature.bytes,
    });
  };

  const sendFile = (res: Response, e: StoredExport, signature: boolean, links: { self: string; sig: string }) => {
    if (signature) {
      res.type('application/pkcs7-signature').attachment(`${e.fileName}.p7s`).send(e.signature);
      return;
    }
    res.setHeader('Link', `<${links.sig}>; rel="signature"`);
    res.type(e.contentType).attachment(e.fileName).send(e.bytes);
  };

  const readable = async (principal: Principal, id: string): Promise<PersonAccessReport> => {
    const controllers = await reportControllers(ctx.authz, principal);
    const report = await store.get(id);
    // Another controller's report does not exist for the caller.
    if (!report || !mayRead(controllers, report.controller)) throw new AppError(404, 'not_found', `no report ${id}`);
    return report;
  };

  const langOf = (q: unknown): Lang => {
    const r = z.object({ lang: z.enum(LANGS).default('lv') }).safeParse(q);
    if (!r.success) throw fromZod(r.error);
    return r.data.lang;
  };

  return defineRoutes([
    {
      method: 'post',
      path: '/api/v1/reports/person-access',
      permission: 'reports:person-access',
      stepUp: true,
      summary: "Produce a person access report: who accessed this person's data (GDPR Art. 15)",
      tags: ['reports'],
      openapi: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['personCode', 'from', 'to'],
                additionalProperties: false,
                properties: {
                  personCode: { type: 'string', description: 'DDMMYY-CNNNN or 32NNNN-NNNNN (hyphen optional); never stored, only its pseudonym', example: '161175-19997' },
                  from: { type: 'string', description: 'Inclusive: a date (00:00 in Riga) or an ISO 8601 time', example: '2026-01-01' },
                  to: { type: 'string', description: 'Exclusive: a date (00:00 in Riga) or an ISO 8601 time', example: '2026-12-01' },
                  reference: { type: 'string', maxLength: 200, description: 'Request reference (case number); recorded as the purpose of the access' },
                  caseId: { type: 'string', maxLength: 100, description: 'Subject-request case this report answers' },
                  controller: { type: 'string', description: "Whose view: one of the caller's dpo tenants, or * for the ZZ Dats DPO (default: the only one)" },
                  format: { type: 'string', enum: [...FORMATS], default: 'json', description: 'json: the report and its download links; pdf/csv: the signed file itself' },
                  lang: { type: 'string', enum: [...LANGS], default: 'lv' },
                },
              },
            },
          },
        },
        responses: {
          '201': { description: '{ report: PersonAccessReport, downloads } (format json), or the export file with Link rel="signature" to its .p7s' },
          '400': { description: 'Bad person code (field person, with the reason), period or body (problem+json)' },
          '401': { description: 'Not signed in, or step-up required (code step_up_required)' },
          '403': { description: 'Not a data protection officer (dpo_required), or a controller not one\'s own' },
        },
      },
      async handler(req, res, principal) {
        const p = principal!;
        const controllers = await reportControllers(ctx.authz, p);
        const parsed = body.safeParse(req.body ?? {});
        if (!parsed.success) throw fromZod(parsed.error, 'body');
        const input = parsed.data as typeof parsed.data & { personCode: string; from: string; to: string };
        const controller = chooseController(controllers, input.controller, ctx.tenants);
        const report = await buildPersonAccessReport(
          { events: ctx.events, pseudonymiser: ctx.pseudonymiser, tenantsById: tenants() },
          input,
          p,
          controller,
        );
        await store.save(report);
        try {
          await auditReportProduced({ audit: ctx.audit, intake: ctx.intake }, report, { id: p.id, name: p.name, tenant: p.tenant });
        } catch (err) {
          // A report without its audit trail must not stand.
          await store.remove(report.id).catch(() => undefined);
          throw new AppError(503, 'audit_unavailable', 'the report could not be audited, so it was not produced; try again', {}, { cause: err });
        }
        const format = input.format ?? 'json';
        const lang = input.lang ?? 'lv';
        res.setHeader('Location', `/api/v1/reports/${report.id}`);
        if (format === 'json') {
          res.status(201).json({ report, downloads: downloadsOf(report.id) });
          return;
        }
        const e = await exportOf(report, format, lang);
        await ctx.audit.record(p.name, 'report.person_access.downloaded', report.id, { format, lang, sha256: e.sha256 });
        res.status(201);
        sendFile(res, e, false, { self: `/api/v1/reports/${report.id}.${format}?lang=${lang}`, sig: `/api/v1/reports/${report.id}.${format}.p7s?lang=${lang}` });
      },
    },
    {
      method: 'get',
      path: '/api/v1/reports',
      permission: 'reports:person-access',
      summary: "Person access reports of the caller's controllers, newest first (no person codes)",
      tags: ['reports'],
      openapi: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }],
        responses: { '200': { description: '{ items: [{ id, controller, period, generatedAt, generatedBy, reference?, caseId?, total, contentSha256 }] }' } },
      },
      async handler(req, res, principal) {
        const r = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict().safeParse(req.query);
        if (!r.success) throw fromZod(r.error);
        const controllers = await reportControllers(ctx.authz, principal!);
        res.json({ items: await store.list(controllers, r.data.limit) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/reports/:file',
      permission: 'reports:person-access',
      stepUp: true,
      summary: 'A person access report ({id}: JSON), its signed export ({id}.pdf|csv|json), the answer letter to the access request ({id}.letter.pdf), or a file\'s detached CMS signature ({id}.pdf.p7s …)',
      tags: ['reports'],
      openapi: {
        parameters: [
          { name: 'file', in: 'path', required: true, schema: { type: 'string', pattern: FILE_RE.source }, description: '{id}, {id}.{pdf|csv|json|letter.pdf} or that file + .p7s' },
          { name: 'lang', in: 'query', schema: { type: 'string', enum: [...LANGS], default: 'lv' }, description: 'Language of the export (PDF in Latvian or English)' },
        ],
        responses: {
          '200': { description: 'The report (application/json), the export file (Link rel="signature" to its .p7s), or the signature (application/pkcs7-signature)' },
          '404': { description: 'No such report for the caller' },
          '503': { description: 'Signing not configured' },
        },
      },
      async handler(req, res, principal) {
        // Who first (a token is refused whatever it asks for), then what.
        await reportControllers(ctx.authz, principal!);
        const m = FILE_RE.exec(String(req.params.file));
        if (!m) throw new AppError(404, 'not_found', 'expected {id}, {id}.{pdf|csv|json|letter.pdf} or that file + .p7s');
        const [, id, format, sig] = m;
        const lang = langOf(req.query);
        const report = await readable(principal!, id);
        if (!format) {
          res.json({ report, downloads: downloadsOf(report.id) });
          return;
        }
        const e = await exportOf(report, format as Format, lang);
        await ctx.audit.record(principal!.name, sig ? 'report.person_access.signature_downloaded' : 'report.person_access.downloaded', report.id, { format, lang, sha256: e.sha256 });
        sendFile(res, e, Boolean(sig), { self: `/api/v1/reports/${id}.${format}?lang=${lang}`, sig: `/api/v1/reports/${id}.${format}.p7s?lang=${lang}` });
      },
    },
  ]);
}
