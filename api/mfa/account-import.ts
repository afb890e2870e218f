import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { AccountInput } from './vps-accounts.store';
import { VPS_APPLICATIONS, vpsApplicationOf } from './vps-applications';

/** At most this many rows per import request (43 municipalities × a few thousand staff × apps fits in a few). */
export const MAX_IMPORT_ROWS = 50_000;

const row = z
  .object({
    tenant: z.string().trim().min(1).max(64).optional(),
    username: z.string().trim().min(1, 'username is empty').max(256).refine((s) => !/[\u0000-\u001f]/.test(s), 'control characters are not allowed'),
    application: z.string().trim().min(1),
    role: z.string().trim().max(100).optional().nullable(),
  })
  .strict();

/** Splits one CSV line (RFC 4180 quoting) on `sep`. */
function splitCsvLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === sep) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * CSV with a header row naming the columns tenant (optional), username, application, role (optional), in any
 * order; `;` (Latvian Excel) or `,` separated (detected from the header); UTF-8 with or without BOM. Quoted
 * fields may not span lines.
 */
export function parseAccountsCsv(text: string): unknown[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const sep = lines[0].includes(';') ? ';' : ',';
  const header = splitCsvLine(lines[0], sep).map((h) => h.trim().toLowerCase());
  for (const need of ['username', 'application'])
    if (!header.includes(need)) throw new AppError(400, 'invalid_body', `CSV header: column "${need}" is missing (header: ${header.join(sep)})`, { field: need });
  return lines.slice(1).map((l) => {
    const cells = splitCsvLine(l, sep);
    const o: Record<string, string> = {};
    header.forEach((h, i) => {
      if (cells[i] !== undefined && cells[i].trim() !== '') o[h] = cells[i];
    });
    return o;
  });
}

/**
 * Validates imported rows. A row without tenant takes `defaultTenant` (the caller's home tenant); every tenant
 * must be known. Throws 400 naming the first bad row (1-based, header not counted) and field.
 */
export function validateAccountRows(items: unknown, opts: { defaultTenant: string; tenants: ReadonlySet<string> }): AccountInput[] {
  if (!Array.isArray(items)) throw new AppError(400, 'invalid_body', 'body: expected a JSON array of { tenant?, username, application, role? } or a CSV file', { field: 'body' });
  if (items.length > MAX_IMPORT_ROWS) throw new AppError(413, 'too_many_rows', `at most ${MAX_IMPORT_ROWS} rows per import (got ${items.length})`, { field: 'body' });
  return items.map((item, i) => {
    const where = `row ${i + 1}`;
    const r = row.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.') || 'row';
      throw new AppError(400, 'invalid_body', `${where}: ${field}: ${issue.message}`, { field, row: i + 1 });
    }
    const tenant = r.data.tenant ?? opts.defaultTenant;
    if (!opts.tenants.has(tenant)) throw new AppError(400, 'invalid_body', `${where}: tenant: unknown tenant "${tenant}"`, { field: 'tenant', row: i + 1 });
    const application = vpsApplicationOf(r.data.application);
    if (!application)
      throw new AppError(400, 'invalid_body', `${where}: application: unknown application "${r.data.application}" (VPS applications: ${VPS_APPLICATIONS.join(', ')})`, {
        field: 'application',
        row: i + 1,
      });
    return { tenant, username: r.data.username, application, role: r.data.role ?? null };
  });
}
