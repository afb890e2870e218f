import type { IncidentService } from './incident.service';
import type { ClockView, Incident } from './incident.types';

export type Scope = string[] | '*';

type Detail = Awaited<ReturnType<IncidentService['detail']>>;

/** Timeline kinds an affected municipality sees without their details (the case's course, nothing about others). */
const SHARED_KINDS = new Set(['created', 'status_changed', 'severity_changed', 'aware_corrected', 'classified']);

const holds = (s: Scope, t: string) => s === '*' || s.includes(t);

/** Does the clock concern a tenant of the scope (its own 72 h to DVI, or the processor's notice to it)? */
const clockFor = (c: Pick<ClockView, 'key' | 'tenant'>, s: Scope) => holds(s, c.tenant) || (c.key.startsWith('gdpr-processor:') && holds(s, c.key.slice('gdpr-processor:'.length)));

/**
 * What a caller sees of a case. The owner tenant's holders (and platform roles) see everything. A holder in an
 * affected tenant only (a municipality's officer or DPO) sees the case's course and its own part: its own share
 * of the impact, the notices addressed to it and its own notices to DVI, its clocks, and the timeline entries
 * about it; never another municipality's part, the internal tasks or the alert ids.
 */
export function scopedDetail(d: Detail, read: Scope) {
  const full = holds(read, d.incident.ownerTenant);
  const clocks = (cs: ClockView[]) => cs.map((c) => ({ ...c, escalations: d.escalations.filter((e) => e.clockKey === c.key && e.dueAt === c.dueAt).map((e) => ({ step: e.step, at: e.at, notified: e.recipients.length > 0 })) }));
  if (full) return { ...d, full: true, clocks: clocks(d.clocks) };
  const notices = d.notices.filter((n) => n.audience && holds(read, n.audience));
  const noticeIds = new Set(notices.map((n) => n.id));
  return {
    full: false,
    incident: scopedIncident(d.incident, read),
    tasks: [],
    clocks: clocks(d.clocks.filter((c) => clockFor(c, read))),
    notices,
    sendings: d.sendings.filter((s) => noticeIds.has(s.noticeId)),
    timeline: d.timeline
      .filter((e) => (e.tenant && holds(read, e.tenant)) || (!e.tenant && SHARED_KINDS.has(e.kind)))
      .map((e) => (e.tenant ? e : { ...e, details: {} })),
    escalations: [],
  };
}

function scopedIncident(i: Incident, read: Scope): Incident {
  if (holds(read, i.ownerTenant)) return i;
  return { ...i, affected: i.affected.filter((a) => holds(read, a.tenant)), alertIds: [] };
}

/** A row of the register: the case (scoped), its visible clocks, and the next clock to watch. */
export function scopedListItem(x: { incident: Incident; clocks: ClockView[] }, read: Scope) {
  const incident = scopedIncident(x.incident, read);
  const clocks = holds(read, x.incident.ownerTenant) ? x.clocks : x.clocks.filter((c) => clockFor(c, read));
  const next = clocks.filter((c) => c.state === 'running' || c.state === 'overdue').sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!))[0] ?? null;
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    ownerTenant: incident.ownerTenant,
    affectedTenants: incident.affected.map((a) => a.tenant),
    awareAt: incident.awareAt,
    significant: incident.significant,
    personalDataBreach: incident.personalDataBreach,
    updatedAt: incident.updatedAt,
    clocks,
    nextClock: next,
  };
}
