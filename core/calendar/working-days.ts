/**
 * The Latvian working-day calendar and the deadline arithmetic of subject-request cases (issue 5), in Europe/Riga.
 *
 * Public holidays fixed by law (likums "Par svētku, atceres un atzīmējamām dienām", DOMAIN.md "Working days"):
 * 1 January, Good Friday, Easter Sunday, Easter Monday, 1 May, 4 May, 23 and 24 June, 18 November, 24, 25, 26 and
 * 31 December; when 4 May or 18 November falls on a Saturday or Sunday, the next Monday is a day off. Easter is
 * computed with the Gregorian computus. What the law does not fix in advance — one-off holidays and the working
 * days the Cabinet moves to a Saturday to make a bridge day — is data: policies/calendar.yaml.
 *
 * Two notions of "working day", each where its source wants it:
 * - **Latvian working day** ({@link WorkingCalendar.isWorkingDay}): Monday–Friday less public holidays and the
 *   extra days off of calendar.yaml, plus the Saturdays calendar.yaml names as transferred working days. Used for
 *   periods stated in working days (the processor's 5 working days, VPS processing terms).
 * - **Working day of Regulation (EEC, Euratom) No 1182/71** (Art. 2(2): every day other than public holidays,
 *   Sundays and Saturdays). Used by {@link WorkingCalendar.addMonths} for the end-of-period roll of Art. 3(4); a
 *   transferred working Saturday is still a Saturday there, so a period never ends on one.
 *
 * Every deadline is an instant: the end of a Riga calendar day (23:59:59.999 local time), found as the next local
 * midnight less one millisecond, so a 23- or 25-hour DST day (last Sunday of March / October) changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { addDays, rigaLocalToUtc, rigaOffsetMinutesAt, rigaParts, weekday, type LocalDate } from './riga-time';

export type { LocalDate } from './riga-time';

/** A day off: by law, or from policies/calendar.yaml. */
export interface Holiday {
  /** YYYY-MM-DD */
  date: string;
  name: string;
  nameEn: string;
  source: 'law' | 'calendar';
}

/** The content of policies/calendar.yaml. */
export interface CalendarData {
  holidays: Array<{ date: string; name: string; nameEn?: string }>;
  workingDays: Array<{ date: string; reason: string }>;
}

