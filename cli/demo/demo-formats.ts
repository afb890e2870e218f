/**
 * Renders demo activity in the real source formats of DOMAIN.md "Log sources": VPS application audit JSON,
 * Winlogbeat JSON (Windows Security 4624/4625 and AD FS 1200/1203), combined-format visvaris.lv access lines,
 * Oracle unified audit rows as JSON, and syslog lines (RFC 3164 and RFC 5424).
 */
import { rigaOffsetMinutes, rigaParts } from './riga-time';

/** The VPS application audit event (field order as VPS writes it). */
export interface VpsAuditEvent {
  ts: string;
  app: string;
  org: string;
  user: string;
  role: string;
  action: string;
  person: string | null;
  subject_org: string | null;
  category: string;
  purpose: string | null;
  record_id: string;
  outcome: 'success' | 'failure';
  ip: string;
  session: string;
}

/** One VPS audit event as a JSON line. */
export function vpsAuditLine(e: VpsAuditEvent): string {
  return JSON.stringify(e);
}

const WINLOGBEAT = { type: 'winlogbeat', version: '8.17.0', name: 'wlb' };

/** A Windows Security logon event (4624 success, 4625 failure) as Winlogbeat ships it. */
export function windowsLogonLine(o: {
  at: Date; success: boolean; user: string; domain: string; ip: string; workstation: string; dc: string;
  recordId: number; logonType: '2' | '3' | '10'; authPackage: 'Kerberos' | 'NTLM' | 'Negotiate';
}): string {
  const id = o.success ? 4624 : 4625;
  const data: Record<string, string> = {
    SubjectUserSid: 'S-1-0-0', TargetUserName: o.user, TargetDomainName: o.domain, LogonType: o.logonType,
    LogonProcessName: o.authPackage === 'Kerberos' ? 'Kerberos' : 'NtLmSsp', AuthenticationPackageName: o.authPackage,
    WorkstationName: o.workstation, IpAddress: o.ip, IpPort: String(49152 + (o.recordId % 16000)),
  };
  if (!o.success) Object.assign(data, { Status: '0xc000006d', SubStatus: '0xc000006a', FailureReason: '%%2313' });
  return JSON.stringify({
    '@timestamp': o.at.toISOString(),
    event: { code: String(id), kind: 'event', provider: 'Microsoft-Windows-Security-Auditing', action: o.success ? 'logged-in' : 'logon-failed', outcome: o.success ? 'success' : 'failure', created: o.at.toISOString() },
    winlog: { channel: 'Security', event_id: id, provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: o.dc, record_id: o.recordId, event_data: data },
    host: { name: o.dc },
    agent: WINLOGBEAT,
  });
}

/**
 * An AD FS audit event (1200 token issued, 1203 fresh credential validation failed) with the AD FS 2016+ XML
 * audit body in param2. MFA shows in AuthNAuditComponent: MfaPerformed / MfaMethod; a password-only login has
 * PrimaryAuth FormsAuthentication and MfaPerformed false.
 */
