import { compileDetection } from './compile';
import { newContext, resetContext } from './field-path';

/** Matches `event` against a detection section (Sigma spec examples, https://sigmahq.io/docs/basics/modifiers.html). */
function matches(detection: Record<string, unknown>, event: unknown): boolean {
  const m = compileDetection(detection);
  const ctx = newContext();
  resetContext(ctx, event);
  return m(event, ctx);
}
const sel = (s: Record<string, unknown>, condition = 'sel') => ({ sel: s, condition });

describe('Sigma field matching', () => {
  it('plain values are case-insensitive equality; a list is OR', () => {
    expect(matches(sel({ 'event.action': 'Export' }), { event: { action: 'export' } })).toBe(true);
    expect(matches(sel({ 'event.action': 'export' }), { event: { action: 'exports' } })).toBe(false);
    expect(matches(sel({ 'event.action': ['print', 'export'] }), { event: { action: 'EXPORT' } })).toBe(true);
  });
  it('dotted keys, nested objects and arrays (any element)', () => {
    expect(matches(sel({ 'event.action': 'x' }), { 'event.action': 'x' })).toBe(true);
    expect(matches(sel({ 'user.roles': 'admin' }), { user: { roles: ['clerk', 'Admin'] } })).toBe(true);
    expect(matches(sel({ 'user.roles': 'admin' }), { user: { roles: ['clerk'] } })).toBe(false);
  });
  it('numbers compare numerically and match their string form (event.code "4624")', () => {
    expect(matches(sel({ 'event.code': 4624 }), { event: { code: '4624' } })).toBe(true);
    expect(matches(sel({ 'event.code': '4624' }), { event: { code: 4624 } })).toBe(true);
    expect(matches(sel({ 'n': 1 }), { n: 1.0 })).toBe(true);
  });
  it('booleans', () => {
    expect(matches(sel({ 'vps.auth.mfa': false }), { vps: { auth: { mfa: false } } })).toBe(true);
    expect(matches(sel({ 'vps.auth.mfa': false }), { vps: { auth: { mfa: true } } })).toBe(false);
  });
  it('null matches a missing or null field', () => {
    expect(matches(sel({ 'vps.purpose': null }), { vps: {} })).toBe(true);
    expect(matches(sel({ 'vps.purpose': null }), { vps: { purpose: null } })).toBe(true);
    expect(matches(sel({ 'vps.purpose': null }), { vps: { purpose: 'x' } })).toBe(false);
    expect(matches(sel({ 'vps.purpose': [null, ''] }), { vps: { purpose: '' } })).toBe(true);
  });
  it('wildcards * and ?, and escapes \\* \\? \\\\', () => {
    expect(matches(sel({ 'url.path': '/app/*/klients' }), { url: { path: '/APP/sopa/Klients' } })).toBe(true);
    expect(matches(sel({ 'user.name': 'adm?n' }), { user: { name: 'admin' } })).toBe(true);
    expect(matches(sel({ 'user.name': 'adm?n' }), { user: { name: 'admn' } })).toBe(false);
    expect(matches(sel({ 'f': 'a\\*b' }), { f: 'a*b' })).toBe(true);
    expect(matches(sel({ 'f': 'a\\*b' }), { f: 'axxb' })).toBe(false);
    expect(matches(sel({ 'f': 'a\\?' }), { f: 'a?' })).toBe(true);
    expect(matches(sel({ 'f': 'c:\\\\temp' }), { f: 'c:\\temp' })).toBe(true);
    expect(matches(sel({ 'f': 'c:\\windows' }), { f: 'C:\\Windows' })).toBe(true);
    expect(matches(sel({ 'f': 'a.c' }), { f: 'abc' })).toBe(false);
  });
});