export interface WorkingCalendar {
  /** A Latvian working day: Mon–Fri, not a day off; or a transferred working Saturday/Sunday (calendar.yaml). */
  isWorkingDay(date: LocalDate): boolean;
  /** {@link isWorkingDay} of the Riga date of an instant. */
  isWorkingDayAt(at: Date): boolean;
  /** The day off on that date (law or calendar.yaml), if any. */
  holiday(date: LocalDate): Holiday | undefined;
  /** Every day off of a year, law and calendar.yaml, in date order. */
  holidays(year: number): Holiday[];
  /**
   * The end (23:59:59.999 Riga) of the n-th Latvian working day after the Riga date of `start`. The day of
   * `start` is not counted (Regulation 1182/71 Art. 3(1): the day during which the event occurs does not fall
   * within the period), whatever the hour: a request on Monday 10:00 with n = 5 is due on the next Monday's end
   * when no holiday intervenes. n = 0 gives the end of the day of `start`.
   * @example cal.addWorkingDays(new Date('2026-12-22T08:00:00Z'), 5) // 2027-01-04T21:59:59.999Z (24–26 and 31 Dec, 1 Jan off)
   */
  addWorkingDays(start: Date, n: number): Date;
  /**
   * The end of a period of `months` months running from the Riga date of `start` (GDPR Art. 12(3) "within one
   * month of receipt of the request"), by Regulation (EEC, Euratom) No 1182/71 (which the EDPB applies to GDPR
   * periods, Guidelines 01/2022 on the right of access):
   * - Art. 3(2)(c): the period ends with the expiry of the last hour of the day of the last month that falls on
   *   the same date as the day from which it runs; if that date does not occur in the last month, it ends with
   *   the last day of that month (31 January + 1 month = 28 or 29 February; 31 March + 1 month = 30 April);
   * - Art. 3(4): if that last day is a public holiday, a Saturday or a Sunday, the period ends with the expiry
   *   of the last hour of the following working day (Art. 2(2): not a public holiday, Saturday or Sunday).
   * @example cal.addMonths(new Date('2026-01-31T10:00:00Z'), 1) // 2026-03-02T21:59:59.999Z (28 Feb 2026 is a Saturday)
   */
  addMonths(start: Date, months: number): Date;
  /** The end of a Riga calendar day: 23:59:59.999 local time, as an instant. */
  endOfDay(date: LocalDate): Date;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** YYYY-MM-DD of a local date. */
export const isoDate = (d: LocalDate): string => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

/** A YYYY-MM-DD string as a local date, or undefined when it is not a real calendar date. */
export function parseIsoDate(s: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth(d.year, d.month) ? d : undefined;
}

/** Days in a month (month 1–12), leap years by the Gregorian rule. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher), valid for every
 * year of the Gregorian calendar.
 * @example easterSunday(2027) // { year: 2027, month: 3, day: 28 }
 */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

/** The public holidays fixed by law for a year (DOMAIN.md), with the Monday moves of 4 May and 18 November. */
export function latvianPublicHolidays(year: number): Holiday[] {
  const law = (d: LocalDate, name: string, nameEn: string): Holiday => ({ date: isoDate(d), name, nameEn, source: 'law' });
  const on = (month: number, day: number) => ({ year, month, day });
  const easter = easterSunday(year);
  const list = [
    law(on(1, 1), 'Jaungada diena', "New Year's Day"),
    law(addDays(easter, -2), 'Lielā Piektdiena', 'Good Friday'),
    law(easter, 'Lieldienas', 'Easter Sunday'),
    law(addDays(easter, 1), 'Otrās Lieldienas', 'Easter Monday'),
    law(on(5, 1), 'Darba svētki, Latvijas Republikas Satversmes sapulces sasaukšanas diena', 'Labour Day, Constituent Assembly Day'),
    law(on(5, 4), 'Latvijas Republikas Neatkarības atjaunošanas diena', 'Restoration of Independence Day'),
    law(on(6, 23), 'Līgo diena', 'Midsummer Eve'),
    law(on(6, 24), 'Jāņu diena', 'Midsummer Day'),
    law(on(11, 18), 'Latvijas Republikas Proklamēšanas diena', 'Proclamation Day of the Republic of Latvia'),
    law(on(12, 24), 'Ziemassvētku vakars', 'Christmas Eve'),
    law(on(12, 25), 'Pirmie Ziemassvētki', 'Christmas Day'),
    law(on(12, 26), 'Otrie Ziemassvētki', 'Second Day of Christmas'),
    law(on(12, 31), 'Vecgada diena', "New Year's Eve"),
  ];
  // 4 May and 18 November on a Saturday or Sunday: the next working day (Monday) is a day off.
  for (const [month, day, nameEn] of [[5, 4, 'Restoration of Independence Day'], [11, 18, 'Proclamation Day']] as const) {
    const wd = weekday(on(month, day));
    if (wd === 6 || wd === 0) list.push(law(addDays(on(month, day), wd === 6 ? 2 : 1), 'Pārceltā brīvdiena', `${nameEn} (moved to Monday)`));
  }
  return list.sort((x, y) => x.date.localeCompare(y.date));
}

const dateString = z.string().refine((s) => parseIsoDate(s) !== undefined, 'must be a real date as YYYY-MM-DD');
const fileSchema = z
  .object({
    holidays: z.array(z.object({ date: dateString, name: z.string().trim().min(1, 'name is empty'), nameEn: z.string().trim().min(1).optional() }).strict()).default([]),
    workingDays: z.array(z.object({ date: dateString, reason: z.string().trim().min(1, 'reason is empty') }).strict()).default([]),
  })
  .strict();

/**
 * Validates calendar data: real dates, each listed once, transferred working days on a Saturday or Sunday only,
 * extra holidays not already a holiday by law.
 * @throws Error naming the entry at fault (`workingDays.0.date: …`).
 */
export function parseCalendarData(doc: unknown, where = 'calendar'): CalendarData {
  const r = fileSchema.safeParse(doc ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${where} is invalid:\n  ${problems.join('\n  ')}`);
  }
  const seen = new Map<string, string>();
  const problems: string[] = [];
  r.data.holidays.forEach((h, i) => {
    const at = `holidays.${i}.date`;
    if (seen.has(h.date)) problems.push(`${at}: ${h.date} is listed already (${seen.get(h.date)})`);
    seen.set(h.date, at);
    const d = parseIsoDate(h.date)!;
    if (latvianPublicHolidays(d.year).some((x) => x.date === h.date)) problems.push(`${at}: ${h.date} is a public holiday by law already`);
  });
  r.data.workingDays.forEach((w, i) => {
    const at = `workingDays.${i}.date`;
    if (seen.has(w.date)) problems.push(`${at}: ${w.date} is listed already (${seen.get(w.date)})`);
    seen.set(w.date, at);
    const wd = weekday(parseIsoDate(w.date)!);
    if (wd !== 0 && wd !== 6) problems.push(`${at}: ${w.date} is a weekday; a transferred working day falls on a Saturday or Sunday`);
  });
  if (problems.length) throw new Error(`${where} is invalid:\n  ${problems.join('\n  ')}`);
  return r.data;
}

/** The calendar of `data` (default: the law only, no calendar.yaml entries). */
export function createWorkingCalendar(data: CalendarData = { holidays: [], workingDays: [] }): WorkingCalendar {
  const extra = new Map(data.holidays.map((h) => [h.date, { date: h.date, name: h.name, nameEn: h.nameEn ?? h.name, source: 'calendar' as const }]));
  const transferred = new Set(data.workingDays.map((w) => w.date));
  const byYear = new Map<number, Map<string, Holiday>>();
  const daysOff = (year: number) => {
    let m = byYear.get(year);
    if (!m) {
      m = new Map(latvianPublicHolidays(year).map((h) => [h.date, h]));
      for (const [date, h] of extra) if (date.startsWith(`${pad(year, 4)}-`)) m.set(date, h);
      byYear.set(year, m);
    }
    return m;
  };
  const holiday = (d: LocalDate) => daysOff(d.year).get(isoDate(d));
  const isWorkingDay = (d: LocalDate) => {
    if (transferred.has(isoDate(d))) return true;
    const wd = weekday(d);
    return wd !== 0 && wd !== 6 && !holiday(d);
  };
  // Regulation 1182/71 Art. 2(2): a working day is any day other than a public holiday, Sunday or Saturday.
  const isRegulationWorkingDay = (d: LocalDate) => {
    const wd = weekday(d);
    return wd !== 0 && wd !== 6 && !holiday(d);
  };
  const endOfDay = (d: LocalDate) => new Date(rigaLocalToUtc(addDays(d, 1), 0).getTime() - 1);
  const localDate = (at: Date): LocalDate => {
    const p = rigaParts(at);
    return { year: p.year, month: p.month, day: p.day };
  };
  const checkInstant = (at: Date, field: string) => {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`${field} must be a valid instant`);
  };

  return {
    isWorkingDay,
    isWorkingDayAt: (at) => isWorkingDay(localDate(at)),
    holiday,
    holidays: (year) => [...daysOff(year).values()].sort((a, b) => a.date.localeCompare(b.date)),
    endOfDay,
    addWorkingDays(start, n) {
      checkInstant(start, 'start');
      if (!Number.isInteger(n) || n < 0 || n > 3650) throw new RangeError('n must be an integer from 0 to 3650');
      let d = localDate(start);
      for (let left = n; left > 0; ) {
        d = addDays(d, 1);
        if (isWorkingDay(d)) left -= 1;
      }
      return endOfDay(d);
    },
    addMonths(start, months) {
      checkInstant(start, 'start');
      if (!Number.isInteger(months) || months < 0 || months > 120) throw new RangeError('months must be an integer from 0 to 120');
      const from = localDate(start);
      const index = from.year * 12 + (from.month - 1) + months;
      const year = Math.floor(index / 12);
      const month = (index % 12) + 1;
      // Art. 3(2)(c): the same date in the last month, or that month's last day when the date does not occur in it.
      let d: LocalDate = { year, month, day: Math.min(from.day, daysInMonth(year, month)) };
      // Art. 3(4): a last day that is a public holiday, Saturday or Sunday moves to the following working day.
      while (!isRegulationWorkingDay(d)) d = addDays(d, 1);
      return endOfDay(d);
    },
  };
}

/** `<repo>/policies/calendar.yaml`, found from source (`core/calendar`) and from compiled `dist/core/calendar`. */
export function defaultCalendarFile(): string {
  const candidates = [path.resolve(__dirname, '..', '..', 'policies', 'calendar.yaml'), path.resolve(__dirname, '..', '..', '..', 'policies', 'calendar.yaml')];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

/**
 * Loads policies/calendar.yaml (or `file`) and builds the calendar.
 * @throws Error naming the file and the entry at fault.
 */
export function loadWorkingCalendar(file: string = defaultCalendarFile()): WorkingCalendar {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read calendar file ${file}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`calendar file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return createWorkingCalendar(parseCalendarData(doc, `calendar file ${file}`));
}

let deploymentCalendar: WorkingCalendar | undefined;

/** The deployment's calendar: the law plus policies/calendar.yaml, loaded once per process. */
export function workingCalendar(): WorkingCalendar {
  return (deploymentCalendar ??= loadWorkingCalendar());
}

/** True for a Latvian working day in the deployment's calendar (Mon–Fri less holidays, plus transferred working days). */
export function isLatvianWorkingDay(date: LocalDate): boolean {
  return workingCalendar().isWorkingDay(date);
}

const workingDayCache = new Map<number, boolean>();

/** True when the instant (UTC milliseconds) falls on a Latvian working day in Riga; cached per local day (detection's hot path). */
export function isRigaWorkingDayAt(ms: number): boolean {
  const localDay = Math.floor((ms + rigaOffsetMinutesAt(ms) * 60000) / 86400000);
  let working = workingDayCache.get(localDay);
  if (working === undefined) {
    const d = new Date(localDay * 86400000);
    working = isLatvianWorkingDay({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    workingDayCache.set(localDay, working);
  }
  return working;
}