export function adfsLine(o: {
  at: Date; success: boolean; user: string; domain: string; ip: string; relyingParty: string;
  mfaMethod: string | null; recordId: number; activityId: string;
}): string {
  const id = o.success ? 1200 : 1203;
  const auth = o.success
    ? `<Component xsi:type="AuthNAuditComponent"><PrimaryAuth>FormsAuthentication</PrimaryAuth><DeviceAuth>false</DeviceAuth><DeviceId>N/A</DeviceId><MfaPerformed>${o.mfaMethod ? 'true' : 'false'}</MfaPerformed><MfaMethod>${o.mfaMethod ?? 'N/A'}</MfaMethod><TokenBindingProvidedId>false</TokenBindingProvidedId><TokenBindingReferredId>false</TokenBindingReferredId><SsoBindingValidationLevel>NotSet</SsoBindingValidationLevel></Component>`
    : '';
  const xml =
    `<?xml version="1.0" encoding="utf-16"?><AuditBase xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="${o.success ? 'AppTokenAudit' : 'FreshCredentialAudit'}">` +
    `<AuditType>${o.success ? 'AppToken' : 'FreshCredentials'}</AuditType><AuditResult>${o.success ? 'Success' : 'Failure'}</AuditResult>` +
    `<FailureType>${o.success ? 'None' : 'GenericError'}</FailureType><ErrorCode>N/A</ErrorCode><ContextComponents>` +
    `<Component xsi:type="ResourceAuditComponent"><RelyingParty>${o.relyingParty}</RelyingParty><ClaimsProvider>AD AUTHORITY</ClaimsProvider><UserId>${o.domain}\\${o.user}</UserId></Component>` +
    auth +
    `<Component xsi:type="RequestAuditComponent"><Server>http://adfs.vps.lv/adfs/services/trust</Server><AuthProtocol>WSFederation</AuthProtocol><NetworkLocation>Extranet</NetworkLocation><IpAddress>${o.ip}</IpAddress><ForwardedIpAddress>${o.ip}</ForwardedIpAddress><ProxyIpAddress>N/A</ProxyIpAddress><NetworkIpAddress>N/A</NetworkIpAddress><ProxyServer>adfsproxy01</ProxyServer><UserAgentString>Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36</UserAgentString><Endpoint>/adfs/ls/</Endpoint></Component>` +
    `</ContextComponents></AuditBase>`;
  return JSON.stringify({
    '@timestamp': o.at.toISOString(),
    event: { code: String(id), kind: 'event', provider: 'AD FS Auditing', outcome: o.success ? 'success' : 'failure', created: o.at.toISOString() },
    winlog: { channel: 'Security', event_id: id, provider_name: 'AD FS Auditing', computer_name: 'adfs01.vps.lv', record_id: o.recordId, event_data: { param1: o.activityId, param2: xml } },
    host: { name: 'adfs01.vps.lv' },
    agent: WINLOGBEAT,
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function offsetText(at: Date, colon: boolean): string {
  const off = rigaOffsetMinutes(at);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/** A visvaris.lv access line in the combined log format, timestamped in Riga local time. */
export function accessLine(o: { at: Date; ip: string; user: string | null; method: string; path: string; status: number; bytes: number; referer: string; agent: string }): string {
  const p = rigaParts(o.at);
  const time = `${pad(p.day)}/${MONTHS[p.month - 1]}/${p.year}:${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${offsetText(o.at, false)}`;
  return `${o.ip} - ${o.user ?? '-'} [${time}] "${o.method} ${o.path} HTTP/1.1" ${o.status} ${o.bytes} "${o.referer}" "${o.agent}"`;
}

/** An Oracle unified audit trail row (UNIFIED_AUDIT_TRAIL columns) as exported to JSON; times in UTC. */
export function oracleAuditLine(o: {
  at: Date; dbUser: string; osUser: string; host: string; program: string; action: string; schema: string; object: string;
  sql: string; returnCode: number; sessionId: number; policies: string;
}): string {
  return JSON.stringify({
    EVENT_TIMESTAMP: o.at.toISOString().replace('T', ' ').replace('Z', '000'),
    EVENT_TIMESTAMP_UTC: o.at.toISOString(),
    DBUSERNAME: o.dbUser, OS_USERNAME: o.osUser, USERHOST: o.host, TERMINAL: 'unknown', CLIENT_PROGRAM_NAME: o.program,
    SESSIONID: o.sessionId, ACTION_NAME: o.action, OBJECT_SCHEMA: o.schema, OBJECT_NAME: o.object, SQL_TEXT: o.sql,
    RETURN_CODE: o.returnCode, UNIFIED_AUDIT_POLICIES: o.policies, AUDIT_TYPE: 'Standard', DBID: 1234567890,
  });
}

/** A syslog line: RFC 5424 when `structured`, else RFC 3164 (Riga local time, no year). */
export function syslogLine(o: { at: Date; pri: number; host: string; app: string; pid?: number; msg: string; rfc5424: boolean }): string {
  if (o.rfc5424) {
    const local = new Date(o.at.getTime() + rigaOffsetMinutes(o.at) * 60000).toISOString().slice(0, 23);
    return `<${o.pri}>1 ${local}${offsetText(o.at, true)} ${o.host} ${o.app} ${o.pid ?? '-'} - - ${o.msg}`;
  }
  const p = rigaParts(o.at);
  const day = String(p.day).padStart(2, ' ');
  return `<${o.pri}>${MONTHS[p.month - 1]} ${day} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${o.host} ${o.app}${o.pid ? `[${o.pid}]` : ''}: ${o.msg}`;
}
