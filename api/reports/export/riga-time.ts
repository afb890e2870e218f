/**
 * Times in exports are shown in Europe/Riga (EET/EEST), dates DD.MM.YYYY in Latvian (Latvian usage, LVS 24:2017
 * style), ISO YYYY-MM-DD in English. One formatter, built once: 10,000 rows are formatted per PDF.
 */
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Riga',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface RigaTime {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Riga's UTC offset by UTC day, for days without an offset change (EU DST changes at 01:00 UTC, at most once a day). */
const dayOffsets = new Map<number, number>();

function offsetAt(hourStart: number): number {
  const o: Record<string, string> = {};
  for (const p of parts.formatToParts(new Date(hourStart))) o[p.type] = p.value;
  return Date.UTC(+o.year, +o.month - 1, +o.day, +o.hour, +o.minute, +o.second) - hourStart;
}

function rigaOffset(t: number): number {
  const day = Math.floor(t / DAY);
  const cached = dayOffsets.get(day);
  if (cached !== undefined) return cached;
  const start = offsetAt(day * DAY);
  if (start === offsetAt((day + 1) * DAY - HOUR)) {
    if (dayOffsets.size > 100_000) dayOffsets.clear();
    dayOffsets.set(day, start);
    return start;
  }
  return offsetAt(Math.floor(t / HOUR) * HOUR); // a change day: offsets change only on whole UTC hours
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

export function rigaParts(at: string | Date): RigaTime {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(t)) throw new RangeError(`not a time: ${String(at)}`);
  const d = new Date(t + rigaOffset(t));
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
