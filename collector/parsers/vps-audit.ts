import { AppError } from '../../core/errors';
import { endpoint, isObject, ParseFailure, str, type ParsedEvent, type ParserDeps, type ParserOutput } from './parser-types';
import { toIsoTimestamp } from './timestamp';
import type { RawRecord } from '../../core/types';

/**
 * VPS application audit event: "user U of organisation O, in app A, did action X on the record of person P (data
 * category C), for purpose/legal basis B, outcome R" — the event GDPR access reports are built from.
 *
 * Documented shape (one JSON object per event):
 * ```
 * {
 *   "ts": "2024-03-05T10:15:30.123+02:00",  // required, ISO 8601 (without zone: Europe/Riga)
 *   "app": "SOPA",                          // required → service.name (upper-cased)
 *   "org": "riga",                          // required, tenant id of the acting user's organisation → organization.id
 *   "user": "janis.berzins",                // required → user.name
 *   "user_id": "u-1042",                    // → user.id
 *   "role": "SOPA_LIETVEDIS" | ["…"],       // → user.roles
 *   "action": "view",                       // required → event.action (view, search, create, update, delete,
 *                                           //   export, print, login, logout, …)
 *   "person": "161175-19997",               // data subject's person code → vps.subject.person (pseudonym only)
 *   "subject_org": "jurmala",               // subject's declared municipality → vps.subject.organization
 *   "category": "social_assistance",        // → vps.data_category
 *   "purpose": "SP-2024/118",               // legal basis or case reference → vps.purpose
 *   "record_id": "SOPA-77812",              // → vps.record.id
 *   "outcome": "success",                   // success | failure | denied (→ failure) ; default unknown
 *   "ip": "10.20.30.40",                    // → source.ip / source.address
 *   "session": "a81f…",                     // → vps.session.id
 *   "id": "…",                              // the application's own event id, for deduplication
 *   "tenant": "riga",                       // whose log this is, when not the acting organisation → vps.tenant
 *   "message": "…"                          // → message
 * }
 * ```
 */
export function parseVpsAudit(rec: RawRecord, value: unknown, deps: ParserDeps): ParserOutput {
  if (!isObject(value)) return new ParseFailure('VPS audit event must be a JSON object');
  for (const f of REQUIRED) {
    if (str(value[f]) === undefined) return new ParseFailure(`missing required field ${f}`, f);
  }
  const ts = toIsoTimestamp(value.ts);
  if (!ts) return new ParseFailure('ts is not an ISO 8601 timestamp', 'ts');
  const action = str(value.action)!.toLowerCase();
  const kind = ACTIONS[action] ?? { category: ['database'], type: ['info'] };

  let person: string | undefined;
  if (value.person !== undefined && value.person !== null && value.person !== '') {
    if (typeof value.person !== 'string') return new ParseFailure('person must be a string', 'person');
    try {
      person = deps.pseudonymiser.person(value.person);
      // The code is in the output only as this pseudonym (see ParserDeps.codesTaken).
      if (deps.codesTaken !== undefined) deps.codesTaken++;
    } catch (err) {
      if (err instanceof AppError) return new ParseFailure(err.message, 'person');
      throw err;
    }
  }

  const roles = Array.isArray(value.role) ? value.role.map(str).filter((r): r is string => !!r) : str(value.role);
  const event: ParsedEvent = {
    '@timestamp': ts,
    event: {
      kind: 'event',
      category: kind.category,
      type: kind.type,
      action,
      outcome: outcomeOf(value.outcome),
    },
    service: { name: str(value.app)!.toUpperCase() },
    organization: { id: str(value.org) },
    user: userOf(value, roles),
    vps: {},
  };
  const id = str(value.id);
  if (id) event.event.id = id;
  const vps = event.vps!;
  const tenant = str(value.tenant);
  if (tenant) vps.tenant = tenant;
  const subjectOrg = str(value.subject_org);
  if (person || subjectOrg) {
    vps.subject = {};
    if (person) vps.subject.person = person;
    if (subjectOrg) vps.subject.organization = subjectOrg;
  }
  const category = str(value.category);
  if (category) vps.data_category = category;
  const purpose = str(value.purpose);
  if (purpose) vps.purpose = purpose;
  const recordId = str(value.record_id);
  if (recordId) vps.record = { id: recordId };
  const session = str(value.session);
  if (session) vps.session = { id: session };
  const src = endpoint(value.ip);
  if (src) event.source = src;
  const message = str(value.message);
  if (message) event.message = message;
  return event;
}

const REQUIRED = ['ts', 'app', 'org', 'user', 'action'] as const;

const ACTIONS: Record<string, { category: string[]; type: string[] }> = {
  view: { category: ['database'], type: ['access'] },
  read: { category: ['database'], type: ['access'] },
  search: { category: ['database'], type: ['access'] },
  export: { category: ['database'], type: ['access'] },
  print: { category: ['database'], type: ['access'] },
  create: { category: ['database'], type: ['creation'] },
  update: { category: ['database'], type: ['change'] },
  delete: { category: ['database'], type: ['deletion'] },
  login: { category: ['authentication'], type: ['start'] },
  logout: { category: ['authentication'], type: ['end'] },
  grant: { category: ['iam'], type: ['change'] },
  revoke: { category: ['iam'], type: ['change'] },
};

function outcomeOf(v: unknown): 'success' | 'failure' | 'unknown' {
  const o = str(v)?.toLowerCase();
  if (o === 'success' || o === 'ok' || o === 'allowed') return 'success';
  if (o === 'failure' || o === 'failed' || o === 'error' || o === 'denied') return 'failure';
  return 'unknown';
}

function userOf(value: Record<string, unknown>, roles: string | string[] | undefined): Record<string, unknown> {
  const user: Record<string, unknown> = { name: str(value.user) };
  const id = str(value.user_id);
  if (id) user.id = id;
  if (roles !== undefined && roles.length > 0) user.roles = Array.isArray(roles) ? roles : [roles];
  return user;
}
