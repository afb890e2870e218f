import { adfsLine, windowsLogonLine } from '../../cli/demo/demo-formats';
import type { ParsedEvent } from '../../collector/parsers/parser-types';
import { parseWindows } from '../../collector/parsers/windows';
import type { EcsEvent } from '../../core/types';
import { logonMfaOf } from './logon-mfa';

/** A Winlogbeat line through the real parser, with the tenant intake adds (collector/parse-record.ts). */
function stored(raw: string): EcsEvent {
  const p = parseWindows({ raw }, JSON.parse(raw)) as ParsedEvent;
  return { ...p, '@timestamp': p['@timestamp']!, event: { ...p.event, id: 'x' }, vps: { ...p.vps, tenant: 'riga' } } as EcsEvent;
}
const adfs = (mfaMethod: string | null, success = true) =>
  stored(adfsLine({ at: new Date('2026-07-03T08:00:00Z'), success, user: 'Anna.K', domain: 'VPS', ip: '198.51.100.7', relyingParty: 'urn:vps:lietvaris', mfaMethod, recordId: 1, activityId: 'a' }));

describe('logonMfaOf on parsed AD FS and Windows events', () => {
  it('reads the ECS fields the parser sets on AD FS 1200: with and without a second factor', () => {
    const withMfa = adfs('Smart-ID');
    expect(withMfa.vps.auth).toMatchObject({ mfa: true, mfa_method: 'Smart-ID' });
    expect(logonMfaOf(withMfa)).toEqual({ username: 'anna.k', application: 'LIETVARIS', mfa: true, method: 'smart-id' });
    expect(logonMfaOf(adfs(null))).toEqual({ username: 'anna.k', application: 'LIETVARIS', mfa: false, method: undefined });
  });

  it('gives the same answer from the kept XML when a 1200 was stored without vps.auth, service.name or a split user', () => {
    for (const method of ['eParaksts mobile', null]) {
      const e = adfs(method);
      const legacy = { ...e, service: undefined, user: { name: 'VPS\\Anna.K' }, vps: { tenant: 'riga' } } as EcsEvent;
      expect(logonMfaOf(legacy)).toEqual(logonMfaOf(e));
    }
  });

  it('says nothing about MFA for a failed AD FS credential check (1203) or a Windows 4624 logon', () => {
    expect(logonMfaOf(adfs(null, false)).mfa).toBeUndefined();
    const logon = stored(windowsLogonLine({ at: new Date('2026-07-03T07:00:00Z'), success: true, user: 'anna.k', domain: 'VPS', ip: '10.0.0.1', workstation: 'WS1', dc: 'dc01', recordId: 9, logonType: '2', authPackage: 'Kerberos' }));
    expect(logonMfaOf(logon)).toEqual({ username: 'anna.k', application: undefined });
  });
});
