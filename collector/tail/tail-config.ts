import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/config';
import type { ParserName } from '../../core/types';
import type { TailFile } from './tailed-file';

const parserNames = ['auto', 'vps_audit', 'oracle_audit', 'web_access', 'windows', 'ecs', 'syslog'] as const satisfies
  readonly ParserName[];

const fileSchema = z
  .object({
    /** Checkpoint key; defaults to the absolute path. Keep it when a file moves, to keep its position. */
    id: z.string().trim().min(1).max(200).optional(),
    path: z.string().trim().min(1, 'path is empty'),
    tenant: z.string().trim().min(1, 'tenant is empty'),
    source: z.string().trim().min(1, 'source is empty').max(200),
    parser: z.enum(parserNames).default('auto'),
  })
  .strict();

const schema = z.union([
  z.object({ files: z.array(fileSchema) }).strict(),
  z.array(fileSchema),
]);

/**
 * Reads the tail configuration (config.tailConfig, env SARGS_TAIL_CONFIG): YAML or JSON listing the files to
 * follow, either as `files: [...]` or as a top-level list. Relative paths are taken from the configuration
 * file's folder. Throws ConfigError naming the file and the field at fault.
 *
 * @example
 * # /etc/sargs/tail.yaml
 * files:
 *   - path: /var/log/visvaris/access.log
 *     tenant: '*'
 *     source: visvaris-web
 *     parser: web_access
 */
export function loadTailConfig(file: string): TailFile[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  return parseTailConfig(text, file);
}

/** Validates the text of a tail configuration; `file` names it in errors and anchors relative paths. */
export function parseTailConfig(text: string, file: string): TailFile[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML 1.2 is a superset of JSON: one parser for both
  } catch (err) {
    const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const where = pos ? ` line ${pos.line}, column ${pos.col}` : '';
    const first = String((err as Error).message).split('\n')[0];
    throw new ConfigError([`${file}:${where}: not valid YAML or JSON: ${first}`]);
  }
  const r = schema.safeParse(doc ?? []);
  if (!r.success) throw new ConfigError(problems(file, doc, r.error));
  const list = Array.isArray(r.data) ? r.data : r.data.files;
  const base = path.dirname(path.resolve(file));
  const out: TailFile[] = list.map((f) => {
    const abs = path.resolve(base, f.path);
    return { id: f.id ?? abs, path: abs, tenant: f.tenant, source: f.source, parser: f.parser };
  });
  const seen = new Map<string, number>();
  const dupes: string[] = [];
  out.forEach((f, i) => {
    const j = seen.get(f.id);
    if (j !== undefined) dupes.push(`${file}: files[${i}].id: ${f.id} is the same as files[${j}] (give each file its own id)`);
    seen.set(f.id, i);
  });
  if (dupes.length) throw new ConfigError(dupes);
  return out;
}

/** Issues as `<file>: files[2].tenant: Required`, reported against the shape the file chose. */
function problems(file: string, doc: unknown, error: z.ZodError): string[] {
  // A union error holds the issues of both shapes; keep those of the shape the document has.
  const issues = error.issues.flatMap((i) =>
    i.code === 'invalid_union' ? i.unionErrors[Array.isArray(doc) ? 1 : 0].issues : [i],
  );
  return issues.map((i) => {
    const p = Array.isArray(doc) ? ['files', ...i.path] : i.path;
    const field = p.map((s, k) => (typeof s === 'number' ? `[${s}]` : `${k ? '.' : ''}${s}`)).join('') || 'document';
    return `${file}: ${field}: ${i.message}`;
  });
}
