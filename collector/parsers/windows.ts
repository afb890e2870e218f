import { isIP } from 'node:net';
import { compact, endpoint, isObject, ParseFailure, str, type ParsedEvent, type ParserOutput } from './parser-types';
import { toIsoTimestamp } from './timestamp';
import type { RawRecord } from '../../core/types';

type Outcome = 'success' | 'failure' | 'unknown';
/** Who `user.name` is: the account that logged on (`target`) or the administrator who acted (`subject`). */
interface Kind { action: string; category: string[]; type: string[]; outcome: Outcome; user: 'target' | 'subject' }

const logon = (action: string, type: string, outcome: Outcome): Kind =>
  ({ action, category: ['authentication'], type: [type], outcome, user: 'target' });
const iam = (action: string, type: string[]): Kind =>
  ({ action, category: ['iam'], type, outcome: 'success', user: 'subject' });

/**
 * Windows Security log and AD FS auditing event ids (Microsoft "Audit logon events", "Audit account management";
 * AD FS 2016+ auditing 1200–1206) and the ECS action, categorisation and outcome Sargs gives them.
 */
export const WINDOWS_EVENTS: Record<string, Kind> = {
  '4624': logon('logged-in', 'start', 'success'),
  '4625': logon('logon-failed', 'start', 'failure'),
  '4634': logon('logged-out', 'end', 'success'),
  '4647': logon('logged-out', 'end', 'success'),
  '4648': logon('logged-in-explicit', 'start', 'success'),
  '4771': logon('kerberos-preauth-failed', 'start', 'failure'),
  '4776': logon('credential-validated', 'info', 'unknown'), // outcome from Status
  '4740': { action: 'account-locked', category: ['iam'], type: ['user', 'change'], outcome: 'success', user: 'target' },
  '4767': iam('account-unlocked', ['user', 'change']),
  '4720': iam('user-account-created', ['user', 'creation']),
  '4722': iam('user-account-enabled', ['user', 'change']),
  '4723': iam('password-change-attempted', ['user', 'change']),
  '4724': iam('password-reset', ['user', 'change']),
  '4725': iam('user-account-disabled', ['user', 'change']),
  '4726': iam('user-account-deleted', ['user', 'deletion']),
  '4728': iam('added-member-to-group', ['group', 'change']),
  '4729': iam('removed-member-from-group', ['group', 'change']),
  '4732': iam('added-member-to-group', ['group', 'change']),
  '4733': iam('removed-member-from-group', ['group', 'change']),
  '4756': iam('added-member-to-group', ['group', 'change']),
  '4757': iam('removed-member-from-group', ['group', 'change']),
  '1200': logon('adfs-token-issued', 'start', 'success'),
  '1201': logon('adfs-token-failed', 'start', 'failure'),
  '1202': logon('adfs-credentials-validated', 'start', 'success'),
  '1203': logon('adfs-credentials-failed', 'start', 'failure'),
  '1205': logon('adfs-extranet-lockout', 'start', 'failure'),
  '411': logon('adfs-token-validation-failed', 'start', 'failure'),
};

const GROUP_EVENTS = new Set(['4728', '4729', '4732', '4733', '4756', '4757']);
/** AD FS 2016+ auditing events that carry an AuditBase XML document in event_data (param2 as Winlogbeat ships it). */
const ADFS_AUDIT_EVENTS = new Set(['1200', '1201', '1202', '1203', '1204', '1205', '1206', '1207']);

/**
 * Winlogbeat JSON of Windows Security and AD FS events: `winlog.event_id`, `winlog.event_data` (TargetUserName,
 * TargetDomainName, SubjectUserName, IpAddress, LogonType, Status, MemberName …), `winlog.computer_name`,
 * `winlog.record_id`. AD FS 1200–1207 carry their details as AuditBase XML in an event_data string (param2): for
 * them event.outcome comes from AuditResult, user.name/user.domain from UserId (`DOMAIN\user` split), source.ip
 * from IpAddress (else ForwardedIpAddress), service.name from a `urn:vps:<app>` RelyingParty, and 1200 says in
 * `vps.auth.mfa` / `vps.auth.mfa_method` whether a second factor was used (see addAdfsFields). Windows 4624 & co.
 * carry no MFA information and get no vps.auth. The winlog object is kept as it came.
 */
