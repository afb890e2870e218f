import { loadTenants } from '../core/tenants';
import type { EcsEvent, IntakeContext, ParseResult } from '../core/types';
import { parseRecord } from './parse-record';
import { fixtureLines } from './parsers/fixture-lines';
import { personCodeDigitsProblem } from './person-code';
import { createPseudonymiser } from './pseudonymise';

const pseudonymiser = createPseudonymiser(Buffer.alloc(32, 9));
const tenants = loadTenants().ids;
const NOW = new Date('2024-03-05T12:00:00.000Z');
// keepOriginal 'all', so that every test also sees event.original scrubbed; the default is tested on its own.
const deps = { pseudonymiser, tenants, now: () => NOW, keepOriginal: 'all' as const };
const ctx = (over: Partial<IntakeContext> = {}): IntakeContext => ({
  tenant: 'riga', source: 'test', parser: 'auto', transport: 'http', receivedAt: '2024-03-05T11:59:59.000Z', ...over,
});
const ok = (r: ParseResult): EcsEvent => {
  if (!r.ok) throw new Error(`rejected: ${r.reason} (${r.field})`);
  return r.event;
};

/** Person codes left in clear: any DDDDDD-DDDDD, and bare 11-digit runs that validate. */
function clearCodes(event: unknown): string[] {
  const json = JSON.stringify(event);
  const hyphenated = json.match(/\b\d{6}-\d{5}\b/g) ?? [];
  const bare = (json.match(/\b\d{11}\b/g) ?? []).filter((d) => personCodeDigitsProblem(d) === undefined);
  return [...hyphenated, ...bare];
}

const samples: Array<[string, string, string]> = [
  ...fixtureLines('vps-audit.ndjson').map((l): [string, string, string] => ['vps-audit', l, 'vps_audit']),
  ...fixtureLines('oracle-audit.ndjson').map((l): [string, string, string] => ['oracle', l, 'oracle_audit']),
  ...fixtureLines('access.log').map((l): [string, string, string] => ['access.log', l, 'web_access']),
  ...fixtureLines('access.ndjson').map((l): [string, string, string] => ['access.ndjson', l, 'web_access']),
  ...fixtureLines('winlogbeat.ndjson').map((l): [string, string, string] => ['winlogbeat', l, 'windows']),
  ...fixtureLines('syslog.txt').filter((l) => !l.startsWith('<13>1 -')).map((l): [string, string, string] => ['syslog', l, 'syslog']),
  [('ecs'), fixtureLines('ecs.ndjson')[0], 'ecs'],
];

