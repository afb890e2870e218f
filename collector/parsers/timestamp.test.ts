import { isoFromEpoch, toIsoTimestamp, wallTimeToUtc } from './timestamp';

describe('toIsoTimestamp', () => {
  it.each([
    ['2024-03-05T10:15:30.123Z', '2024-03-05T10:15:30.123Z'],
    ['2024-03-05T10:15:30.123456789+02:00', '2024-03-05T08:15:30.123Z'],
    ['2024-03-05 10:15:30,5 -0130', '2024-03-05T11:45:30.500Z'],
    ['2024-07-05T10:15:30', '2024-07-05T07:15:30.000Z'], // zone-less: Riga summer time UTC+3
    ['2024-01-05 10:15', '2024-01-05T08:15:00.000Z'], // Riga winter time UTC+2
    [1709626530123, '2024-03-05T08:15:30.123Z'],
    [1709626530, '2024-03-05T08:15:30.000Z'],
    ['1709626530123', '2024-03-05T08:15:30.123Z'],
  ])('%s → %s', (v, iso) => expect(toIsoTimestamp(v)).toBe(iso));

  it.each([['2024-02-30T10:00:00Z'], ['2023-02-29T00:00:00.000Z'], ['2024-03-05T24:00:00Z'], ['soon'], [''], [null], [-5], [{}]])(
    'rejects %p',
    (v) => expect(toIsoTimestamp(v)).toBeUndefined(),
  );
});

describe('wallTimeToUtc (Europe/Riga)', () => {
  it('follows the EU DST changes (last Sunday of March and October, 01:00 UTC)', () => {
    expect(new Date(wallTimeToUtc(2024, 3, 31, 2, 30, 0, 0)).toISOString()).toBe('2024-03-31T00:30:00.000Z');
    expect(new Date(wallTimeToUtc(2024, 3, 31, 4, 30, 0, 0)).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(new Date(wallTimeToUtc(2024, 10, 27, 2, 30, 0, 0)).toISOString()).toBe('2024-10-26T23:30:00.000Z');
    expect(new Date(wallTimeToUtc(2024, 10, 27, 5, 0, 0, 0)).toISOString()).toBe('2024-10-27T03:00:00.000Z');
  });
});

describe('isoFromEpoch', () => {
  it('equals toISOString, in and out of order', () => {
    const samples = [0, 1, 999, 1000, 1709626530123, 1709626530005, 1709626530999, 1709626531000, -1, -1001, 253402300799999,
      253402300800000, -62167219200001];
    for (let i = 0; i < 1000; i++) samples.push(Math.floor(Math.random() * 4e12) - 1e12);
    for (const ms of samples) expect(isoFromEpoch(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('toIsoTimestamp on a stream (the last valid second is remembered)', () => {
  it('agrees with a fresh parse for canonical times in one second and for near-misses after them', () => {
    const base = '2026-12-01T10:00:00.';
    const seq = [`${base}000Z`, `${base}123Z`, `${base}999Z`, `${base}12xZ`, `${base}1234`, `${base}123+`, '2026-12-01T10:00:01.000Z', '2026-02-30T10:00:00.000Z', `${base}5Z`];
    for (const v of seq) {
      const expected = v.length === 24 && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v ? v : undefined;
      if (expected !== undefined) expect(toIsoTimestamp(v)).toBe(v);
      else expect(toIsoTimestamp(v)).not.toBe(v);
    }
  });
});