export function parseWindows(rec: RawRecord, value: unknown): ParserOutput {
  if (!isObject(value)) return new ParseFailure('Winlogbeat event must be a JSON object');
  const winlog = value.winlog;
  if (!isObject(winlog)) return new ParseFailure('missing required field winlog', 'winlog');
  const srcEvent = isObject(value.event) ? value.event : {};
  const code = str(winlog.event_id) ?? str(srcEvent.code);
  if (!code) return new ParseFailure('missing required field winlog.event_id', 'winlog.event_id');
  const ts = toIsoTimestamp(value['@timestamp'] ?? srcEvent.created);
  if (!ts) return new ParseFailure('@timestamp is missing or not a timestamp', '@timestamp');

  const data = isObject(winlog.event_data) ? winlog.event_data : {};
  // Only AD FS auditing events are searched for XML: the hot path of 4624 & co. never scans event_data strings.
  const adfs = ADFS_AUDIT_EVENTS.has(code) ? adfsAuditOf(data) : undefined;
  const kind = WINDOWS_EVENTS[code];
  let outcome: Outcome = kind?.outcome ?? 'unknown';
  if (code === '4776') outcome = str(data.Status)?.toLowerCase() === '0x0' ? 'success' : 'failure';
  if (adfs?.result === 'success' || adfs?.result === 'failure') outcome = adfs.result;

  const event: ParsedEvent = {
    '@timestamp': ts,
    event: {
      kind: 'event',
      code,
      category: kind?.category ?? (isObject(srcEvent) && Array.isArray(srcEvent.category) ? srcEvent.category : ['host']),
      type: kind?.type ?? ['info'],
      action: kind?.action ?? str(srcEvent.action) ?? `windows-event-${code}`,
      outcome,
      provider: str(winlog.provider_name) ?? str(srcEvent.provider),
    },
    winlog,
  };
  const computer = str(winlog.computer_name);
  const recordId = str(winlog.record_id);
  if (computer && recordId) event.event.id = `${computer}/${str(winlog.channel) ?? ''}/${recordId}`;
  const host = isObject(value.host) ? { ...value.host } : {};
  if (computer && !host.name) host.name = computer;
  if (Object.keys(host).length > 0) event.host = host;

  const target = str(data.TargetUserName);
  const targetDomain = str(data.TargetDomainName);
  const subject = str(data.SubjectUserName);
  const subjectDomain = str(data.SubjectDomainName);
  if (kind?.user === 'subject' && subject) {
    event.user = withDomain({ name: subject }, subjectDomain);
    if (GROUP_EVENTS.has(code)) {
      if (target) event.group = withDomain({ name: target }, targetDomain);
      const member = str(data.MemberName) ?? str(data.MemberSid);
      if (member) (event.user as Record<string, unknown>).target = { name: member };
    } else if (target) (event.user as Record<string, unknown>).target = withDomain({ name: target }, targetDomain);
  } else if (target) {
    event.user = withDomain({ name: target }, targetDomain);
  } else if (adfs?.userId) {
    event.user = accountOf(adfs.userId);
  } else if (isObject(value.user)) event.user = value.user;

  const src = endpoint(data.IpAddress) ?? adfsClient(adfs) ?? endpoint(data.ClientAddress);
  if (src) event.source = src;
  if (str(value.message)) event.message = str(value.message);
  if (adfs) addAdfsFields(event, code, adfs);
  return event;
}

function withDomain(user: { name: string }, domain: string | undefined): Record<string, unknown> {
  return domain && domain !== '-' ? { name: user.name, domain } : user;
}


/** `VPS\anna.k` → name anna.k, domain VPS; a UPN (`anna.k@vps.lv`) stays whole in user.name. */
function accountOf(id: string): Record<string, unknown> {
  const i = id.lastIndexOf('\\');
  return i > 0 && i < id.length - 1 ? withDomain({ name: id.slice(i + 1) }, id.slice(0, i)) : { name: id };
}

/**
 * What Sargs reads from an AD FS 2016+ audit (the AuditBase XML of events 1200–1207): AuditResult and FailureType;
 * ResourceAuditComponent RelyingParty and UserId; AuthNAuditComponent PrimaryAuth, MfaPerformed and MfaMethod;
 * RequestAuditComponent AuthProtocol, NetworkLocation, IpAddress, ForwardedIpAddress and UserAgentString.
 * Absent, empty (`<ForwardedIpAddress />`) and `N/A` values are undefined.
 */
export interface AdfsAudit {
  /** AuditResult in lower case: `success` or `failure`. */
  result?: string;
  failureType?: string;
  relyingParty?: string;
  userId?: string;
  primaryAuth?: string;
  mfaPerformed?: boolean;
  mfaMethod?: string;
  authProtocol?: string;
  networkLocation?: string;
  ipAddress?: string;
  forwardedIpAddress?: string;
  userAgent?: string;
}

/**
 * Reads the AD FS audit XML kept in a Winlogbeat event_data (param2, else any string holding `<AuditBase`), with
 * indexOf/slice on the known leaf elements: no XML parser on the intake hot path. Undefined when there is none.
 *
 * @example adfsAuditOf(winlog.event_data)?.mfaPerformed // true, false or undefined
 */
