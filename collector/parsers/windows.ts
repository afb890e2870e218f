import { endpoint, isObject, ParseFailure, str, type ParsedEvent, type ParserOutput } from './parser-types';
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

/**
 * Winlogbeat JSON of Windows Security and AD FS events: `winlog.event_id`, `winlog.event_data` (TargetUserName,
 * TargetDomainName, SubjectUserName, IpAddress, LogonType, Status, MemberName …), `winlog.computer_name`,
 * `winlog.record_id`. AD FS 1200–1206 carry their details as XML in an event_data string (`<UserId>`,
 * `<IpAddress>`). The winlog object is kept as it came.
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
  const adfs = adfsDetails(data);
  const kind = WINDOWS_EVENTS[code];
  let outcome: Outcome = kind?.outcome ?? 'unknown';
  if (code === '4776') outcome = str(data.Status)?.toLowerCase() === '0x0' ? 'success' : 'failure';

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

  const target = str(data.TargetUserName) ?? adfs.user;
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
  } else if (isObject(value.user)) event.user = value.user;

  const src = endpoint(data.IpAddress) ?? endpoint(adfs.ip) ?? endpoint(data.ClientAddress);
  if (src) event.source = src;
  if (str(value.message)) event.message = str(value.message);
  return event;
}

function withDomain(user: { name: string }, domain: string | undefined): Record<string, unknown> {
  return domain && domain !== '-' ? { name: user.name, domain } : user;
}

/** AD FS auditing events carry an XML AuditBase document in one of their event_data strings. */
function adfsDetails(data: Record<string, unknown>): { user?: string; ip?: string } {
  for (const k in data) {
    const v = data[k];
    if (typeof v !== 'string' || !v.includes('<UserId>')) continue;
    const user = /<UserId>([^<]*)<\/UserId>/.exec(v)?.[1];
    // The first address of a comma-separated forwarded list is the client (AD FS x-ms-forwarded-client-ip).
    const ip = /<IpAddress>([^<,]*)/.exec(v)?.[1]?.trim();
    return { user: user || undefined, ip: ip || undefined };
  }
  return {};
}