describe('Sigma modifiers', () => {
  it('contains', () => {
    expect(matches(sel({ 'url.original|contains': 'union select' }), { url: { original: '/x?id=1 UNION SELECT 1' } })).toBe(true);
    expect(matches(sel({ 'url.original|contains': 'union select' }), { url: { original: '/x?id=1' } })).toBe(false);
  });
  it('startswith', () => {
    expect(matches(sel({ 'user.name|startswith': 'svc_' }), { user: { name: 'SVC_backup' } })).toBe(true);
    expect(matches(sel({ 'user.name|startswith': 'svc_' }), { user: { name: 'x_svc_' } })).toBe(false);
  });
  it('endswith', () => {
    expect(matches(sel({ 'file.name|endswith': '.exe' }), { file: { name: 'A.EXE' } })).toBe(true);
    expect(matches(sel({ 'file.name|endswith': '.exe' }), { file: { name: 'a.exe.txt' } })).toBe(false);
  });
  it('all: every value must match', () => {
    const d = sel({ 'cmd|contains|all': ['net', 'user', '/add'] });
    expect(matches(d, { cmd: 'net user bob /add' })).toBe(true);
    expect(matches(d, { cmd: 'net user bob' })).toBe(false);
  });
  it('re (case-sensitive), re|i, and inline (?i)', () => {
    expect(matches(sel({ 'f|re': '^ab+c$' }), { f: 'abbbc' })).toBe(true);
    expect(matches(sel({ 'f|re': '^ab+c$' }), { f: 'ABBC' })).toBe(false);
    expect(matches(sel({ 'f|re|i': '^ab+c$' }), { f: 'ABBC' })).toBe(true);
    expect(matches(sel({ 'f|re': '(?i)^ab+c$' }), { f: 'ABBC' })).toBe(true);
  });
  it('cased', () => {
    expect(matches(sel({ 'f|cased': 'Admin' }), { f: 'Admin' })).toBe(true);
    expect(matches(sel({ 'f|cased': 'Admin' }), { f: 'admin' })).toBe(false);
    expect(matches(sel({ 'f|contains|cased': 'Adm' }), { f: 'xadmx' })).toBe(false);
  });
  it('cidr IPv4 and IPv6', () => {
    const d = sel({ 'source.ip|cidr': ['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', 'fe80::/10'] });
    expect(matches(d, { source: { ip: '10.20.30.40' } })).toBe(true);
    expect(matches(d, { source: { ip: '192.168.2.1' } })).toBe(false);
    expect(matches(d, { source: { ip: '2001:db8:1::5' } })).toBe(true);
    expect(matches(d, { source: { ip: '2001:db9::1' } })).toBe(false);
    expect(matches(d, { source: { ip: 'fe80::1%eth0' } })).toBe(true);
    expect(matches(d, { source: { ip: 'not-an-ip' } })).toBe(false);
    expect(matches(sel({ 'ip|cidr': '::ffff:0:0/96' }), { ip: '::ffff:10.0.0.1' })).toBe(true);
  });
  it('exists', () => {
    expect(matches(sel({ 'vps.purpose|exists': true }), { vps: { purpose: 'x' } })).toBe(true);
    expect(matches(sel({ 'vps.purpose|exists': true }), { vps: {} })).toBe(false);
    expect(matches(sel({ 'vps.purpose|exists': false }), { vps: {} })).toBe(true);
  });
  it('lt, lte, gt, gte (numbers, numeric strings)', () => {
    expect(matches(sel({ 'n|lt': 7 }), { n: 6 })).toBe(true);
    expect(matches(sel({ 'n|lt': 7 }), { n: 7 })).toBe(false);
    expect(matches(sel({ 'n|lte': 7 }), { n: '7' })).toBe(true);
    expect(matches(sel({ 'n|gt': 100 }), { n: 101 })).toBe(true);
    expect(matches(sel({ 'n|gte': 100 }), { n: 99 })).toBe(false);
    expect(matches(sel({ 'n|gte': 100 }), { n: 'abc' })).toBe(false);
  });
  it('windash: - and / and dash look-alikes', () => {
    const d = sel({ 'cmd|windash|contains': ' -enc ' });
    expect(matches(d, { cmd: 'powershell /enc AAA' })).toBe(true);
    expect(matches(d, { cmd: 'powershell-enc AAA' })).toBe(false); // the leading space is part of the value
    expect(matches(sel({ 'cmd|windash|contains': '-enc' }), { cmd: 'powershell /enc AAA' })).toBe(true);
    expect(matches(sel({ 'cmd|windash|contains': '-enc' }), { cmd: 'powershell \u2013enc AAA' })).toBe(true);
  });
  it('base64 and base64offset', () => {
    expect(matches(sel({ 'f|base64': 'http://' }), { f: Buffer.from('http://').toString('base64') })).toBe(true);
    const enc = (s: string) => Buffer.from(s).toString('base64');
    for (const prefix of ['', 'a', 'ab']) {
      expect(matches(sel({ 'f|base64offset|contains': 'http://' }), { f: enc(`${prefix}http://evil`) })).toBe(true);
    }
  });
  it('fieldref compares with another field', () => {
    expect(matches(sel({ 'user.name|fieldref': 'vps.subject.name' }), { user: { name: 'a' }, vps: { subject: { name: 'a' } } })).toBe(true);
    expect(matches(sel({ 'user.name|fieldref': 'vps.subject.name' }), { user: { name: 'a' }, vps: { subject: { name: 'b' } } })).toBe(false);
  });
  it('an unknown modifier is refused at compile time', () => {
    expect(() => compileDetection(sel({ 'f|expand': 'x' }))).toThrow(/unknown modifier "expand"/);
  });
  it('a bad regex and a bad CIDR are refused at compile time', () => {
    expect(() => compileDetection(sel({ 'f|re': '(' }))).toThrow(/invalid regular expression/);
    expect(() => compileDetection(sel({ 'f|cidr': '10.0.0.0/33' }))).toThrow(/prefix length/);
  });
});

