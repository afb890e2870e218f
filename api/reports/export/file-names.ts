import type { PersonAccessReport } from '../person-access.types';
import { rigaParts } from './riga-time';

/** ASCII only, so the name is safe in Content-Disposition and on every file system. */
function slug(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60) || 'report'
  );
}

/** e.g. 'person-access-DPO-2026-17-2026-11-30.lv.pdf' */
export function exportFileName(report: PersonAccessReport, kind: string, lang: 'lv' | 'en' | undefined, ext: string): string {
  const t = rigaParts(report.generatedAt);
  return `${kind}-${slug(report.reference ?? report.id)}-${t.year}-${t.month}-${t.day}${lang ? `.${lang}` : ''}.${ext}`;
}
