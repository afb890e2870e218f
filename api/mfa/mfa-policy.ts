/**
 * MFA policy for VPS applications as data (policies/mfa.yaml), validated at load.
 *
 * Resolution — most specific wins: of the rules whose tenant, application and role each equal the asked value
 * or are '*', the one with the highest weight wins, where a concrete tenant weighs 4, a concrete application 2
 * and a concrete role 1. Weights are distinct powers of two, so two different matching rules never tie unless
 * they name the same (tenant, application, role) — which the loader refuses as a duplicate. A '*'/'*'/'*' rule is
 * required, so every question has an answer. Example: rules (*,*,*), (*,BARIS,*), (riga,*,*): policyFor('riga',
 * 'BARIS', 'x') is riga's rule (4 > 2): a tenant that writes its own rule owns its whole policy.
 *
 * Deadline: a date; MFA is due from 00:00 Europe/Riga of that date. Default 2026-07-02 (password-only login to
 * VPS switched off no later than 2 July 2026, ZZ Dats plan in shared/DOMAIN.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadTenants } from '../../core/tenants';
import { isVpsApplication, VPS_APPLICATIONS } from './vps-applications';

/** Methods Sargs verifies itself (FactorService) and those done elsewhere and reported in events (DOMAIN.md). */
export const MFA_METHODS = ['totp', 'webauthn', 'recovery', 'eparaksts', 'eparaksts-mobile', 'smart-id', 'digital-wallet', 'adfs-mfa'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

export const DEFAULT_MFA_DEADLINE = '2026-07-02';

/** One rule as written in the file, with its deadline filled in. */
export interface MfaRule {
  tenant: string;
  application: string;
  role: string;
  required: boolean;
  methods: MfaMethod[];
  /** YYYY-MM-DD, due from 00:00 Europe/Riga. */
  deadline: string;
}

/** The answer of policyFor: the winning rule, its index in the file, and the deadline as an instant. */
export interface ResolvedMfaPolicy extends MfaRule {
  ruleIndex: number;
  /** Epoch ms of 00:00 Europe/Riga on `deadline`. */
  deadlineAt: number;
}

export interface MfaPolicy {
  file: string;
  rules: MfaRule[];
  /** The rule for this tenant, application and role (most specific wins; see the file header). */
  policyFor(tenant: string, application: string, role?: string | null): ResolvedMfaPolicy;
  /** The earliest deadline of all rules (epoch ms): no password-only login before it can break the policy. */
  earliestDeadlineAt(): number;
}

const methodSet: ReadonlySet<string> = new Set(MFA_METHODS);

const isoDate = z
  .string({ invalid_type_error: 'deadline must be a quoted date YYYY-MM-DD' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), (s) => ({
    message: `bad date "${s}": expected an existing date YYYY-MM-DD`,
  }));

const ruleSchema = z
  .object({
    tenant: z.string().min(1),
    application: z.string().min(1),
    role: z.string().min(1).max(100).default('*'),
    required: z.boolean(),
    methods: z
      .array(z.string().refine((m) => methodSet.has(m), (m) => ({ message: `unknown method "${m}" (known: ${MFA_METHODS.join(', ')})` })))
      .min(1, 'at least one method'),
    deadline: isoDate.optional(),
  })
  .strict();

const fileSchema = z.object({ deadline: isoDate.default(DEFAULT_MFA_DEADLINE), rules: z.array(ruleSchema).min(1, 'no rules') }).strict();

/** `rules.2.methods.1` → `rules[2].methods[1]`. */
const fieldPath = (p: (string | number)[]) => p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(root)';

/** Offset of Europe/Riga from UTC at `ms`, in minutes (+120 in winter, +180 in summer). */
function rigaOffsetMinutes(ms: number): number {
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  for (const p of f.formatToParts(ms)) parts[p.type] = p.value;
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** 00:00 Europe/Riga on `date` (YYYY-MM-DD) as epoch ms; Riga changes clocks at 03:00/04:00, never at midnight. */
export function rigaMidnight(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const utc = Date.UTC(y, m - 1, d);
  return utc - rigaOffsetMinutes(utc - rigaOffsetMinutes(utc) * 60_000) * 60_000;
}

const weight = (r: MfaRule) => (r.tenant !== '*' ? 4 : 0) + (r.application !== '*' ? 2 : 0) + (r.role !== '*' ? 1 : 0);

/**
 * Validates a parsed policy document. Throws one Error naming the file, rule index and field of every problem,
 * e.g. `policies/mfa.yaml is invalid:\n  rules[2].methods[1]: unknown method "sms" (known: …)`.
 */
export function parseMfaPolicy(doc: unknown, opts: { file: string; tenants: ReadonlySet<string> }): MfaPolicy {
  const problems: string[] = [];
  const r = fileSchema.safeParse(doc);
  if (!r.success) problems.push(...r.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`));
  const rules: MfaRule[] = [];
  if (r.success) {
    const seen = new Map<string, number>();
    r.data.rules.forEach((raw, i) => {
      const rule: MfaRule = { ...raw, methods: [...new Set(raw.methods)] as MfaMethod[], deadline: raw.deadline ?? r.data.deadline };
      if (rule.tenant !== '*' && !opts.tenants.has(rule.tenant))
        problems.push(`rules[${i}].tenant: unknown tenant "${rule.tenant}" (not in policies/tenants.yaml)`);
      if (rule.application !== '*' && !isVpsApplication(rule.application))
        problems.push(`rules[${i}].application: unknown application "${rule.application}" (VPS applications: ${VPS_APPLICATIONS.join(', ')})`);
      const key = `${rule.tenant}|${rule.application}|${rule.role}`;
      if (seen.has(key)) problems.push(`rules[${i}]: same tenant, application and role as rules[${seen.get(key)}]`);
      seen.set(key, i);
      rules.push(rule);
    });
    if (!seen.has('*|*|*')) problems.push(`rules: a rule for tenant '*', application '*', role '*' is required (the default)`);
  }
  if (problems.length) throw new Error(`${opts.file} is invalid:\n  ${problems.join('\n  ')}`);

  const deadlines = new Map(rules.map((x) => [x.deadline, rigaMidnight(x.deadline)]));
  return {
    file: opts.file,
    rules,
    policyFor(tenant, application, role) {
      let best = -1;
      let bestWeight = -1;
      rules.forEach((x, i) => {
        const match = (x.tenant === '*' || x.tenant === tenant) && (x.application === '*' || x.application === application) && (x.role === '*' || x.role === role);
        if (match && weight(x) > bestWeight) [best, bestWeight] = [i, weight(x)];
      });
      const rule = rules[best]; // the '*'/'*'/'*' rule always matches
      return { ...rule, ruleIndex: best, deadlineAt: deadlines.get(rule.deadline)! };
    },
    earliestDeadlineAt: () => Math.min(...deadlines.values()),
  };
}

/** `<repo>/policies/mfa.yaml`, found from sources and from the compiled dist/ alike. */
export function defaultMfaPolicyFile(): string {
  const candidates = [2, 3].map((up) => path.resolve(__dirname, ...Array(up).fill('..'), 'policies', 'mfa.yaml'));
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

/**
 * Loads and validates policies/mfa.yaml. Tenants default to core/tenants.ts loadTenants().
 * @example const mfa = loadMfaPolicy(); mfa.policyFor('riga', 'SOPA', 'SOPA_LIETVEDIS').methods
 */
export function loadMfaPolicy(file: string = defaultMfaPolicyFile(), tenants: ReadonlySet<string> = loadTenants().ids): MfaPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read MFA policy ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseMfaPolicy(doc, { file, tenants });
}
