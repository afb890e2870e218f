import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';
import { adfsAuditOf, parseWindows, vpsAppOfRelyingParty } from './windows';

const events = fixtureLines('winlogbeat.ndjson').map((raw) => parseWindows({ raw }, JSON.parse(raw)) as ParsedEvent);

describe('parseWindows', () => {
  it('4624: logged-in, the account that logged on, source.ip from IpAddress, a source id for deduplication', () => {
    const e = events[0];
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.511Z');
    expect(e.event).toMatchObject({
      code: '4624', action: 'logged-in', outcome: 'success', category: ['authentication'], type: ['start'],
      id: 'dc01.vps.local/Security/8812331', provider: 'Microsoft-Windows-Security-Auditing',
    });
    expect(e.user).toEqual({ name: 'janis.berzins', domain: 'VPS' });
    expect(e.source).toEqual({ ip: '10.20.30.40', address: '10.20.30.40' });
    expect(e.host).toEqual({ name: 'dc01.vps.local' });
    expect((e.winlog as { event_data: { LogonType: string } }).event_data.LogonType).toBe('10');
  });

  it('4625: logon-failed, failure (event_id as a string too)', () => {
    expect(events[1].event).toMatchObject({ code: '4625', action: 'logon-failed', outcome: 'failure' });
    expect(events[1].source).toEqual({ ip: '203.0.113.50', address: '203.0.113.50' });
    expect(events[1].host).toEqual({ name: 'dc01.vps.local' });
  });

  it('4740: account-locked names the locked account', () => {
    expect(events[2].event).toMatchObject({ code: '4740', action: 'account-locked', category: ['iam'] });
    expect(events[2].user).toEqual({ name: 'anna.k', domain: 'VPS' });
  });

  it('4728: the administrator as user, the group and the member as target', () => {
    expect(events[3].event).toMatchObject({ action: 'added-member-to-group', type: ['group', 'change'] });
    expect(events[3].user).toEqual({ name: 'it.admin', domain: 'VPS', target: { name: 'CN=Anna K,OU=Riga,DC=vps,DC=local' } });
    expect(events[3].group).toEqual({ name: 'SOPA_Lietvezi', domain: 'VPS' });
  });

  it('4720: user-account-created with the new account as target', () => {
    expect(events[4].event).toMatchObject({ action: 'user-account-created', type: ['user', 'creation'] });
    expect(events[4].user).toEqual({ name: 'it.admin', domain: 'VPS', target: { name: 'new.user', domain: 'VPS' } });
  });

  it('4624: says nothing about a second factor (no vps.auth, no service.name)', () => {
    expect(events[0].vps).toBeUndefined();
    expect(events[0].service).toBeUndefined();
  });

  it('AD FS 1203: failure from AuditResult, reason, DOMAIN\\user split, the client from the IpAddress list, no MFA verdict', () => {
    const e = events[5];
    expect(e.event).toMatchObject({ code: '1203', action: 'adfs-credentials-failed', outcome: 'failure', reason: 'CredentialValidationError', id: 'adfs01.vps.lv/Security/5512' });
    expect(e.user).toEqual({ name: 'anna.k', domain: 'VPS' });
    expect(e.source).toEqual({ ip: '198.51.100.23', address: '198.51.100.23' });
    expect(e.service).toBeUndefined(); // the relying party is the AD FS trust itself, not a VPS application
    // MfaPerformed false on a failed credential check only means the second factor was never reached.
    expect(e.vps).toEqual({ auth: { protocol: 'WSFederation', network_location: 'Extranet', relying_party: 'http://adfs.vps.lv/adfs/services/trust' } });
    expect(e.user_agent).toEqual({ original: expect.stringContaining('Chrome/131.0.0.0') });
  });

  it('AD FS 1200 with MFA: vps.auth.mfa true and the method, service.name from urn:vps:<app>, a UPN kept whole', () => {
    const e = events[6];
    expect(e.event).toMatchObject({ code: '1200', action: 'adfs-token-issued', outcome: 'success', category: ['authentication'], type: ['start'] });
    expect(e.event.reason).toBeUndefined(); // FailureType None
    expect(e.user).toEqual({ name: 'janis.berzins@vps.lv' });
    expect(e.service).toEqual({ name: 'LIETVARIS' });
    expect(e.source).toEqual({ ip: '10.20.30.40', address: '10.20.30.40' });
    expect(e.vps).toEqual({
      auth: { mfa: true, mfa_method: 'Smart-ID', primary_method: 'FormsAuthentication', protocol: 'WSFederation', network_location: 'Intranet', relying_party: 'urn:vps:lietvaris' },
    });
    expect(typeof (e.winlog as { event_data: { param2: string } }).event_data.param2).toBe('string'); // the XML is kept
  });

  it('AD FS 1200 password only: vps.auth.mfa false without a method, the client from ForwardedIpAddress when IpAddress is N/A', () => {
    const e = events[7];
    expect(e.event).toMatchObject({ code: '1200', outcome: 'success' });
    expect(e.user).toEqual({ name: 'liga.o', domain: 'RIGA' });
    expect(e.service).toEqual({ name: 'SOPA' });
    expect(e.source).toEqual({ ip: '203.0.113.9', address: '203.0.113.9' }); // port cut, proxy hop dropped
    expect(e.vps).toEqual({ auth: { mfa: false, primary_method: 'FormsAuthentication', protocol: 'SAMLP', network_location: 'Extranet', relying_party: 'urn:vps:sopa' } });
  });

  it('reads AD FS XML from any event_data string, unescapes entities, and ignores XML on non-AD FS events', () => {
    const xml = '<AuditBase><AuditResult>Success</AuditResult><ContextComponents><Component><RelyingParty>urn:vps:NINO</RelyingParty><UserId>VPS\\o&apos;brien</UserId></Component><Component><MfaPerformed>True</MfaPerformed><MfaMethod>eParaksts &amp; mobile</MfaMethod></Component></ContextComponents></AuditBase>';
    const e = parseWindows({ raw: '' }, { '@timestamp': '2026-07-03T08:00:00Z', winlog: { event_id: '1200', event_data: { Data: xml } } }) as ParsedEvent;
    expect(e.user).toEqual({ name: "o'brien", domain: 'VPS' });
    expect(e.service).toEqual({ name: 'NINO' });
    expect(e.vps).toEqual({ auth: { mfa: true, mfa_method: 'eParaksts & mobile', relying_party: 'urn:vps:NINO' } });
    expect(adfsAuditOf({ param2: '<AuditBase><UserId>N/A</UserId><IpAddress></IpAddress><ForwardedIpAddress /></AuditBase>' })).toEqual({});
    expect(adfsAuditOf({ param1: 'no xml' })).toBeUndefined();
    const w = parseWindows({ raw: '' }, { '@timestamp': '2026-07-03T08:00:00Z', winlog: { event_id: 4624, event_data: { Data: xml } } }) as ParsedEvent;
    expect(w.vps).toBeUndefined();
    expect(w.user).toBeUndefined();
  });

  it('maps only urn:vps:<app> relying parties to service.name', () => {
    expect(vpsAppOfRelyingParty('urn:vps:lietvaris')).toBe('LIETVARIS');
    expect(vpsAppOfRelyingParty('URN:VPS:sopa')).toBe('SOPA');
    expect(vpsAppOfRelyingParty('urn:vps:')).toBeUndefined();
    expect(vpsAppOfRelyingParty('urn:vps:a/b')).toBeUndefined();
    expect(vpsAppOfRelyingParty('urn:federation:MicrosoftOnline')).toBeUndefined();
  });

  it('keeps unknown event ids with a generic action', () => {
    const v = { '@timestamp': '2024-03-05T08:00:00Z', winlog: { event_id: 5156, computer_name: 'x' } };
    expect((parseWindows({ raw: '' }, v) as ParsedEvent).event).toMatchObject({ code: '5156', action: 'windows-event-5156' });
  });

  it('rejects events without winlog, event id or time', () => {
    expect(parseWindows({ raw: '' }, { '@timestamp': '2024-03-05T08:00:00Z' })).toEqual(
      new ParseFailure('missing required field winlog', 'winlog'),
    );
    expect((parseWindows({ raw: '' }, { '@timestamp': '2024-03-05T08:00:00Z', winlog: {} }) as ParseFailure).field).toBe(
      'winlog.event_id',
    );
    expect((parseWindows({ raw: '' }, { winlog: { event_id: 4624 } }) as ParseFailure).field).toBe('@timestamp');
  });
});
