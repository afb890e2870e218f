import { fixtureLines } from './fixture-lines';
import { parseOracleAudit, splitCsvLine } from './oracle-audit';
import { ParseFailure, type ParsedEvent } from './parser-types';

describe('parseOracleAudit', () => {
  it('maps a JSON row, preferring EVENT_TIMESTAMP_UTC', () => {
    const [raw] = fixtureLines('oracle-audit.ndjson');
    const e = parseOracleAudit({ raw }, JSON.parse(raw)) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.123Z');
    expect(e.event).toEqual({ kind: 'event', category: ['database'], type: ['access'], action: 'select', outcome: 'success' });
    expect(e.user).toEqual({ name: 'SOPA_APP' });
    expect(e.source).toEqual({ address: 'app01.vps.local' });
    expect(e.process).toEqual({ name: 'JDBC Thin Client' });
    expect((e.oracle as { audit: Record<string, unknown> }).audit).toMatchObject({
      object_schema: 'SOPA', object_name: 'KLIENTI', return_code: 0, unified_audit_policies: 'SOPA_PII_READ',
    });
  });

  it('maps a failed LOGON: outcome failure, ORA- error code, zone-less time as Riga time', () => {
    const [, raw] = fixtureLines('oracle-audit.ndjson');
    const e = parseOracleAudit({ raw }, JSON.parse(raw)) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:20:01.000Z');
    expect(e.event).toMatchObject({ category: ['authentication', 'database'], type: ['start'], outcome: 'failure' });
    expect(e.error).toEqual({ code: 'ORA-01017' });
    expect(e.source).toEqual({ ip: '10.1.1.9', address: '10.1.1.9' });
  });

  it('reads CSV lines in the documented column order, with RFC 4180 quoting', () => {
    const [header, update, del] = fixtureLines('oracle-audit.csv');
    expect(parseOracleAudit({ raw: header }, undefined)).toBeInstanceOf(ParseFailure);
    const u = parseOracleAudit({ raw: update }, undefined) as ParsedEvent;
    expect(u['@timestamp']).toBe('2024-03-05T08:15:30.500Z');
    expect(u.event).toMatchObject({ action: 'update', type: ['change'], outcome: 'success' });
    expect((u.oracle as { audit: Record<string, unknown> }).audit.sql_text).toBe(
      `UPDATE PERS.DEKLARACIJAS SET ADRESE = 'Brīvības iela 1, "Rīga"' WHERE PK = '16117519997'`,
    );
    const d = parseOracleAudit({ raw: del }, undefined) as ParsedEvent;
    expect(d.event).toMatchObject({ action: 'delete', type: ['deletion'], outcome: 'failure' });
    expect(d.error).toEqual({ code: 'ORA-02292' });
  });

  it('rejects short or broken CSV and rows without a time', () => {
    expect(parseOracleAudit({ raw: 'a,b,c' }, undefined)).toBeInstanceOf(ParseFailure);
    expect(parseOracleAudit({ raw: '2024-03-05T08:15:30Z,"open' }, undefined)).toBeInstanceOf(ParseFailure);
    expect(parseOracleAudit({ raw: '' }, { ACTION_NAME: 'SELECT' })).toEqual(
      new ParseFailure('missing required field EVENT_TIMESTAMP', 'EVENT_TIMESTAMP'),
    );
    expect((parseOracleAudit({ raw: '' }, { EVENT_TIMESTAMP: 'yesterday', ACTION_NAME: 'SELECT' }) as ParseFailure).field).toBe(
      'EVENT_TIMESTAMP',
    );
  });

  it('splits CSV cells', () => {
    expect(splitCsvLine('a,"b,""c""",,d')).toEqual(['a', 'b,"c"', '', 'd']);
    expect(splitCsvLine('a,')).toEqual(['a', '']);
  });
});
