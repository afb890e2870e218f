import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';
import { parseWindows } from './windows';

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

  it('AD FS 1203 and 1200: user and client address from the AuditBase XML', () => {
    expect(events[5].event).toMatchObject({ code: '1203', action: 'adfs-credentials-failed', outcome: 'failure' });
    expect(events[5].user).toEqual({ name: 'VPS\\anna.k' });
    expect(events[5].source).toEqual({ ip: '198.51.100.23', address: '198.51.100.23' });
    expect(events[6].event).toMatchObject({ code: '1200', action: 'adfs-token-issued', outcome: 'success' });
    expect(events[6].user).toEqual({ name: 'janis.berzins@vps.lv' });
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
