import { rigaText } from './clock-rules';
import type { IncidentPolicy } from './incident-policy';
import type { Incident, NoticeContent, NoticeKind } from './incident.types';

const WORDS = {
  lv: { yes: 'jā', no: 'nē', unknown: 'vēl nav zināms', none: '(nav norādīts)', notYet: 'vēl nav nosūtīts', suspected: 'Ir aizdomas par ļaunprātīgu neatļautu piekļuvi.', notSuspected: 'Nav aizdomu par ļaunprātīgu cēloni.', cross: 'Ir pārrobežu ietekme.', noCross: 'Pārrobežu ietekme nav konstatēta.' },
  en: { yes: 'yes', no: 'no', unknown: 'not known yet', none: '(not stated)', notYet: 'not sent yet', suspected: 'Malicious unauthorised access is suspected.', notSuspected: 'No malicious cause is suspected.', cross: 'There is cross-border impact.', noCross: 'No cross-border impact found.' },
} as const;

const SEVERITY = {
  lv: { low: 'zems', medium: 'vidējs', high: 'augsts', critical: 'kritisks' },
  en: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
} as const;
const STATUS = {
  lv: { open: 'atvērts', investigating: 'tiek izmeklēts', contained: 'ierobežots', resolved: 'novērsts', closed: 'slēgts' },
  en: { open: 'open', investigating: 'investigating', contained: 'contained', resolved: 'resolved', closed: 'closed' },
} as const;

export interface DraftInput {
  incident: Incident;
  kind: NoticeKind;
  lang: 'lv' | 'en';
  /** The addressed municipality (GDPR notices). */
  audience: string | null;
  policy: IncidentPolicy;
  tenantName: (id: string) => string;
  /** When the NIS2 notification was sent (for the final report), if it was. */
  notificationSentAt?: string | null;
}

/**
 * The values a template may name ({{name}} in policies/notice-templates.yaml): title, description, awareAt,
 * severity, status, tenants, applications, dataCategories, persons, records, malicious, crossBorder, indicators,
 * impact, rootCause, mitigation, nature, consequences, measures, dpoContact, reporter, audienceName,
 * notificationSentAt. A GDPR notice to one municipality carries that municipality's own applications, data
 * categories and counts only.
 */
export function noticeValues(d: DraftInput): Record<string, string> {
  const { incident: i, lang } = d;
  const w = WORDS[lang];
  const scoped = d.audience ? i.affected.filter((a) => a.tenant === d.audience) : i.affected;
  const union = (pick: (a: Incident['affected'][number]) => string[]) => [...new Set(scoped.flatMap(pick))].sort().join(', ') || w.none;
  const sum = (pick: (a: Incident['affected'][number]) => number | undefined) => {
    const known = scoped.map(pick).filter((n): n is number => typeof n === 'number');
    return known.length ? String(known.reduce((a, b) => a + b, 0)) : w.unknown;
  };
  const answers = i.classification?.answers;
  const text = (v: string | undefined) => (v && v.trim() ? v.trim() : w.none);
  return {
    title: i.title,
    description: text(i.description),
    awareAt: rigaText(i.awareAt),
    severity: SEVERITY[lang][i.severity],
    status: STATUS[lang][i.status],
    tenants: scoped.map((a) => d.tenantName(a.tenant)).join(', ') || w.none,
    applications: union((a) => a.applications),
    dataCategories: union((a) => a.dataCategories),
    persons: sum((a) => a.personsAffected),
    records: sum((a) => a.records),
    malicious: answers ? (answers.maliciousAccess ? w.suspected : w.notSuspected) : w.unknown,
    crossBorder: answers ? `${i.crossBorder ? w.cross : w.noCross}${answers.crossBorderReasoning ? ` ${answers.crossBorderReasoning}` : ''}` : w.unknown,
    indicators: text(i.facts.indicators),
    impact: i.facts.impact?.trim() ?? '',
    rootCause: text(i.facts.rootCause),
    mitigation: text(i.facts.mitigation),
    nature: text(i.facts.nature ?? i.description),
    consequences: text(i.facts.consequences),
    measures: text(i.facts.measures ?? i.facts.mitigation),
    dpoContact: d.policy.dpoContact,
    reporter: d.tenantName(i.ownerTenant),
    audienceName: d.audience ? d.tenantName(d.audience) : d.tenantName(i.ownerTenant),
    notificationSentAt: d.notificationSentAt ? `${rigaText(d.notificationSentAt)}` : w.notYet,
  };
}

/** Fills `{{name}}` placeholders; an unknown name is left visible so the reviewer sees it. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => (name in values ? values[name] : m)).replace(/\s+$/g, '').replace(/ {2,}/g, ' ');
}

/** A draft pre-filled from the case with the template of its kind and language (policies/notice-templates.yaml). */
export function draftNotice(d: DraftInput): NoticeContent {
  const t = d.policy.template(d.kind, d.lang);
  const values = noticeValues(d);
  return { subject: fill(t.subject, values), sections: t.sections.map((s) => ({ key: s.key, heading: s.heading, text: fill(s.text, values) })) };
}
