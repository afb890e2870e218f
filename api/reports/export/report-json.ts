import type { PersonAccessReport } from '../person-access.types';

/** JSON export format name and version: consumers check them before reading `report`. */
export const JSON_FORMAT = 'sargs.person-access-report';
export const JSON_VERSION = 1;

/**
 * The report as JSON, UTF-8, pretty-printed: `{ format, version, lang, report }` where `report` is the
 * PersonAccessReport (api/reports/person-access.types.ts) unchanged.
 */
export function renderReportJson(report: PersonAccessReport, lang: 'lv' | 'en'): Buffer {
  return Buffer.from(`${JSON.stringify({ format: JSON_FORMAT, version: JSON_VERSION, lang, report }, null, 2)}\n`, 'utf8');
}
