import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { WebhookSecret } from './webhook-transport';

const schema = z.array(
  z
    .object({
      url: z.string().url('must be a URL (a webhook target or a prefix of one)').refine((u) => /^https?:/.test(u), 'must be http(s)'),
      secret: z.string().min(32, 'must be at least 32 characters (use `openssl rand -hex 32`)'),
    })
    .strict(),
);

/**
 * Loads SARGS_WEBHOOK_SECRETS_FILE: a YAML list of `- url: https://receiver.example.lv/hooks/ \n  secret: …`, one
 * HMAC secret per target (the longest matching URL prefix wins). Keep the file out of version control, mode 0600.
 * @throws Error naming the file, the entry and the reason (the secret itself is never printed).
 */
export function loadWebhookSecrets(file: string): WebhookSecret[] {
  const r = schema.safeParse(parseYaml(fs.readFileSync(file, 'utf8')) ?? []);
  if (!r.success) throw new Error(`${file} is invalid:\n  ${r.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('\n  ')}`);
  return r.data;
}
