import { coverageCsv, csvCell, lvDateTime, lvPercent } from './coverage-csv';
import { accountName, logonMfaOf, methodId } from './logon-mfa';
import type { MfaCoverage } from './mfa-coverage.service';

describe('coverage CSV (Latvian Excel)', () => {
  it('neutralises formulas (OWASP CSV injection) and quotes separators, quotes and line breaks', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+371')).toBe("'+371");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM')).toBe("'@SUM");
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
  });

  it('writes decimal commas and Riga date-times across DST', () => {
    expect(lvPercent(2 / 3)).toBe('66,7');
    expect(lvPercent(1)).toBe('100,0');
    expect(lvDateTime('2026-07-01T21:30:00Z')).toBe('02.07.2026 00:30:00');
    expect(lvDateTime('2026-12-01T21:30:00Z')).toBe('01.12.2026 23:30:00');
  });

  it('has a BOM, a header row, ; separators and CRLF line ends in every part', () => {
    const c: MfaCoverage = {
      generatedAt: '2026-07-10T12:00:00.000Z',
      totals: { accounts: 1, withFactor: 0, share: 0, withoutFactor: 1, passwordOnlyLogins: 0 },
      rows: [{ tenant: 'adazu-novads', tenantName: 'Ādažu novads', application: 'NINO', required: true, deadline: '2026-07-02', methods: ['totp'], accounts: 1, withFactor: 0, share: 0, byMethod: { totp: 0, webauthn: 0 }, withoutFactor: 1, passwordOnlyLogins: 0 }],
      withoutFactor: [{ tenant: 'adazu-novads', application: 'NINO', username: '=cmd', role: null, source: 'events', lastSeenAt: null, enrolled: false, required: true, deadline: '2026-07-02' }],
      passwordOnlyLogins: [],
      truncated: false,
    };
    expect(coverageCsv(c)).toBe(
      '\uFEFFtenant;tenant_name;application;mfa_required;deadline;accounts;with_factor;share_percent;totp;webauthn;without_factor;password_only_logins_after_deadline\r\n' +
        'adazu-novads;Ādažu novads;NINO;jā;02.07.2026;1;0;0,0;0;0;1;0\r\n',
    );
    expect(coverageCsv(c, 'without-factor').split('\r\n')[1]).toBe("adazu-novads;NINO;'=cmd;;events;;nē;jā;02.07.2026");
    expect(coverageCsv(c, 'password-only')).toBe('\uFEFFtime;tenant;application;username;source_ip;event_id;deadline\r\n');
  });
});

describe('MFA in logon events', () => {
  it('normalises account names and method names', () => {
    expect(accountName('VPS\\Anna.K')).toBe('anna.k');
    expect(accountName('janis.berzins@vps.lv')).toBe('janis.berzins');
    expect(methodId('eParaksts mobile')).toBe('eparaksts-mobile');
    expect(methodId('N/A')).toBeUndefined();
  });

  it('prefers vps.auth.mfa when a parser sets it, and says nothing for a 4624 logon', () => {
    const base = { '@timestamp': '2026-07-03T00:00:00Z', event: { id: '1', code: '4624', action: 'logged-in' }, user: { name: 'anna.k' } };
    expect(logonMfaOf({ ...base, vps: { tenant: 'riga' } }).mfa).toBeUndefined();
    expect(logonMfaOf({ ...base, service: { name: 'nino' }, vps: { tenant: 'riga', auth: { mfa: false, mfa_method: 'N/A' } } })).toEqual({ username: 'anna.k', application: 'NINO', mfa: false, method: undefined });
  });
});
