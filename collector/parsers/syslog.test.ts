import { createPseudonymiser } from '../pseudonymise';
import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';
import { parseSyslog } from './syslog';

const deps = { pseudonymiser: createPseudonymiser(Buffer.alloc(32, 1)), receivedAt: new Date('2024-03-05T09:00:00Z') };
const lines = fixtureLines('syslog.txt');
const parse = (raw: string, d = deps) => parseSyslog({ raw }, undefined, d);

describe('parseSyslog RFC 5424', () => {
  it('reads header, structured data (escapes) and the sargs SD that sets tenant and app', () => {
    const e = parse(lines[0]) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.123Z');
    expect(e.log).toEqual({
      syslog: {
        priority: 165,
        facility: { code: 20, name: 'local4' },
        severity: { code: 5, name: 'notice' },
        version: 1,
        hostname: 'app01.vps.local',
        appname: 'NINO',
        procid: '4123',
        msgid: 'ID47',
        structured_data: {
          'sargs@53595': { tenant: 'riga', app: 'nino' },
          'exampleSDID@32473': { iut: '3', eventSource: 'Application', note: 'a "quoted" ] value' },
        },
      },
    });
    expect(e.host).toEqual({ name: 'app01.vps.local' });
    expect(e.process).toEqual({ name: 'NINO', pid: 4123 });
    expect(e.vps).toEqual({ tenant: 'riga' });
    expect(e.service).toEqual({ name: 'NINO' });
    expect(e.message).toBe('Lietotājs skatīja 161175-19997 datus');
  });

  it('handles nil values and a missing message', () => {
    const e = parse(lines[1]) as ParsedEvent;
    expect(e.process).toEqual({ name: 'su' });
    expect(e.message).toBe("'su root' failed for lonvick on /dev/pts/8");
    const nil = parse(lines[2]) as ParsedEvent;
    expect(nil['@timestamp']).toBeUndefined(); // parse-record rejects: no time
    expect(nil.message).toBeUndefined();
  });

  it('rejects bad PRI, broken structured data and non-RFC 3339 times', () => {
    expect(parse('<192>1 2024-03-05T08:15:30Z h a - - - x')).toBeInstanceOf(ParseFailure);
    expect(parse('no pri')).toBeInstanceOf(ParseFailure);
    expect(parse('<13>1 2024-03-05T08:15:30Z h a - - [x a="unterminated')).toBeInstanceOf(ParseFailure);
    expect((parse('<13>1 2024-13-05T08:15:30Z h a - - - x') as ParseFailure).field).toBe('@timestamp');
    expect(parse('<13>1 2024-03-05T08:15:30Z')).toBeInstanceOf(ParseFailure);
  });
});

describe('parseSyslog RFC 3164', () => {
  it('reads Mmm dd hh:mm:ss host tag[pid]: as Riga time in the year of receipt', () => {
    const e = parse(lines[3]) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    expect(e.host).toEqual({ name: 'fw01' });
    expect(e.process).toEqual({ name: 'sshd', pid: 2231 });
    expect((e.log as { syslog: Record<string, unknown> }).syslog).toMatchObject({ appname: 'sshd', procid: '2231', priority: 38 });
    expect(e.message).toBe('Failed password for root from 203.0.113.9 port 4242 ssh2');
  });

  it('reads a year when given, and RFC 3339 times in the BSD layout', () => {
    expect((parse(lines[4]) as ParsedEvent)['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    const r = parse(lines[5]) as ParsedEvent;
    expect(r['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    expect(r.host).toEqual({ name: 'web01' });
    expect(r.message).toBe('reload');
  });

  it('puts a December message received in January into the previous year', () => {
    const e = parse('<38>Dec 31 23:59:00 h t: m', { ...deps, receivedAt: new Date('2025-01-01T00:00:30Z') }) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-12-31T21:59:00.000Z');
  });

  it('uses the receipt time when the message has none (RFC 3164 §4.3.3)', () => {
    const e = parse(lines[6]) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T09:00:00.000Z');
    expect(e.process).toEqual({ name: 'cron' });
  });

  it('reads FortiGate key=value bodies', () => {
    const e = parse(lines[7]) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    expect(e.observer).toMatchObject({ name: 'FGT-RIGA', vendor: 'Fortinet' });
    expect(e.source).toEqual({ ip: '10.20.30.40', address: '10.20.30.40', port: 51234 });
    expect(e.destination).toEqual({ ip: '198.51.100.7', address: '198.51.100.7', port: 443 });
    expect(e.event).toMatchObject({ action: 'deny' });
  });
});
