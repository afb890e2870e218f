import { expandDotted, parseEcs } from './ecs';
import { fixtureLines } from './fixture-lines';
import { ParseFailure, type ParsedEvent } from './parser-types';

describe('parseEcs', () => {
  const [nested, dotted] = fixtureLines('ecs.ndjson');

  it('passes nested ECS through, keeping the given dataset and id', () => {
    const e = parseEcs({ raw: nested }, JSON.parse(nested)) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.000Z');
    expect(e.event).toEqual({ action: 'file-opened', category: ['file'], dataset: 'lietvaris.files', id: 'lv-123' });
    expect(e.vps).toEqual({ tenant: 'riga' });
    expect(e.file).toEqual({ path: 'C:\\Dok\\161175-19997.pdf' });
  });

  it('expands dotted keys and epoch-millisecond times', () => {
    const e = parseEcs({ raw: dotted }, JSON.parse(dotted)) as ParsedEvent;
    expect(e['@timestamp']).toBe('2024-03-05T08:15:30.123Z');
    expect(e.event).toEqual({ action: 'config-change', outcome: 'success' });
    expect(e.host).toEqual({ name: 'app01' });
    expect(e.vps).toEqual({ tenant: 'jurmala' });
  });

  it('drops fields Sargs sets itself', () => {
    const v = { '@timestamp': '2024-03-05T08:15:30Z', event: { module: 'x', created: 'y', ingested: 'z', original: 'o' } };
    expect((parseEcs({ raw: '' }, v) as ParsedEvent).event).toEqual({});
  });

  it('rejects missing or bad @timestamp, conflicts and prototype keys', () => {
    expect(parseEcs({ raw: '' }, { message: 'x' })).toEqual(new ParseFailure('missing required field @timestamp', '@timestamp'));
    expect((parseEcs({ raw: '' }, { '@timestamp': 'nope' }) as ParseFailure).field).toBe('@timestamp');
    expect(parseEcs({ raw: '' }, { '@timestamp': '2024-03-05T08:15:30Z', host: 'a', 'host.name': 'b' })).toBeInstanceOf(ParseFailure);
    const evil = JSON.parse('{"@timestamp":"2024-03-05T08:15:30Z","__proto__.polluted":"yes"}');
    expect(parseEcs({ raw: '' }, evil)).toBeInstanceOf(ParseFailure);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parseEcs({ raw: '' }, { '@timestamp': '2024-03-05T08:15:30Z', event: 'x' })).toBeInstanceOf(ParseFailure);
  });

  it('merges dotted and nested forms of one object', () => {
    expect(expandDotted({ 'a.b': 1, a: { c: 2 } })).toEqual({ a: { b: 1, c: 2 } });
  });
});
