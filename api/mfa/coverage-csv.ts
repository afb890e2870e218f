import type { MfaCoverage } from './mfa-coverage.service';

/**
 * CSV of the MFA coverage report, made for Latvian Excel (lv-LV): UTF-8 with a byte order mark (without it
 * Excel reads the file as Windows-1257/1252 and garbles ā, č, ē, ģ, ī, ķ, ļ, ņ, š, ū, ž), `;` as separator
 * (the lv-LV list separator, because `,` is the decimal separator), decimal comma in numbers, dates DD.MM.YYYY
 * and times DD.MM.YYYY HH:MM:SS in Europe/Riga, CRLF line ends and RFC 4180 quoting. A header row names the
 * columns. Cells that start with = + - @ (or tab/CR) are prefixed with `'` so that names from logs cannot
 * become formulas (OWASP "CSV Injection").
 */
export type CoverageCsvPart = 'summary' | 'without-factor' | 'password-only';
export const COVERAGE_CSV_PARTS: readonly CoverageCsvPart[] = ['summary', 'without-factor', 'password-only'];

const BOM = '\uFEFF';
const SEP = ';';

/** One CSV cell: neutralised against formulas, quoted when it holds the separator, a quote or a line break. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const rigaParts = (iso: string | number) => {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  for (const x of f.formatToParts(new Date(iso))) p[x.type] = x.value;
  return p;
};

/** `2026-07-02` (a calendar date) → `02.07.2026`. */
export const lvDate = (ymd: string) => ymd.split('-').reverse().join('.');
/** An instant → `DD.MM.YYYY HH:MM:SS` in Europe/Riga. */
export function lvDateTime(iso: string): string {
  const p = rigaParts(iso);
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}:${p.second}`;
}
/** 0.875 → `87,5` (percent, one decimal, decimal comma). */
export const lvPercent = (share: number) => (Math.round(share * 1000) / 10).toFixed(1).replace('.', ',');

const line = (cells: unknown[]) => cells.map(csvCell).join(SEP);

/** The report (or one part of it) as CSV text, BOM included. */
export function coverageCsv(c: MfaCoverage, part: CoverageCsvPart = 'summary'): string {
  const lines: string[] = [];
  if (part === 'summary') {
    lines.push(line(['tenant', 'tenant_name', 'application', 'mfa_required', 'deadline', 'accounts', 'with_factor', 'share_percent', 'totp', 'webauthn', 'without_factor', 'password_only_logins_after_deadline']));
    for (const r of c.rows)
      lines.push(line([r.tenant, r.tenantName, r.application, r.required ? 'jā' : 'nē', lvDate(r.deadline), r.accounts, r.withFactor, lvPercent(r.share), r.byMethod.totp, r.byMethod.webauthn, r.withoutFactor, r.passwordOnlyLogins]));
  } else if (part === 'without-factor') {
    lines.push(line(['tenant', 'application', 'username', 'role', 'source', 'last_seen', 'sargs_user', 'mfa_required', 'deadline']));
    for (const r of c.withoutFactor)
      lines.push(line([r.tenant, r.application, r.username, r.role, r.source, r.lastSeenAt ? lvDateTime(r.lastSeenAt) : '', r.enrolled ? 'jā' : 'nē', r.required ? 'jā' : 'nē', lvDate(r.deadline)]));
  } else {
    lines.push(line(['time', 'tenant', 'application', 'username', 'source_ip', 'event_id', 'deadline']));
    for (const r of c.passwordOnlyLogins) lines.push(line([lvDateTime(r.at), r.tenant, r.application, r.username, r.sourceIp, r.eventId, lvDate(r.deadline)]));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}
