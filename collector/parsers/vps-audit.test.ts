import { createPseudonymiser } from '../pseudonymise';
import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';
import { parseVpsAudit } from './vps-audit';

const pseudonymiser = createPseudonymiser(Buffer.alloc(32, 7));
const deps = { pseudonymiser, receivedAt: new Date('2024-03-05T09:00:00Z') };
const parse = (raw: string) => parseVpsAudit({ raw }, JSON.parse(raw), deps);

describe('parseVpsAudit', () => {
  const [full, crossOrg, noPerson] = fixtureLines('vps-audit.ndjson');

  it('maps the documented shape to ECS and vps.*', () => {
    const e = parse(full) as ParsedEvent;
    expect(e).not.toBeInstanceOf(ParseFailure);
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.123Z');
    expect(e.event).toEqual({
      kind: 'event', category: ['database'], type: ['access'], action: 'view', outcome: 'success', id: 'sopa-evt-000001',
    });
    expect(e.service).toEqual({ name: 'SOPA' });
    expect(e.organization).toEqual({ id: 'riga' });
    expect(e.user).toEqual({ name: 'janis.berzins', id: 'u-1042', roles: ['SOPA_LIETVEDIS', 'SOPA_SKATITAJS'] });
    expect(e.vps).toEqual({
      subject: { person: pseudonymiser.person('161175-19997'), organization: 'jurmala' },
      data_category: 'social_assistance',
      purpose: 'SP-2024/118',
      record: { id: 'SOPA-77812' },
      session: { id: 'a81f0c2e' },
    });
    expect(e.source).toEqual({ ip: '10.20.30.40', address: '10.20.30.40' });
  });

  it('reads zone-less times as Riga time, new-format codes, denied as failure, a named tenant', () => {
    const e = parse(crossOrg) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:16:02.000Z'); // EET = UTC+2 in March
    expect(e.service).toEqual({ name: 'PERS' });
    expect(e.event.outcome).toBe('failure');
    expect(e.vps?.subject?.person).toBe(pseudonymiser.person('32345678901'));
    expect(e.vps?.tenant).toBe('riga');
    expect(e.user).toEqual({ name: 'inspektors7', roles: ['PERS_LOOKUP'] });
  });

  it('accepts an event without a data subject', () => {
    const e = parse(noPerson) as ParsedEvent;
    expect(e.vps?.subject).toBeUndefined();
    expect(e.event.type).toEqual(['access']);
  });

  it.each(['ts', 'app', 'org', 'user', 'action'])('rejects an event without %s, naming the field', (f) => {
    const v = JSON.parse(full);
    delete v[f];
    const r = parseVpsAudit({ raw: JSON.stringify(v) }, v, deps);
    expect(r).toEqual(new ParseFailure(`missing required field ${f}`, f));
  });

  it('rejects an invalid person code with the reason, never the code', () => {
    const v = { ...JSON.parse(full), person: '161175-19998' };
    const r = parseVpsAudit({ raw: '' }, v, deps) as ParseFailure;
    expect(r).toBeInstanceOf(ParseFailure);
    expect(r.field).toBe('person');
    expect(r.reason).toMatch(/check digit/);
    expect(r.reason).not.toMatch(/161175/);
  });

  it('rejects a bad timestamp and a non-object', () => {
    expect(parseVpsAudit({ raw: '' }, { ...JSON.parse(full), ts: '5. marts' }, deps)).toEqual(
      new ParseFailure('ts is not an ISO 8601 timestamp', 'ts'),
    );
    expect(parseVpsAudit({ raw: '"x"' }, 'x', deps)).toBeInstanceOf(ParseFailure);
  });
});
