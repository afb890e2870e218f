import { createTimestampParser } from './timestamp-ms';

describe('createTimestampParser', () => {
  it('agrees with Date.parse on canonical, other and invalid timestamps, in and out of order', () => {
    const ms = createTimestampParser();
    const base = Date.UTC(2026, 11, 1, 10, 0, 0);
    const samples: string[] = [];
    for (let i = 0; i < 3000; i += 7) samples.push(new Date(base + i).toISOString());
    samples.push('2026-12-01T10:00:00Z', '2026-12-01T12:00:00.5+02:00', '2026-12-01T10:00:00.12xZ', 'not a time', '2026-02-30T00:00:00.000Z');
    samples.push(new Date(base - 5000).toISOString(), new Date(base + 1).toISOString());
    for (const s of samples) expect([s, ms(s)]).toEqual([s, Date.parse(s)]);
  });
});