export function adfsAuditOf(data: Record<string, unknown>): AdfsAudit | undefined {
  const xml = auditXml(data);
  if (xml === undefined) return undefined;
  // Calls in document order (AD FS serialises the audit in a fixed order): each search starts where the last ended.
  const r = new LeafReader(xml);
  const result = r.leaf('<AuditResult>')?.toLowerCase();
  const failureType = r.leaf('<FailureType>');
  const relyingParty = r.leaf('<RelyingParty>');
  const userId = r.leaf('<UserId>');
  const primaryAuth = r.leaf('<PrimaryAuth>');
  const mfa = r.leaf('<MfaPerformed>')?.toLowerCase();
  return {
    result, failureType, relyingParty, userId, primaryAuth,
    mfaPerformed: mfa === 'true' ? true : mfa === 'false' ? false : undefined,
    mfaMethod: r.leaf('<MfaMethod>'),
    authProtocol: r.leaf('<AuthProtocol>'),
    networkLocation: r.leaf('<NetworkLocation>'),
    ipAddress: r.leaf('<IpAddress>'),
    forwardedIpAddress: r.leaf('<ForwardedIpAddress>'),
    userAgent: r.leaf('<UserAgentString>'),
  };
}

/** VPS relying party trusts are named `urn:vps:<app>`; the app is service.name in upper case (DOMAIN.md). */
export function vpsAppOfRelyingParty(rp: string | undefined): string | undefined {
  if (!rp || rp.length <= 8 || rp.slice(0, 8).toLowerCase() !== 'urn:vps:') return undefined;
  const app = rp.slice(8);
  return /^[a-z0-9-]+$/i.test(app) ? app.toUpperCase() : undefined;
}

/**
 * ECS fields of an AD FS audit: service.name, event.reason (FailureType), user_agent.original, and vps.auth.* (ECS
 * has no field for a second factor). `vps.auth.mfa` is set on 1200 only: MfaPerformed there says whether the sign-in
 * that got the token used a second factor (Microsoft, "AD FS logging": "an AD FS Auditing Event ID 1200 may contain
 * <MfaPerformed>true</MfaPerformed>"); on a failed credential check (1203) `false` only means it was never reached.
 */
function addAdfsFields(event: ParsedEvent, code: string, a: AdfsAudit): void {
  const app = vpsAppOfRelyingParty(a.relyingParty);
  if (app) event.service = { name: app };
  if (a.failureType && a.failureType !== 'None') event.event.reason = a.failureType;
  if (a.userAgent) event.user_agent = { original: a.userAgent };
  const auth = compact({
    mfa: code === '1200' ? a.mfaPerformed : undefined,
    mfa_method: code === '1200' ? a.mfaMethod : undefined,
    primary_method: a.primaryAuth,
    protocol: a.authProtocol,
    network_location: a.networkLocation,
    relying_party: a.relyingParty,
  });
  if (Object.keys(auth).length > 0) event.vps = { auth };
}

/** source.* of an AD FS audit: the client in IpAddress, else in ForwardedIpAddress (X-Forwarded-For). */
function adfsClient(a: AdfsAudit | undefined): { ip: string; address: string } | undefined {
  if (!a) return undefined;
  const ip = firstIp(a.ipAddress) ?? firstIp(a.forwardedIpAddress);
  return ip ? { ip, address: ip } : undefined;
}

/** The first address of a comma-separated list (the client: AD FS x-ms-forwarded-client-ip), an IPv4 port cut off. */
function firstIp(list: string | undefined): string | undefined {
  if (!list) return undefined;
  const comma = list.indexOf(',');
  let a = (comma < 0 ? list : list.slice(0, comma)).trim();
  const colon = a.indexOf(':');
  if (colon > 0 && colon === a.lastIndexOf(':')) a = a.slice(0, colon); // 198.51.100.7:51234
  return isIP(a) ? a : undefined;
}

function auditXml(data: Record<string, unknown>): string | undefined {
  const p2 = data.param2;
  if (typeof p2 === 'string' && p2.includes('<AuditBase')) return p2;
  for (const k in data) {
    const v = data[k];
    if (typeof v === 'string' && v.includes('<AuditBase')) return v;
  }
  return undefined;
}

/**
 * Text of `<Tag>` leaf elements: up to the next `<`, which text content cannot hold raw (XML 1.0 §2.4). Searches
 * from the end of the previous leaf, then from the start, so an element out of the usual order is still found.
 */
class LeafReader {
  private at = 0;
  constructor(private readonly xml: string) {}

  leaf(open: string): string | undefined {
    let i = this.xml.indexOf(open, this.at);
    if (i < 0 && this.at > 0) i = this.xml.indexOf(open);
    if (i < 0) return undefined;
    const start = i + open.length;
    const end = this.xml.indexOf('<', start);
    if (end < 0) return undefined;
    this.at = end;
    const v = this.xml.slice(start, end).trim();
    if (v === '' || v === 'N/A') return undefined;
    return v.includes('&') ? unescapeXml(v) : v;
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 §4.6 predefined entities and character references (an out-of-range reference is kept as written). */
function unescapeXml(v: string): string {
  return v.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const n = e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
  });
}
