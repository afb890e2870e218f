import { isLatvianWorkingDay, rigaLocalToUtc, rigaOffsetMinutes, rigaParts } from './riga-time';

describe('riga-time', () => {
  it('knows Latvian public holidays (DOMAIN.md "Working days")', () => {
    expect(isLatvianWorkingDay({ year: 2026, month: 4, day: 3 })).toBe(false); // Good Friday 2026
    expect(isLatvianWorkingDay({ year: 2026, month: 4, day: 6 })).toBe(false); // Easter Monday 2026
    expect(isLatvianWorkingDay({ year: 2026, month: 11, day: 18 })).toBe(false);
    expect(isLatvianWorkingDay({ year: 2028, month: 11, day: 20 })).toBe(false); // 18 Nov 2028 is a Saturday
    expect(isLatvianWorkingDay({ year: 2026, month: 5, day: 4 })).toBe(false);
    expect(isLatvianWorkingDay({ year: 2026, month: 11, day: 24 })).toBe(true);
    expect(isLatvianWorkingDay({ year: 2026, month: 11, day: 28 })).toBe(false); // Saturday
  });

  it('converts Riga wall-clock time across DST', () => {
    expect(rigaLocalToUtc({ year: 2026, month: 1, day: 15 }, 9 * 60).toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(rigaLocalToUtc({ year: 2026, month: 7, day: 15 }, 9 * 60).toISOString()).toBe('2026-07-15T06:00:00.000Z');
    expect(rigaOffsetMinutes(new Date('2026-03-29T00:59:59Z'))).toBe(120);
    expect(rigaOffsetMinutes(new Date('2026-03-29T01:00:00Z'))).toBe(180);
    expect(rigaParts(new Date('2026-10-25T00:30:00Z'))).toMatchObject({ day: 25, hour: 3, minute: 30 });
    expect(rigaParts(new Date('2026-10-25T01:30:00Z'))).toMatchObject({ day: 25, hour: 3, minute: 30 });
  });
});