describe('parseRecord: every sample, auto-detected', () => {
  it.each(samples)('%s: %s', (_name, raw, module) => {
    const e = ok(parseRecord({ raw }, ctx(), deps));
    expect(e.event.module).toBe(module);
    expect(e.vps.tenant).toBe('riga');
    expect(e.event.created).toBe('2024-03-05T11:59:59.000Z');
    expect(e.event.ingested).toBe('2024-03-05T12:00:00.000Z');
    // The event time in base 36 (Lucene-friendly, near-sequential ids), then 16 bytes of HMAC.
    expect(e.event.id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{22}$/);
    expect(typeof e.event.dataset).toBe('string');
    expect(e['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(clearCodes(e)).toEqual([]);
  });

  it('reads CSV Oracle rows when the sender says so', () => {
    const [, row] = fixtureLines('oracle-audit.csv');
    const e = ok(parseRecord({ raw: row }, ctx({ parser: 'oracle_audit' }), deps));
    expect(e.event.dataset).toBe('oracle.audit');
    expect(clearCodes(e)).toEqual([]);
  });
});

describe('pseudonymisation of the stored event', () => {
  const [full] = fixtureLines('vps-audit.ndjson');

  it('stores the subject as a pseudonym and scrubs the message and event.original', () => {
    const e = ok(parseRecord({ raw: full }, ctx(), deps));
    const pk = pseudonymiser.person('161175-19997');
    expect(e.vps.subject).toEqual({ person: pk, organization: 'jurmala' });
    expect(e.message).toBe(`Skatīts klienta ${pk} pabalsta lēmums`);
    expect(e.event.original).toContain(`"person":"${pk}"`);
    expect(e.event.original).not.toContain('161175');
  });

  it('scrubs codes in SQL text, URLs, file paths and user names', () => {
    const oracle = ok(parseRecord({ raw: fixtureLines('oracle-audit.ndjson')[0] }, ctx(), deps));
    expect((oracle.oracle as { audit: { sql_text: string } }).audit.sql_text).toContain(pseudonymiser.person('16117519997'));
    const web = ok(parseRecord({ raw: fixtureLines('access.ndjson')[0] }, ctx(), deps));
    expect((web.url as { path: string }).path).toBe(`/api/persons/${pseudonymiser.person('16117519997')}`);
    const ecs = ok(
      parseRecord({ raw: '', value: { '@timestamp': '2024-03-05T10:00:00Z', user: { name: '161175-19997' }, tags: ['x 32345678901'] } }, ctx(), deps),
    );
    expect(ecs.user?.name).toBe(pseudonymiser.person('161175-19997'));
    expect(clearCodes(ecs)).toEqual([]);
  });

  it('renames keys that hold a person code', () => {
    const raw = JSON.stringify({ '@timestamp': '2024-03-05T10:00:00Z', labels: { '161175-19997': 'x', ok: 'y' } });
    const e = ok(parseRecord({ raw }, ctx(), deps));
    expect(e.labels).toEqual({ [pseudonymiser.person('161175-19997')]: 'x', ok: 'y' });
    expect(clearCodes(e)).toEqual([]);
  });
});

describe('event.dataset', () => {
  it('keeps a given dataset name and refuses unsafe ones', () => {
    const v = (dataset: string) => ({ '@timestamp': '2024-03-05T10:00:00Z', event: { dataset } });
    expect(ok(parseRecord({ raw: '', value: v('fortinet.firewall') }, ctx(), deps)).event.dataset).toBe('fortinet.firewall');
    expect(parseRecord({ raw: '', value: v('../../etc') }, ctx(), deps)).toMatchObject({ ok: false, field: 'event.dataset' });
  });
});

describe('event ids', () => {
  const [line] = fixtureLines('access.log');

  it('are deterministic per tenant, dataset and raw text', () => {
    const a = ok(parseRecord({ raw: line }, ctx(), deps)).event.id;
    expect(ok(parseRecord({ raw: line }, ctx({ receivedAt: '2024-03-05T11:00:00Z' }), deps)).event.id).toBe(a);
    expect(ok(parseRecord({ raw: line }, ctx({ tenant: 'jurmala' }), deps)).event.id).not.toBe(a);
    expect(ok(parseRecord({ raw: line + ' ' }, ctx(), deps)).event.id).not.toBe(a);
  });

  it('follow the id the source gave, whatever the rest of the text', () => {
    const v = JSON.parse(fixtureLines('winlogbeat.ndjson')[0]);
    const a = ok(parseRecord({ raw: JSON.stringify(v) }, ctx(), deps)).event.id;
    const b = ok(parseRecord({ raw: JSON.stringify({ ...v, agent: { name: 'other' } }) }, ctx(), deps)).event.id;
    expect(b).toBe(a);
  });
});

describe('tenant resolution', () => {
  const [full, crossOrg, noPerson] = fixtureLines('vps-audit.ndjson');
  const central = ctx({ tenant: '*' });

  it('a central sender: vps.tenant, else organization.id of VPS audit events', () => {
    expect(ok(parseRecord({ raw: full }, central, deps)).vps.tenant).toBe('riga'); // org
    expect(ok(parseRecord({ raw: crossOrg }, central, deps)).vps.tenant).toBe('riga'); // tenant field over org vid
    expect(ok(parseRecord({ raw: noPerson }, central, deps)).vps.tenant).toBe('adazu-novads');
    expect(ok(parseRecord({ raw: fixtureLines('ecs.ndjson')[1] }, central, deps)).vps.tenant).toBe('jurmala');
    expect(ok(parseRecord({ raw: fixtureLines('syslog.txt')[0] }, central, deps)).vps.tenant).toBe('riga');
  });

  it('a central sender: rejects events that do not name their tenant', () => {
    expect(parseRecord({ raw: fixtureLines('access.log')[0] }, central, deps)).toMatchObject({ ok: false, field: 'vps.tenant' });
    const oracle = parseRecord({ raw: fixtureLines('oracle-audit.ndjson')[0] }, central, deps);
    expect(oracle).toMatchObject({ ok: false, field: 'vps.tenant' });
  });

  it('a tenant-scoped sender: rejects an event naming another tenant', () => {
    const r = parseRecord({ raw: fixtureLines('ecs.ndjson')[1] }, ctx(), deps);
    expect(r).toEqual({ ok: false, reason: 'event names tenant jurmala, but the sender may only send for riga', field: 'vps.tenant' });
  });

  it('a tenant-scoped sender: the acting organisation may differ (cross-municipality access)', () => {
    const e = ok(parseRecord({ raw: full }, ctx({ tenant: 'jurmala' }), deps));
    expect(e.vps.tenant).toBe('jurmala');
    expect(e.organization?.id).toBe('riga');
  });

  it('rejects unknown tenants, from the event or the sender, without quoting person codes', () => {
    const v = { '@timestamp': '2024-03-05T10:00:00Z', vps: { tenant: 'atlantis' } };
    expect(parseRecord({ raw: '', value: v }, ctx({ tenant: '*' }), deps)).toEqual({
      ok: false, reason: 'unknown tenant atlantis', field: 'vps.tenant',
    });
    expect(parseRecord({ raw: fixtureLines('access.log')[0] }, ctx({ tenant: 'nowhere' }), deps)).toMatchObject({
      ok: false, field: 'vps.tenant',
    });
    const sneaky = parseRecord({ raw: '', value: { ...v, vps: { tenant: '161175-19997' } } }, ctx({ tenant: '*' }), deps);
    expect(sneaky.ok).toBe(false);
    expect(clearCodes(sneaky)).toEqual([]);
  });
});

describe('timestamps', () => {
  const at = (ts: string) => parseRecord({ raw: '', value: { '@timestamp': ts } }, ctx(), deps);

  it('accepts up to a day ahead of now, rejects later with the field name', () => {
    expect(at('2024-03-06T11:59:00Z').ok).toBe(true);
    expect(at('2024-03-06T12:00:01Z')).toEqual({ ok: false, reason: '@timestamp is more than a day in the future', field: '@timestamp' });
  });

  it('rejects unparseable and missing timestamps with the field name', () => {
    expect(at('gestern')).toMatchObject({ ok: false, field: '@timestamp' });
    expect(parseRecord({ raw: '<13>1 - - - - - - hello' }, ctx(), deps)).toMatchObject({ ok: false, field: '@timestamp' });
    expect(parseRecord({ raw: '{"app":"NINO","user":"u","action":"view","org":"riga","ts":"later"}' }, ctx(), deps)).toMatchObject({
      ok: false, field: 'ts',
    });
  });
});

describe('malformed input: rejected with a reason, never thrown', () => {
  it.each([
    ['empty line', ''],
    ['whitespace', '   \t'],
    ['garbage', '\u0000\u0001 binary ~~~ garbage'],
    ['truncated JSON', '{"ts":"2024-03-05T10:00:00Z","app":"SOPA","person":"161175-19997'],
    ['JSON array', '[1,2,3]'],
    ['unrecognised JSON', '{"hello":"world"}'],
    ['number', '12345'],
    ['bad PRI', '<999>1 2024-03-05T10:00:00Z h a - - - x'],
  ])('%s', (_name, raw) => {
    const r = parseRecord({ raw }, ctx(), deps);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason.length).toBeGreaterThan(0);
      expect(r.reason).not.toContain('161175');
    }
  });

  it('wrong parser for the record', () => {
    expect(parseRecord({ raw: fixtureLines('syslog.txt')[0] }, ctx({ parser: 'windows' }), deps)).toMatchObject({ ok: false });
    expect(parseRecord({ raw: 'not a csv' }, ctx({ parser: 'oracle_audit' }), deps)).toMatchObject({ ok: false });
  });

  it('a value whose fields throw when read', () => {
    const value = { '@timestamp': '2024-03-05T10:00:00Z', get winlog(): unknown { throw new Error('boom'); } };
    expect(parseRecord({ raw: 'x', value }, ctx(), deps)).toEqual({ ok: false, reason: 'parser error: Error' });
  });

  it('by default keeps event.original for text lines only: JSON records are stored field by field', () => {
    const dflt = { pseudonymiser, tenants, now: () => NOW };
    const line = '<38>Mar  5 10:15:30 fw01 sshd[2231]: Failed password for 161175-19997 from 203.0.113.9 port 4242 ssh2';
    const text = ok(parseRecord({ raw: line }, ctx(), dflt));
    expect(text.event.original).toBe(line.replace('161175-19997', pseudonymiser.person('161175-19997')));
    const [json] = fixtureLines('vps-audit.ndjson');
    expect(ok(parseRecord({ raw: json }, ctx(), dflt)).event.original).toBeUndefined();
    expect(ok(parseRecord({ raw: line }, ctx(), { ...dflt, keepOriginal: 'none' })).event.original).toBeUndefined();
  });

  it('a decoded value without raw text: event.original is its JSON', () => {
    const value = { '@timestamp': '2024-03-05T10:00:00Z', message: 'hi' };
    const json = JSON.stringify(value); // before: parseRecord takes the decoded value over and completes it in place
    expect(ok(parseRecord({ raw: '', value }, ctx(), deps)).event.original).toBe(json);
  });
});

describe('scrubbing shortcut', () => {
  it('a person code spelled with JSON \\u escapes in the raw text is still scrubbed', () => {
    // "161175-19997" with every digit escaped: the raw text has no run of six digits, the decoded value has the code.
    const esc = '161175-19997'.replace(/\d/g, (d) => `\\u003${d}`);
    const raw = `{"@timestamp":"2024-03-05T10:00:00Z","message":"viewed ${esc}"}`;
    const e = ok(parseRecord({ raw }, ctx(), deps));
    expect(e.message).toBe(`viewed ${pseudonymiser.person('161175-19997')}`);
    expect(clearCodes(e)).toEqual([]);
    // …in event.original too, where the escaped digits are written as digits and then pseudonymised.
    expect(e.event.original).toBe(`{"@timestamp":"2024-03-05T10:00:00Z","message":"viewed ${pseudonymiser.person('161175-19997')}"}`);
  });
});