describe('Sigma condition grammar', () => {
  const d = (condition: string | string[]) => ({
    sel_a: { a: 1 },
    sel_b: { b: 1 },
    filter: { c: 1 },
    _hidden: { z: 1 },
    condition,
  });
  const ev = (a: number, b: number, c: number, z = 0) => ({ a, b, c, z });
  it('and', () => {
    expect(matches(d('sel_a and sel_b'), ev(1, 1, 0))).toBe(true);
    expect(matches(d('sel_a and sel_b'), ev(1, 0, 0))).toBe(false);
  });
  it('or', () => {
    expect(matches(d('sel_a or sel_b'), ev(0, 1, 0))).toBe(true);
    expect(matches(d('sel_a or sel_b'), ev(0, 0, 1))).toBe(false);
  });
  it('not', () => {
    expect(matches(d('sel_a and not filter'), ev(1, 0, 0))).toBe(true);
    expect(matches(d('sel_a and not filter'), ev(1, 0, 1))).toBe(false);
  });
  it('precedence: not > and > or; parentheses override', () => {
    expect(matches(d('sel_a or sel_b and filter'), ev(1, 0, 0))).toBe(true);
    expect(matches(d('(sel_a or sel_b) and filter'), ev(1, 0, 0))).toBe(false);
    expect(matches(d('not sel_a or sel_b'), ev(0, 0, 0))).toBe(true);
    expect(matches(d('not (sel_a or sel_b)'), ev(0, 1, 0))).toBe(false);
  });
  it('1 of pattern / all of pattern', () => {
    expect(matches(d('1 of sel_*'), ev(0, 1, 0))).toBe(true);
    expect(matches(d('all of sel_*'), ev(0, 1, 0))).toBe(false);
    expect(matches(d('all of sel_*'), ev(1, 1, 0))).toBe(true);
  });
  it('1 of them / all of them skip identifiers starting with _', () => {
    expect(matches(d('1 of them'), ev(0, 0, 0, 1))).toBe(false);
    expect(matches(d('1 of them'), ev(0, 0, 1))).toBe(true);
    expect(matches(d('all of them'), ev(1, 1, 1, 0))).toBe(true);
  });
  it('a list of conditions is OR', () => {
    expect(matches(d(['sel_a', 'sel_b']), ev(0, 1, 0))).toBe(true);
  });
  it('a list of maps is OR; keywords search message', () => {
    expect(matches({ sel: [{ a: 1 }, { b: 1 }], condition: 'sel' }, { b: 1 })).toBe(true);
    expect(matches({ kw: ['failed password', 'invalid user'], condition: 'kw' }, { message: 'sshd: Failed password for root' })).toBe(true);
  });
  it('syntax errors and unknown identifiers are refused', () => {
    expect(() => compileDetection(d('sel_a and'))).toThrow(/ends unexpectedly/);
    expect(() => compileDetection(d('sel_x'))).toThrow(/unknown search identifier "sel_x"/);
    expect(() => compileDetection(d('1 of nope*'))).toThrow(/matches no search identifier/);
    expect(() => compileDetection(d('(sel_a or sel_b'))).toThrow(/missing "\)"/);
    expect(() => compileDetection(d('sel_a | count() > 5'))).toThrow(/correlation rule/);
  });
});

