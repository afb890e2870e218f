import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createWorkingCalendar,
  daysInMonth,
  easterSunday,
  isoDate,
  latvianPublicHolidays,
  loadWorkingCalendar,
  parseCalendarData,
  parseIsoDate,
} from './working-days';

const law = createWorkingCalendar();
const d = (s: string) => parseIsoDate(s)!;
const iso = (x: Date) => x.toISOString();

describe('Easter by the Gregorian computus', () => {
  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'], // the latest possible date
    [2285, '2285-03-22'], // the earliest possible date
  ])('Easter Sunday %i is %s; Good Friday and Easter Monday are days off', (year, date) => {
    expect(isoDate(easterSunday(year))).toBe(date);
    const names = latvianPublicHolidays(year).map((h) => h.nameEn);
    expect(names).toEqual(expect.arrayContaining(['Good Friday', 'Easter Sunday', 'Easter Monday']));
  });

  it('2026: Good Friday 3 April and Easter Monday 6 April are not working days; 2 and 7 April are', () => {
    expect(law.isWorkingDay(d('2026-04-03'))).toBe(false);
    expect(law.isWorkingDay(d('2026-04-06'))).toBe(false);
    expect(law.isWorkingDay(d('2026-04-02'))).toBe(true);
    expect(law.isWorkingDay(d('2026-04-07'))).toBe(true);
  });
});

describe('public holidays', () => {
  it('lists the fixed days of 2026 (all on weekdays or weekends as they fall)', () => {
    const dates = latvianPublicHolidays(2026).map((h) => h.date);
    expect(dates).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-05', '2026-04-06', '2026-05-01', '2026-05-04', '2026-06-23', '2026-06-24',
      '2026-11-18', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31',
    ]);
  });

  it.each([
    ['2024-05-04', '2024-05-06'], // Saturday -> Monday
    ['2025-05-04', '2025-05-05'], // Sunday -> Monday
    ['2030-05-04', '2030-05-06'],
    ['2023-11-18', '2023-11-20'], // Saturday -> Monday
    ['2028-11-18', '2028-11-20'],
    ['2029-11-18', '2029-11-19'], // Sunday -> Monday
  ])('%s on a weekend moves the day off to Monday %s', (day, monday) => {
    expect(law.isWorkingDay(d(day))).toBe(false);
    expect(law.isWorkingDay(d(monday))).toBe(false);
    expect(law.holiday(d(monday))?.nameEn).toMatch(/moved to Monday/);
    // The Tuesday after is an ordinary working day.
    const tuesday = isoDate({ ...d(monday), day: d(monday).day + 1 });
    expect(law.isWorkingDay(d(tuesday))).toBe(true);
  });

  it('4 May on a Monday (2026) and 18 November on a Monday (2024) move nothing', () => {
    expect(law.isWorkingDay(d('2026-05-04'))).toBe(false);
    expect(law.isWorkingDay(d('2026-05-05'))).toBe(true);
    expect(law.isWorkingDay(d('2024-11-18'))).toBe(false);
    expect(law.isWorkingDay(d('2024-11-19'))).toBe(true);
  });

  it('holidays that fall on a weekend (25 Dec 2027 Saturday, 24 June 2029 Sunday) give no extra day off', () => {
    // Only 4 May and 18 November move; Christmas on a Saturday gives no Monday off.
    // 25 Dec 2027 is a Saturday and 26 Dec a Sunday: Monday 27 Dec is an ordinary working day.
    expect(law.isWorkingDay(d('2027-12-25'))).toBe(false);
    expect(law.isWorkingDay(d('2027-12-27'))).toBe(true);
    expect(law.holiday(d('2027-12-27'))).toBeUndefined();
    expect(law.isWorkingDay(d('2029-06-25'))).toBe(true);
  });

  it('weekends are not working days; ordinary weekdays are', () => {
    expect(law.isWorkingDay(d('2026-11-28'))).toBe(false);
    expect(law.isWorkingDay(d('2026-11-29'))).toBe(false);
    expect(law.isWorkingDay(d('2026-11-30'))).toBe(true);
  });

  it('isWorkingDayAt uses the Riga date of the instant, not the UTC date', () => {
    // 2026-12-31T22:30Z is 1 January 2027 00:30 in Riga (a holiday); 2026-12-23T21:59Z is still 23 Dec in Riga.
    expect(law.isWorkingDayAt(new Date('2026-12-31T22:30:00Z'))).toBe(false);
    expect(law.isWorkingDayAt(new Date('2026-12-23T21:59:00Z'))).toBe(true);
    expect(law.isWorkingDayAt(new Date('2026-12-23T22:00:00Z'))).toBe(false); // 24 Dec 00:00 Riga
  });
});

