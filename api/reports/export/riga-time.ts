import { rigaOffsetMinutesAt } from '../../../core/calendar/riga-time';

/**
 * Times in exports are shown in Europe/Riga (EET/EEST; the offset from core/calendar/riga-time.ts, cached per hour),
 * dates DD.MM.YYYY in Latvian (Latvian usage, LVS 24:2017 style), ISO YYYY-MM-DD in English.
 */
export interface RigaTime {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

export function rigaParts(at: string | Date): RigaTime {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(t)) throw new RangeError(`not a time: ${String(at)}`);
  const d = new Date(t + rigaOffsetMinutesAt(t) * 60_000);
  return {
    year: String(d.getUTCFullYear()),
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()),
    minute: two(d.getUTCMinutes()),
    second: two(d.getUTCSeconds()),
  };
}

/** '30.11.2026' (lv) or '2026-11-30' (en). */
export function formatDate(at: string | Date, lang: 'lv' | 'en'): string {
  const t = rigaParts(at);
  return lang === 'lv' ? `${t.day}.${t.month}.${t.year}` : `${t.year}-${t.month}-${t.day}`;
}

/** '30.11.2026 14:05:09' (lv) or '2026-11-30 14:05:09' (en), Riga time. */
export function formatDateTime(at: string | Date, lang: 'lv' | 'en'): string {
  const t = rigaParts(at);
  return `${formatDate(at, lang)} ${t.hour}:${t.minute}:${t.second}`;
}

/**
 * The period as people read it: both ends inclusive dates. `to` is exclusive (the report's contract), so a period
 * ending at Riga midnight shows the day before: 01.01.2026–31.12.2026.
 */
export function formatPeriod(period: { from: string; to: string }, lang: 'lv' | 'en'): string {
  const last = new Date(Date.parse(period.to) - 1);
  return `${formatDate(period.from, lang)} – ${formatDate(last, lang)}`;
}

/** 'YYYY-MM' summary keys as '11.2026' (lv) or '2026-11' (en). */
export function formatMonth(key: string, lang: 'lv' | 'en'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return key;
  return lang === 'lv' ? `${m[2]}.${m[1]}` : key;
}
