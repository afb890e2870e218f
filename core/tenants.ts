import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Who owns logs in Sargs: a municipality (controller), a state institution reading VPS data, or the processor. */
export interface Tenant {
  id: string;
  name: string;
  kind: 'municipality' | 'state-institution' | 'processor';
}

export interface Tenants {
  ids: ReadonlySet<string>;
  byId: Map<string, Tenant>;
}

const tenantSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'id: lowercase ASCII letters, digits and dashes'),
    name: z.string().trim().min(1, 'name is empty'),
    kind: z.enum(['municipality', 'state-institution', 'processor']),
  })
  .strict();

const fileSchema = z.object({ tenants: z.array(tenantSchema).min(1, 'no tenants listed') }).strict();

/**
 * The default file: `<repo>/policies/tenants.yaml`, found from source (`core/`) and from the compiled
 * `dist/core/` alike.
 */
export function defaultTenantsFile(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'policies', 'tenants.yaml'),
    path.resolve(__dirname, '..', '..', 'policies', 'tenants.yaml'),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

/**
 * Loads and validates the tenant list (policies/tenants.yaml by default).
 * @throws Error naming the file and the entry at fault (e.g. `tenants.3.kind: …`), or a duplicate id.
 */
export function loadTenants(file: string = defaultTenantsFile()): Tenants {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read tenants file ${file}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`tenants file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`tenants file ${file} is invalid:\n  ${problems.join('\n  ')}`);
  }
  const byId = new Map<string, Tenant>();
  r.data.tenants.forEach((t, i) => {
    if (byId.has(t.id)) throw new Error(`tenants file ${file} is invalid:\n  tenants.${i}.id: duplicate id "${t.id}"`);
    byId.set(t.id, t);
  });
  return { ids: new Set(byId.keys()), byId };
}