describe('addWorkingDays (processor support: 5 working days)', () => {
  it('does not count the day of the request and ends at 23:59:59.999 Riga of the n-th working day', () => {
    // Monday 7 Dec 2026 10:00 Riga (winter, UTC+2) + 5 -> Monday 14 Dec 2026 end of day.
    expect(iso(law.addWorkingDays(new Date('2026-12-07T08:00:00Z'), 5))).toBe('2026-12-14T21:59:59.999Z');
    // A request at 23:30 on Monday is still Monday's.
    expect(iso(law.addWorkingDays(new Date('2026-12-07T21:30:00Z'), 5))).toBe('2026-12-14T21:59:59.999Z');
    // A request on a Saturday: the count starts on Monday.
    expect(iso(law.addWorkingDays(new Date('2026-12-05T10:00:00Z'), 1))).toBe('2026-12-07T21:59:59.999Z');
    expect(iso(law.addWorkingDays(new Date('2026-12-07T08:00:00Z'), 0))).toBe('2026-12-07T21:59:59.999Z');
  });

  it('skips Christmas, New Year\'s Eve and New Year', () => {
    // Tuesday 22 Dec 2026: 23 Dec (1), 28 (2), 29 (3), 30 (4), 4 Jan 2027 (5).
    expect(iso(law.addWorkingDays(new Date('2026-12-22T08:00:00Z'), 5))).toBe('2027-01-04T21:59:59.999Z');
  });

  it('skips Easter (Good Friday and Easter Monday 2027)', () => {
    // Thursday 25 Mar 2027 + 1: 26 Mar Good Friday, 27-28 weekend, 29 Easter Monday -> Tuesday 30 Mar (summer time).
    expect(iso(law.addWorkingDays(new Date('2027-03-25T08:00:00Z'), 1))).toBe('2027-03-30T20:59:59.999Z');
  });

  it('is DST-safe across the last Sunday of March (23-hour day) and of October (25-hour day)', () => {
    // Friday 27 Mar 2026 + 1 -> Monday 30 Mar: Riga is UTC+3 by then.
    expect(iso(law.addWorkingDays(new Date('2026-03-27T09:00:00Z'), 1))).toBe('2026-03-30T20:59:59.999Z');
    // Friday 23 Oct 2026 (UTC+3) + 1 -> Monday 26 Oct: Riga is UTC+2 again.
    expect(iso(law.addWorkingDays(new Date('2026-10-23T09:00:00Z'), 1))).toBe('2026-10-26T21:59:59.999Z');
    // The end of the DST days themselves.
    expect(iso(law.endOfDay(d('2026-03-29')))).toBe('2026-03-29T20:59:59.999Z');
    expect(iso(law.endOfDay(d('2026-10-25')))).toBe('2026-10-25T21:59:59.999Z');
    // A request at 03:30 Riga on 25 Oct 2026 (the hour that happens twice) is on the 25th.
    expect(iso(law.addWorkingDays(new Date('2026-10-25T00:30:00Z'), 1))).toBe('2026-10-26T21:59:59.999Z');
    expect(iso(law.addWorkingDays(new Date('2026-10-25T01:30:00Z'), 1))).toBe('2026-10-26T21:59:59.999Z');
  });

  it('refuses a negative or fractional count and an invalid instant', () => {
    expect(() => law.addWorkingDays(new Date('2026-12-07T08:00:00Z'), -1)).toThrow(/n must be/);
    expect(() => law.addWorkingDays(new Date('2026-12-07T08:00:00Z'), 1.5)).toThrow(/n must be/);
    expect(() => law.addWorkingDays(new Date('nope'), 1)).toThrow(/start/);
  });
});

