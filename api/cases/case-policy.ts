import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** policies/cases.yaml: reminders before deadlines, due-soon window, scan interval, attachment rules. */
export interface CasePolicy {
  reminders: Record<'answer' | 'processor-support', { daysBefore: number[]; overdue: boolean }> & { at: { hour: number; minute: number } };
  dueSoonDays: number;
  scanEveryMinutes: number;
  attachments: { maxBytes: number; contentTypes: string[] };
  /** Reminder e-mail recipients per tenant id, '*' for every tenant. */
  recipients: Record<string, string[]>;
}

/** The reminder recipients of a tenant: its own and those of '*'. */
export function reminderRecipients(policy: CasePolicy, tenant: string): string[] {
  return [...new Set([...(policy.recipients[tenant] ?? []), ...(policy.recipients['*'] ?? [])])];
}

const deadlineRule = z.object({
  daysBefore: z.array(z.number().int().min(1, 'at least 1 day').max(60, 'at most 60 days')).max(10).default([]),
  overdue: z.boolean().default(true),
}).strict();
const schema = z.object({
  reminders: z.object({
    answer: deadlineRule,
    'processor-support': deadlineRule,
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('09:00'),
  }).strict(),
  dueSoonDays: z.number().int().min(0).max(60).default(7),
  recipients: z.record(z.string().regex(/^(\*|[a-z][a-z0-9-]{0,62})$/, 'must be a tenant id or *'), z.array(z.string().email('must be an e-mail address')).max(20)).default({}),
  scanEveryMinutes: z.number().int().min(1).max(1440).default(15),
  attachments: z.object({
    maxBytes: z.number().int().min(1024, 'at least 1024').max(100 * 1024 * 1024, 'at most 100 MiB'),
    contentTypes: z.array(z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'must be a media type, e.g. application/pdf')).min(1),
  }).strict(),
}).strict();

/** Validates a parsed cases policy. @throws Error naming the field at fault. */
export function parseCasePolicy(doc: unknown, where = 'cases policy'): CasePolicy {
  const r = schema.safeParse(doc);
  if (!r.success) throw new Error(`${where} is invalid:\n  ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n  ')}`);
  const [hour, minute] = r.data.reminders.at.split(':').map(Number);
  const sorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => b - a);
  return {
    reminders: {
      answer: { ...r.data.reminders.answer, daysBefore: sorted(r.data.reminders.answer.daysBefore) },
      'processor-support': { ...r.data.reminders['processor-support'], daysBefore: sorted(r.data.reminders['processor-support'].daysBefore) },
      at: { hour, minute },
    },
    dueSoonDays: r.data.dueSoonDays,
    scanEveryMinutes: r.data.scanEveryMinutes,
    attachments: r.data.attachments,
    recipients: r.data.recipients,
  };
}

export function defaultCasePolicyFile(): string {
  const c = [path.resolve(__dirname, '..', '..', 'policies', 'cases.yaml'), path.resolve(__dirname, '..', '..', '..', 'policies', 'cases.yaml')];
  return c.find((f) => fs.existsSync(f)) ?? c[0];
}

/** Loads policies/cases.yaml (or `file`). @throws Error naming the file and the field at fault. */
export function loadCasePolicy(file: string = defaultCasePolicyFile()): CasePolicy {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read cases policy ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseCasePolicy(doc, `cases policy ${file}`);
}
