import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Retry, lease and timeout settings of the outbox (policies/delivery.yaml; the file header explains each). */
export interface DeliveryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  sweepIntervalMs: number;
  smtpTimeoutMs: number;
  webhookTimeoutMs: number;
}

const seconds = (max: number) => z.number({ invalid_type_error: 'must be a number of seconds' }).positive().max(max);

const schema = z
  .object({
    attempts: z.number().int('must be a whole number').min(1).max(100),
    baseDelaySeconds: seconds(86_400),
    maxDelaySeconds: seconds(7 * 86_400),
    leaseSeconds: seconds(86_400),
    sweepIntervalSeconds: seconds(3_600),
    smtpTimeoutSeconds: seconds(3_600),
    webhookTimeoutSeconds: seconds(3_600),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.maxDelaySeconds < p.baseDelaySeconds)
      ctx.addIssue({ code: 'custom', path: ['maxDelaySeconds'], message: 'must be at least baseDelaySeconds' });
    // A live send must never outlast its lease: another worker would take the message over and send it again.
    if (p.leaseSeconds <= Math.max(p.smtpTimeoutSeconds * 3, p.webhookTimeoutSeconds))
      ctx.addIssue({ code: 'custom', path: ['leaseSeconds'], message: 'must exceed 3 × smtpTimeoutSeconds and webhookTimeoutSeconds' });
  });

/** `<repo>/policies/delivery.yaml`, from sources and from the compiled dist/ alike. */
export function defaultDeliveryPolicyFile(): string {
  const candidates = [2, 3].map((up) => path.resolve(__dirname, ...Array(up).fill('..'), 'policies', 'delivery.yaml'));
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0]!;
}

/**
 * Loads and validates policies/delivery.yaml.
 * @throws Error naming the file, the field and the reason, e.g. `policies/delivery.yaml: attempts: must be a whole number`.
 */
export function loadDeliveryPolicy(file = defaultDeliveryPolicyFile()): DeliveryPolicy {
  const r = schema.safeParse(parseYaml(fs.readFileSync(file, 'utf8')) ?? {});
  if (!r.success) throw new Error(`${file} is invalid:\n  ${r.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('\n  ')}`);
  const p = r.data;
  return {
    attempts: p.attempts,
    baseDelayMs: p.baseDelaySeconds * 1000,
    maxDelayMs: p.maxDelaySeconds * 1000,
    leaseMs: p.leaseSeconds * 1000,
    sweepIntervalMs: p.sweepIntervalSeconds * 1000,
    smtpTimeoutMs: p.smtpTimeoutSeconds * 1000,
    webhookTimeoutMs: p.webhookTimeoutSeconds * 1000,
  };
}

/**
 * The wait before the next send after `failedAttempts` failures (≥ 1): exponential, capped, with "equal jitter"
 * (half fixed, half random), so retries spread out yet never come sooner than half the exponential wait.
 */
export function retryDelayMs(policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs'>, failedAttempts: number, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
