import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const text = z.string().trim().min(1);
const langSchema = z
  .object({
    title: text,
    addressee: text,
    subject: text,
    intro: text,
    sections: z
      .array(z.object({ heading: text, text, list: z.enum(['purposes', 'categories', 'recipients', 'sources', 'none']) }).strict())
      .min(1),
    attachment: text,
    closing: text,
    dpo: text,
    date: text,
    reference: text,
    regNo: text,
    signatureNote: text,
    more: text,
  })
  .strict();
const fileSchema = z.object({ version: z.literal(1), lv: langSchema, en: langSchema }).strict();

export type GdprLetterTexts = z.infer<typeof langSchema>;
export type GdprLetterPolicy = z.infer<typeof fileSchema>;

/** `<repo>/policies/gdpr-letter.yaml`, from source (api/reports/export) and from dist/ alike. */
export function defaultGdprLetterFile(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', 'policies', 'gdpr-letter.yaml'),
    path.resolve(__dirname, '..', '..', '..', '..', 'policies', 'gdpr-letter.yaml'),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

const cache = new Map<string, { mtimeMs: number; policy: GdprLetterPolicy }>();

/**
 * The letter's fixed texts (policies/gdpr-letter.yaml), validated; re-read when the file changes, so a DPO's edit
 * applies to the next letter without a restart.
 * @throws Error naming the file and the entry at fault.
 */
export function loadGdprLetterPolicy(file: string = defaultGdprLetterFile()): GdprLetterPolicy {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new Error(`cannot read GDPR letter texts ${file}`, { cause: err });
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.policy;
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`GDPR letter texts ${file} are not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success)
    throw new Error(`GDPR letter texts ${file} are invalid:\n  ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n  ')}`);
  cache.set(file, { mtimeMs: stat.mtimeMs, policy: r.data });
  return r.data;
}

/** Replaces `{name}` with `values[name]`; an unknown placeholder is left as written. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