describe('addMonths (GDPR Art. 12(3), Regulation 1182/71 Art. 3)', () => {
  it.each([
    ['same date next month', '2026-11-10T09:00:00Z', '2026-12-10T21:59:59.999Z'],
    ['31 Jan -> 28 Feb (not a leap year; 28 Feb 2027 is a Sunday -> Monday 1 Mar)', '2027-01-31T09:00:00Z', '2027-03-01T21:59:59.999Z'],
    ['31 Jan 2026 -> 28 Feb 2026 is a Saturday -> Monday 2 Mar', '2026-01-31T09:00:00Z', '2026-03-02T21:59:59.999Z'],
    ['31 Jan 2028 -> 29 Feb 2028 (leap year, a Tuesday)', '2028-01-31T09:00:00Z', '2028-02-29T21:59:59.999Z'],
    ['29 Feb 2028 -> 29 Mar 2028', '2028-02-29T09:00:00Z', '2028-03-29T20:59:59.999Z'],
    ['31 Mar -> 30 Apr', '2026-03-31T09:00:00Z', '2026-04-30T20:59:59.999Z'],
    ['31 Dec 2026 -> 31 Jan 2027 is a Sunday -> Monday 1 Feb', '2026-12-31T09:00:00Z', '2027-02-01T21:59:59.999Z'],
    ['15 Jan 2026 -> 15 Feb 2026 is a Sunday -> Monday 16 Feb', '2026-01-15T09:00:00Z', '2026-02-16T21:59:59.999Z'],
    ['24 Nov 2026 -> 24 Dec (holiday), 25-27 off -> Monday 28 Dec', '2026-11-24T09:00:00Z', '2026-12-28T21:59:59.999Z'],
    ['26 Feb 2027 -> 26 Mar Good Friday -> Tuesday 30 Mar after Easter Monday', '2027-02-26T09:00:00Z', '2027-03-30T20:59:59.999Z'],
    ['4 Apr 2024 -> 4 May 2024 Saturday, Monday 6 May off -> Tuesday 7 May', '2024-04-04T09:00:00Z', '2024-05-07T20:59:59.999Z'],
    ['18 Oct 2023 -> 18 Nov 2023 Saturday, Monday 20 Nov off -> Tuesday 21 Nov', '2023-10-18T09:00:00Z', '2023-11-21T21:59:59.999Z'],
  ])('%s', (_name, received, due) => {
    expect(iso(law.addMonths(new Date(received), 1))).toBe(due);
  });

  it('takes the receipt date in Riga: 00:30 Riga on 1 Mar is 22:30 UTC on 28 Feb', () => {
    // Received 1 Mar 2026 00:30 Riga -> 1 Apr 2026 (Wednesday), in summer time.
    expect(iso(law.addMonths(new Date('2026-02-28T22:30:00Z'), 1))).toBe('2026-04-01T20:59:59.999Z');
    // Received 28 Feb 2026 23:59 Riga -> 28 Mar 2026 (Saturday) -> Monday 30 Mar.
    expect(iso(law.addMonths(new Date('2026-02-28T21:59:00Z'), 1))).toBe('2026-03-30T20:59:59.999Z');
  });

  it('across DST: a period ending on the Monday after the last Sunday of October ends at 23:59:59.999 Riga winter time', () => {
    // Received 26 Sep 2026 (Saturday, summer time) -> 26 Oct 2026 (Monday, winter time).
    expect(iso(law.addMonths(new Date('2026-09-26T10:00:00Z'), 1))).toBe('2026-10-26T21:59:59.999Z');
    // Received 29 Feb 2028 -> 3 months -> 29 May 2028 (Monday).
    expect(iso(law.addMonths(new Date('2028-02-29T10:00:00Z'), 3))).toBe('2028-05-29T20:59:59.999Z');
  });

  it('3 months (the extended period) from 30 Nov 2026 -> 28 Feb 2027 is a Sunday -> Monday 1 Mar', () => {
    expect(iso(law.addMonths(new Date('2026-11-30T10:00:00Z'), 3))).toBe('2027-03-01T21:59:59.999Z');
  });

  it('refuses a negative month count', () => {
    expect(() => law.addMonths(new Date('2026-11-30T10:00:00Z'), -1)).toThrow(/months must be/);
  });
});

