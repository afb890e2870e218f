/**
 * The incident policies as data, validated once at start (an error names the file and the entry):
 * - policies/incident-classification.yaml: thresholds of the significant-incident aid;
 * - policies/incident-clocks.yaml: the processor → controller target, escalation steps, recipients;
 * - policies/on-call.yaml: on-call person and deputy per tenant ('*' for the rest);
 * - policies/notice-templates.yaml: notice templates per kind, LV and EN.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NOTICE_KINDS, type NoticeKind } from './incident.types';

const person = z.object({ name: z.string().min(1), email: z.string().email() }).strict();

const classificationSchema = z
  .object({
    significant: z
      .object({
        serviceDisruptionHours: z.number().positive(),
        usersAffected: z.number().int().positive(),
        financialLossEur: z.number().positive(),
        maliciousAccess: z.boolean(),
        recurrenceCount: z.number().int().min(2),
        recurrenceDays: z.number().int().positive(),
      })
      .strict(),
  })
  .strict();

const stepSchema = z
  .object({ name: z.string().min(1).max(32), at: z.number().gt(0).max(1), notify: z.array(z.enum(['on-call', 'deputy'])).min(1) })
  .strict();

const clocksSchema = z
  .object({
    clocks: z.object({ processorToControllerHours: z.number().positive().max(72) }).strict(),
    escalation: z
      .object({ steps: z.array(stepSchema).min(1), intervalSeconds: z.number().int().min(5).max(3600) })
      .strict()
      .refine((e) => e.steps.every((s, i) => i === 0 || s.at > e.steps[i - 1].at), { message: 'steps must be in rising order of `at`' })
      .refine((e) => new Set(e.steps.map((s) => s.name)).size === e.steps.length, { message: 'step names must be unique' }),
    recipients: z.object({
      'cert-lv': z.object({ channel: z.enum(['email', 'webhook']), to: z.array(z.string().min(3)).min(1) }).strict(),
      dvi: z.object({ channel: z.enum(['email', 'webhook']), to: z.array(z.string().min(3)).min(1) }).strict(),
    }).strict(),
    processorTenant: z.string().min(1),
    dpoContact: z.string().min(1),
  })
  .strict();

const onCallSchema = z
  .object({
    tenants: z
      .record(z.string(), z.object({ onCall: person, deputy: person, notices: z.array(z.string().email()).optional() }).strict())
      .refine((t) => '*' in t, { message: "a '*' entry is required (tenants without their own)" }),
  })
  .strict();

const section = z.object({ key: z.string().min(1), heading: z.string().min(1), text: z.string() }).strict();
const template = z.object({ subject: z.string().min(1), sections: z.array(section).min(1) }).strict();
const templatesSchema = z
  .object({ kinds: z.object(Object.fromEntries(NOTICE_KINDS.map((k) => [k, z.object({ lv: template, en: template }).strict()])) as unknown as Record<NoticeKind, z.ZodTypeAny>).strict() })
  .strict();

export type NoticeTemplate = z.infer<typeof template>;
export type EscalationStep = z.infer<typeof stepSchema>;
export interface OnCallEntry {
  onCall: { name: string; email: string };
  deputy: { name: string; email: string };
  notices?: string[];
}

export interface IncidentPolicy {
  classification: z.infer<typeof classificationSchema>['significant'];
  processorToControllerHours: number;
  escalation: { steps: EscalationStep[]; intervalSeconds: number };
  recipients: z.infer<typeof clocksSchema>['recipients'];
  processorTenant: string;
  dpoContact: string;
  /** The on-call person and deputy of a tenant (its own entry, else '*'). */
  onCallFor(tenant: string): OnCallEntry;
  template(kind: NoticeKind, lang: 'lv' | 'en'): NoticeTemplate;
}

/** `<repo>/policies`, from source and from dist/ alike. */
export function policiesDir(): string {
  const c = [path.resolve(__dirname, '..', '..', 'policies'), path.resolve(__dirname, '..', '..', '..', 'policies')];
  return c.find((d) => fs.existsSync(path.join(d, 'incident-clocks.yaml'))) ?? c[0];
}

function load<T extends z.ZodTypeAny>(file: string, schema: T): z.infer<T> {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`incident policy file ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const r = schema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`incident policy file ${file} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return r.data;
}

/**
 * Loads and validates the four incident policy files from `dir` (default `<repo>/policies`).
 * @throws Error naming the file and the entry at fault.
 */
export function loadIncidentPolicy(dir: string = policiesDir()): IncidentPolicy {
  const cls = load(path.join(dir, 'incident-classification.yaml'), classificationSchema);
  const clocks = load(path.join(dir, 'incident-clocks.yaml'), clocksSchema);
  const onCall = load(path.join(dir, 'on-call.yaml'), onCallSchema);
  const templates = load(path.join(dir, 'notice-templates.yaml'), templatesSchema) as { kinds: Record<NoticeKind, { lv: NoticeTemplate; en: NoticeTemplate }> };
  return {
    classification: cls.significant,
    processorToControllerHours: clocks.clocks.processorToControllerHours,
    escalation: clocks.escalation,
    recipients: clocks.recipients,
    processorTenant: clocks.processorTenant,
    dpoContact: clocks.dpoContact,
    onCallFor: (tenant) => onCall.tenants[tenant] ?? onCall.tenants['*'],
    template: (kind, lang) => templates.kinds[kind][lang],
  };
}
