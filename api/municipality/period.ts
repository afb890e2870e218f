import { addDays, rigaLocalToUtc, rigaParts, type LocalDate } from '../../core/calendar/riga-time';
import { isLatvianWorkingDay } from '../../core/calendar/working-days';

/** A period of the municipality view: ISO UTC instants, from inclusive, to exclusive. */
export interface Period {
  from: string;
  to: string;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The calendar month `YYYY-MM` in Europe/Riga (local midnight of the 1st to local midnight of the next 1st). */
export function rigaMonth(month: string): Period {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`not a month YYYY-MM: ${month}`);
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const next = mon === 12 ? { year: year + 1, month: 1 } : { year, month: mon + 1 };
  return { from: rigaLocalToUtc({ year, month: mon, day: 1 }, 0).toISOString(), to: rigaLocalToUtc({ ...next, day: 1 }, 0).toISOString() };
}

/** `YYYY-MM` of the Riga month `n` months after `month` (n may be negative). */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The Riga month of an instant, `YYYY-MM`. */
export function monthOf(at: Date): string {
  const p = rigaParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}`;
}

/** The month when `period` is exactly one Riga calendar month, else undefined. */
export function wholeMonth(period: Period): string | undefined {
  const month = monthOf(new Date(period.from));
  const m = rigaMonth(month);
  return Date.parse(m.from) === Date.parse(period.from) && Date.parse(m.to) === Date.parse(period.to) ? month : undefined;
}

/**
 * The history windows the outliers compare a period with, oldest first: the `n` previous calendar months when the
 * period is a calendar month (DST-safe: each month from its own local midnights), else `n` windows of the same
 * length just before it.
 */
export function historyWindows(period: Period, n = 6): { windows: Period[]; unit: 'months' | 'periods' } {
  const month = wholeMonth(period);
  if (month) return { windows: Array.from({ length: n }, (_, i) => rigaMonth(shiftMonth(month, i - n))), unit: 'months' };
  const from = Date.parse(period.from);
  const len = Date.parse(period.to) - from;
  const windows = Array.from({ length: n }, (_, i) => ({
    from: new Date(from - (n - i) * len).toISOString(),
    to: new Date(from - (n - i - 1) * len).toISOString(),
  }));
  return { windows, unit: 'periods' };
}

/** The first Latvian working day of a month (DOMAIN.md: Mon–Fri less public holidays), e.g. 2 January or later. */
export function firstWorkingDay(month: string): LocalDate {
  const [year, mon] = month.split('-').map(Number);
  let d: LocalDate = { year, month: mon, day: 1 };
  while (!isLatvianWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/** A Riga local date `YYYY-MM-DD` as its local midnight (UTC ISO); `nextDay` gives the following midnight. */
export function rigaDay(date: string, nextDay = false): string {
  const [year, month, day] = date.split('-').map(Number);
  const d = nextDay ? addDays({ year, month, day }, 1) : { year, month, day };
  return rigaLocalToUtc(d, 0).toISOString();
}