describe('transferred working days and extra holidays (policies/calendar.yaml)', () => {
  const cal = createWorkingCalendar({
    holidays: [{ date: '2025-05-02', name: 'Pārcelta darbdiena', nameEn: 'Bridge day' }],
    workingDays: [{ date: '2025-05-17', reason: 'Darbdiena, uz kuru pārcelta 2. maija darbdiena' }],
  });

  it('the bridge day is off and the Saturday worked is a working day', () => {
    expect(cal.isWorkingDay(d('2025-05-02'))).toBe(false);
    expect(cal.holiday(d('2025-05-02'))).toMatchObject({ source: 'calendar', nameEn: 'Bridge day' });
    expect(cal.isWorkingDay(d('2025-05-17'))).toBe(true);
    expect(law.isWorkingDay(d('2025-05-02'))).toBe(true);
    expect(law.isWorkingDay(d('2025-05-17'))).toBe(false);
    expect(cal.holidays(2025).map((h) => h.date)).toContain('2025-05-02');
  });

  it('addWorkingDays counts the transferred Saturday and skips the bridge day', () => {
    // Wednesday 30 Apr 2025 + 1: 1 May holiday, 2 May bridge day, 3-4 weekend, 5 May (4 May on Sunday) off -> Tuesday 6 May.
    expect(iso(cal.addWorkingDays(new Date('2025-04-30T08:00:00Z'), 1))).toBe('2025-05-06T20:59:59.999Z');
    // Friday 16 May 2025 + 1 -> the transferred Saturday 17 May.
    expect(iso(cal.addWorkingDays(new Date('2025-05-16T08:00:00Z'), 1))).toBe('2025-05-17T20:59:59.999Z');
    expect(iso(law.addWorkingDays(new Date('2025-05-16T08:00:00Z'), 1))).toBe('2025-05-19T20:59:59.999Z');
  });

  it('a month period never ends on a Saturday, even a transferred working one (1182/71 Art. 3(4))', () => {
    // 17 Apr 2025 -> 17 May 2025 (Saturday) -> Monday 19 May.
    expect(iso(cal.addMonths(new Date('2025-04-17T08:00:00Z'), 1))).toBe('2025-05-19T20:59:59.999Z');
    // 2 Apr 2025 -> 2 May 2025 (the bridge day, a day off for everyone) -> Tuesday 6 May.
    expect(iso(cal.addMonths(new Date('2025-04-02T08:00:00Z'), 1))).toBe('2025-05-06T20:59:59.999Z');
  });

  it('the shipped policies/calendar.yaml loads and carries its entries', () => {
    const shipped = loadWorkingCalendar();
    expect(shipped.isWorkingDay(d('2023-05-29'))).toBe(false); // ice hockey bronze medal day
    expect(shipped.isWorkingDay(d('2023-07-10'))).toBe(false); // Song and Dance Festival closing day
    expect(shipped.isWorkingDay(d('2025-05-17'))).toBe(true);
  });

  it('refuses a bad file with the entry and the reason', () => {
    expect(() => parseCalendarData({ workingDays: [{ date: '2025-05-14', reason: 'x' }] })).toThrow(/workingDays\.0\.date: 2025-05-14 is a weekday/);
    expect(() => parseCalendarData({ holidays: [{ date: '2025-02-30', name: 'x' }] })).toThrow(/holidays\.0\.date: must be a real date/);
    expect(() => parseCalendarData({ holidays: [{ date: '2025-06-23', name: 'x' }] })).toThrow(/public holiday by law already/);
    expect(() =>
      parseCalendarData({ holidays: [{ date: '2025-05-02', name: 'x' }], workingDays: [{ date: '2025-05-02', reason: 'y' }] }),
    ).toThrow(/workingDays\.0\.date: .*listed already/);
    expect(() => parseCalendarData({ holiday: [] })).toThrow(/holiday/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cal-'));
    const file = path.join(dir, 'calendar.yaml');
    fs.writeFileSync(file, 'holidays: [ {date: 2025-13-01, name: x} ]\n');
    expect(() => loadWorkingCalendar(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*\\n.*holidays\\.0\\.date`));
    fs.rmSync(dir, { recursive: true });
  });
});

test('daysInMonth follows the Gregorian leap-year rule (2000 leap, 2100 not)', () => {
  expect(daysInMonth(2028, 2)).toBe(29);
  expect(daysInMonth(2027, 2)).toBe(28);
  expect(daysInMonth(2000, 2)).toBe(29);
  expect(daysInMonth(2100, 2)).toBe(28);
  expect(parseIsoDate('2027-02-29')).toBeUndefined();
});
