import type { PersonAccessReport } from '../person-access.types';
import { dataCategoryLabel, ORGANIZATION_KIND, outcomeLabel } from './labels';
import { formatDateTime } from './riga-time';

/** Byte order mark: Excel opens a UTF-8 CSV as UTF-8 only when it starts with one (else ā č ē … break). */
const BOM = '\ufeff';

/**
 * RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled). A field starting with = + - @ or a
 * tab/CR is prefixed with an apostrophe so a spreadsheet never runs it as a formula (OWASP "CSV injection"):
 * user names, purposes and actions come from VPS logs, not from Sargs.
 */
export function csvField(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Every access of the report as CSV (RFC 4180: CRLF line ends, a header row), UTF-8 with BOM. Column names in the
 * chosen language; codes (organisation id, application, data category) as recorded, with their labels beside.
 * Times both as Riga local time and as UTC ISO 8601.
 */
export function renderReportCsv(report: PersonAccessReport, lang: 'lv' | 'en'): Buffer {
  const head =
    lang === 'lv'
      ? ['Laiks (Rīga)', 'Laiks (UTC)', 'Lietotājs', 'Organizācija', 'Organizācijas nosaukums', 'Piederība', 'Lomas', 'Lietotne', 'Darbība', 'Datu kategorija', 'Datu kategorijas nosaukums', 'Mērķis / tiesiskais pamats', 'Rezultāts', 'Žurnāls', 'Notikuma ID']
      : ['Time (Riga)', 'Time (UTC)', 'User', 'Organisation', 'Organisation name', 'Affiliation', 'Roles', 'Application', 'Action', 'Data category', 'Data category name', 'Purpose / legal basis', 'Outcome', 'Log', 'Event id'];
  const kinds = ORGANIZATION_KIND[lang];
  const lines = [head.map(csvField).join(',')];
  for (const a of report.accesses) {
    lines.push(
      [
        formatDateTime(a.at, lang),
        a.at,
        a.user,
        a.organization,
        a.organizationName ?? '',
        kinds[a.organizationKind] ?? a.organizationKind,
        a.roles.join('; '),
        a.application,
        a.action,
        a.dataCategory ?? '',
        a.dataCategory ? dataCategoryLabel(a.dataCategory, lang) : '',
        a.purpose ?? '',
        a.outcome ? outcomeLabel(a.outcome, lang) : '',
        a.tenant,
        a.eventId,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return Buffer.from(`${BOM}${lines.join('\r\n')}\r\n`, 'utf8');
}
