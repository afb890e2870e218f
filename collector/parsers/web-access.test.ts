import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';
import { clfTimestamp, parseWebAccess } from './web-access';

describe('parseWebAccess', () => {
  const [page, login, notModified] = fixtureLines('access.log');

  it('maps a combined log format line', () => {
    const e = parseWebAccess({ raw: page }, undefined) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T10:15:30.000Z');
    expect(e.event).toMatchObject({ category: ['web'], type: ['access'], outcome: 'success' });
    expect(e.source).toEqual({ ip: '10.20.30.40', address: '10.20.30.40' });
    expect(e.user).toEqual({ name: 'janis' });
    expect(e.http).toEqual({
      request: { method: 'GET', referrer: 'https://visvaris.lv/app/sopa' },
      response: { status_code: 200, body: { bytes: 5123 } },
      version: '1.1',
    });
    expect(e.url).toEqual({
      original: '/app/sopa/klients?pk=161175-19997&tab=lemumi', path: '/app/sopa/klients', query: 'pk=161175-19997&tab=lemumi',
    });
    expect(e.user_agent).toEqual({ original: expect.stringContaining('Chrome/126.0') });
  });

  it('marks 4xx as failure, reads IPv6, "-" bytes, and common log format without referrer', () => {
    const l = parseWebAccess({ raw: login }, undefined) as ParsedEvent;
    expect(l.event.outcome).toBe('failure');
    expect(l.source).toEqual({ ip: '2001:db8::7', address: '2001:db8::7' });
    expect((l.http as { response: unknown }).response).toEqual({ status_code: 401, body: undefined });
    const n = parseWebAccess({ raw: notModified }, undefined) as ParsedEvent;
    expect(n.event.outcome).toBe('success');
    expect(n.user_agent).toBeUndefined();
  });

  it('maps nginx-style JSON', () => {
    const [raw] = fixtureLines('access.ndjson');
    const e = parseWebAccess({ raw }, JSON.parse(raw)) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    expect(e.event).toMatchObject({ outcome: 'failure', duration: 12_000_000 });
    expect(e.url).toEqual({ original: '/api/persons/16117519997', path: '/api/persons/16117519997', domain: 'visvaris.lv' });
    expect(e.http).toMatchObject({ request: { method: 'GET' }, response: { status_code: 403, body: { bytes: 153 } } });
    expect(e.user).toBeUndefined();
  });

  it('rejects other text and bad JSON fields', () => {
    expect(parseWebAccess({ raw: 'hello world' }, undefined)).toBeInstanceOf(ParseFailure);
    expect((parseWebAccess({ raw: '' }, { time: '2024-03-05T10:00:00Z', status: 'x' }) as ParseFailure).field).toBe('status');
    expect((parseWebAccess({ raw: '' }, { status: 200 }) as ParseFailure).field).toBe('time');
  });

  it('parses CLF times and rejects impossible ones', () => {
    expect(clfTimestamp('29/Feb/2024:23:59:59 -0100')).toBe('2024-03-01T00:59:59.000Z');
    expect(clfTimestamp('30/Feb/2024:10:00:00 +0000')).toBeUndefined();
    expect(clfTimestamp('05/Foo/2024:10:00:00 +0000')).toBeUndefined();
  });
});
