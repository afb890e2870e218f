/**
 * The person access report (issue 5): every access to one data subject's records in a period, across all VPS
 * applications and tenants, as the caller may see it. Built by api/reports/person-access.ts from the event store;
 * rendered and signed by api/reports/export/* (PDF in Latvian or English, CSV, JSON; detached CMS signature).
 *
 * The person is identified by the pseudonym only: the clear person code is never stored, logged or rendered in
 * full (exports show it masked, e.g. `010190-*****`, when the requester typed it).
 */

/** One access to the person's data (from one stored application audit event). */
export interface PersonAccess {
  /** event.id of the stored event (drill-down). */
  eventId: string;
  /** ISO time, UTC ('@timestamp'). */
  at: string;
  /** The acting user (user.name or user.id). */
  user: string;
  /** The acting user's organisation (organization.id): a municipality, a state institution or zzdats. */
  organization: string;
  /** Display name of that organisation (policies/tenants.yaml), when known. */
  organizationName?: string;
  /** Kind of that organisation relative to the person's municipality. */
  organizationKind: 'own' | 'other-municipality' | 'state-institution' | 'processor' | 'unknown';
  /** The user's roles, when recorded (user.roles). */
  roles: string[];
  /** Application (service.name): NINO, SOPA, PERS, JUPIS, … */
  application: string;
  /** event.action */
  action: string;
  /** vps.data_category */
  dataCategory?: string;
  /** vps.purpose: legal basis or case reference, when recorded. */
  purpose?: string;
  /** event.outcome */
  outcome?: string;
  /** vps.tenant: whose log the event came from. */
  tenant: string;
}

export interface CountBy {
  /** The value; '' when the events did not record it (e.g. no data category). */
  key: string;
  count: number;
}

export interface PersonAccessSummary {
  total: number;
  byOrganization: CountBy[];
  byApplication: CountBy[];
  byDataCategory: CountBy[];
  /** YYYY-MM in Europe/Riga. */
  byMonth: CountBy[];
  /** Accesses by users of other municipalities and state institutions. */
  external: number;
}

export interface PersonAccessReport {
  /** Report id (UUID), also the request reference unless one was given. */
  id: string;
  /** The request reference given by the DPO (e.g. a case number), if any. */
  reference?: string;
  /** Subject-request case id this report is linked to, if any. */
  caseId?: string;
  /** The person's pseudonym (never the clear code). */
  person: string;
  /** The code as shown in exports: masked. */
  personMasked: string;
  /** The municipality whose DPO asked (the controller), or '*' for ZZ Dats DPO. */
  controller: string;
  /** Period, ISO, from inclusive, to exclusive. */
  period: { from: string; to: string };
  generatedAt: string;
  generatedBy: { user: string; organization: string };
  summary: PersonAccessSummary;
  /** Every access, newest first. */
  accesses: PersonAccess[];
  /** The municipality where the person is declared, as the accesses recorded it (vps.subject.organization), if known. */
  personMunicipality?: string;
  /** True when the list stops short of summary.total (more than 100,000 accesses); the summary counts them all. */
  truncated?: boolean;
}
