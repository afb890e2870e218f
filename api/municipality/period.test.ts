import { dueMonth } from './monthly-reports';
import { firstWorkingDay, historyWindows, rigaDay, rigaMonth, shiftMonth, wholeMonth } from './period';
import { periodOf } from './municipality.routes';

describe('Riga months and history windows', () => {
  test('a month runs from Riga midnight to Riga midnight, across DST changes', () => {
    expect(rigaMonth('2026-03')).toEqual({ from: '2026-02-28T22:00:00.000Z', to: '2026-03-31T21:00:00.000Z' }); // DST starts 29 March
    expect(rigaMonth('2026-10')).toEqual({ from: '2026-09-30T21:00:00.000Z', to: '2026-10-31T22:00:00.000Z' }); // DST ends 25 October
    expect(rigaMonth('2026-12').to).toBe('2026-12-31T22:00:00.000Z');
  });

  test('shiftMonth crosses years both ways', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
    expect(shiftMonth('2026-03', -6)).toBe('2025-09');
  });

  test('a calendar month is compared with the 6 months before it; any other period with 6 windows of its length', () => {
    const m = historyWindows(rigaMonth('2026-04'));
    expect(m.unit).toBe('months');
    expect(m.windows.map((w) => wholeMonth(w))).toEqual(['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    const week = historyWindows({ from: '2026-09-07T21:00:00.000Z', to: '2026-09-14T21:00:00.000Z' });
    expect(week.unit).toBe('periods');
    expect(week.windows[5]).toEqual({ from: '2026-08-31T21:00:00.000Z', to: '2026-09-07T21:00:00.000Z' });
    expect(week.windows[0].from).toBe('2026-07-27T21:00:00.000Z');
  });

  test('dates are Riga days; the end date is included', () => {
    expect(rigaDay('2026-07-01')).toBe('2026-06-30T21:00:00.000Z');
    expect(rigaDay('2026-07-31', true)).toBe('2026-07-31T21:00:00.000Z');
    expect(periodOf({ from: '2026-07-01', to: '2026-07-31' })).toEqual(rigaMonth('2026-07'));
    expect(periodOf({}, new Date('2026-11-30T23:00:00Z'))).toEqual(rigaMonth('2026-11')); // already 1 December in Riga
  });
});

describe('when the monthly report is due', () => {
  test('the first Latvian working day of the month', () => {
    expect(firstWorkingDay('2026-01')).toEqual({ year: 2026, month: 1, day: 2 }); // 1 January is a holiday
    expect(firstWorkingDay('2026-02')).toEqual({ year: 2026, month: 2, day: 2 }); // 1 February is a Sunday
    expect(firstWorkingDay('2027-05')).toEqual({ year: 2027, month: 5, day: 3 }); // 1 May holiday, then a weekend
    expect(firstWorkingDay('2026-10')).toEqual({ year: 2026, month: 10, day: 1 });
  });

  test('the previous month from the first working day on (Riga time), the one before until then', () => {
    expect(dueMonth(new Date('2026-01-01T12:00:00Z'))).toBe('2025-11');
    expect(dueMonth(new Date('2026-01-01T22:00:00Z'))).toBe('2025-12'); // 00:00 on 2 January in Riga
    expect(dueMonth(new Date('2026-02-01T10:00:00Z'))).toBe('2025-12');
    expect(dueMonth(new Date('2026-02-02T06:00:00Z'))).toBe('2026-01');
    expect(dueMonth(new Date('2026-10-01T07:00:00Z'))).toBe('2026-09');
    expect(dueMonth(new Date('2026-10-31T20:00:00Z'))).toBe('2026-09');
  });
});