describe('Sargs Riga pseudo-fields (Europe/Riga, DST-safe)', () => {
  const hour = (h: number, op = 'lt') => sel({ [`sargs.riga.hour|${op}`]: h });
  it('winter: UTC+2', () => {
    // 2026-01-15 05:30Z = 07:30 Riga
    expect(matches(sel({ 'sargs.riga.hour': 7 }), { '@timestamp': '2026-01-15T05:30:00Z' })).toBe(true);
  });
  it('summer: UTC+3', () => {
    expect(matches(sel({ 'sargs.riga.hour': 8 }), { '@timestamp': '2026-07-15T05:30:00Z' })).toBe(true);
  });
  it('across the spring-forward change (29 March 2026 01:00Z)', () => {
    expect(matches(sel({ 'sargs.riga.hour': 2 }), { '@timestamp': '2026-03-29T00:59:59Z' })).toBe(true);
    expect(matches(sel({ 'sargs.riga.hour': 4 }), { '@timestamp': '2026-03-29T01:00:00Z' })).toBe(true);
  });
  it('across the fall-back change (25 October 2026 01:00Z)', () => {
    expect(matches(sel({ 'sargs.riga.hour': 3 }), { '@timestamp': '2026-10-25T00:30:00Z' })).toBe(true);
    expect(matches(sel({ 'sargs.riga.hour': 3 }), { '@timestamp': '2026-10-25T01:30:00Z' })).toBe(true);
    expect(matches(sel({ 'sargs.riga.hour': 4 }), { '@timestamp': '2026-10-25T02:30:00Z' })).toBe(true);
  });
  it('hour comparisons and a missing timestamp', () => {
    expect(matches(hour(7), { '@timestamp': '2026-11-02T04:00:00Z' })).toBe(true); // 06:00 Riga
    expect(matches(hour(7), { '@timestamp': '2026-11-02T05:00:00Z' })).toBe(false); // 07:00 Riga
    expect(matches(hour(7), {})).toBe(false);
  });
  it('working day: weekday, weekend, holiday, local date near midnight', () => {
    const wd = (v: boolean) => sel({ 'sargs.riga.working_day': v });
    expect(matches(wd(true), { '@timestamp': '2026-11-17T10:00:00Z' })).toBe(true); // Tuesday
    expect(matches(wd(false), { '@timestamp': '2026-11-18T10:00:00Z' })).toBe(true); // 18 November
    expect(matches(wd(false), { '@timestamp': '2026-11-21T10:00:00Z' })).toBe(true); // Saturday
    // Friday 2026-11-20 22:30Z is Saturday 00:30 in Riga
    expect(matches(wd(false), { '@timestamp': '2026-11-20T22:30:00Z' })).toBe(true);
    expect(matches(wd(true), { '@timestamp': '2026-11-20T21:30:00Z' })).toBe(true);
  });
});
