import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const throttleRule = z
  .object({
    delayAfter: z.number().int().min(1),
    baseDelaySeconds: z.number().positive(),
    maxDelaySeconds: z.number().positive(),
    lockAfter: z.number().int().min(1),
    lockMinutes: z.number().positive(),
    resetAfterMinutes: z.number().positive(),
  })
  .strict()
  .refine((r) => r.lockAfter >= r.delayAfter, { message: 'lockAfter must be at least delayAfter' });

const schema = z
  .object({
    password: z
      .object({
        minLength: z.number().int().min(8, 'minLength below 8 is refused (NIST SP 800-63B §5.1.1.2)'),
        maxLength: z.number().int().min(64, 'maxLength must allow at least 64 characters (NIST SP 800-63B)').max(1024),
        refuseCommon: z.boolean(),
        refuseUserContext: z.boolean(),
      })
      .strict(),
    enrolment: z.object({ linkHours: z.number().positive().max(24 * 30) }).strict(),
    session: z
      .object({
        idleMinutes: z.number().positive(),
        absoluteHours: z.number().positive(),
        passwordStageMinutes: z.number().positive(),
      })
      .strict(),
    stepUpMinutes: z.number().positive(),
    throttle: z.object({ account: throttleRule, address: throttleRule }).strict(),
  })
  .strict();

/** The sign-in policy (policies/auth.yaml). */
export type AuthPolicy = z.infer<typeof schema>;
export type ThrottleRule = AuthPolicy['throttle']['account'];

/** `<repo>/policies/auth.yaml`, found from sources and from the compiled dist/ alike. */
export function defaultAuthPolicyFile(): string {
  const candidates = [3, 4].map((up) => path.resolve(__dirname, ...Array(up).fill('..'), 'policies', 'auth.yaml'));
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && b && typeof b === 'object' ? merge(b, v as DeepPartial<typeof b>) : v;
  }
  return out as T;
}

/** Validates a policy document; throws naming every bad field (`throttle.account.lockAfter: …`). */
export function parseAuthPolicy(doc: unknown, where = 'auth policy'): AuthPolicy {
  const r = schema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${where} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return r.data;
}

/**
 * Loads policies/auth.yaml, validated at load. `override` replaces single values (tests use tiny delays and
 * timeouts) and is validated with the rest.
 * @example loadAuthPolicy(undefined, { session: { idleMinutes: 0.01 } })
 */
export function loadAuthPolicy(file: string = defaultAuthPolicyFile(), override?: DeepPartial<AuthPolicy>): AuthPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read auth policy ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseAuthPolicy(merge(doc as AuthPolicy, override), file);
}
