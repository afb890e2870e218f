/**
 * Expands the test sequences of anomaly rules (rules/README.md): explicit `events` and compact `series` (a learned
 * history is weeks of events; a series writes them in one line). The result is one time-ordered list of events,
 * each with its own @timestamp and event.id.
 */
import { expandDottedKeys } from '../sigma/field-path';
import { TIMESPAN, type SeriesDoc } from '../sigma/rule-schema';

/** Milliseconds of a Sigma timespan (`90s`, `10m`, `1h`, `14d`). */
export function timespanToMs(s: string): number {
  const m = TIMESPAN.exec(s);
  if (!m) throw new RangeError(`not a timespan: ${s}`);
  return Number(m[1]) * { s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

const isWeekend = (ms: number): boolean => {
  const d = new Date(ms).getUTCDay();
  return d === 0 || d === 6;
};

/**
 * One test sequence → events in time order.
 * @example expandSequence({ series: [{ event: { 'event.action': 'export' }, start: '2026-11-02T09:00:00Z', count: 2, repeat: 10 }] })
 */
export function expandSequence(seq: { events?: Record<string, unknown>[]; series?: SeriesDoc[] }): unknown[] {
  const out: Array<{ t: number; i: number; e: Record<string, unknown> }> = [];
  let i = 0;
  for (const e of seq.events ?? []) {
    const ev = expandDottedKeys(e) as Record<string, unknown>;
    const ts = ev['@timestamp'];
    out.push({ t: typeof ts === 'string' ? Date.parse(ts) : 0, i: i++, e: ev });
  }
  for (const s of seq.series ?? []) {
    const start = Date.parse(s.start);
    const spacing = timespanToMs(s.spacing);
    const period = timespanToMs(s.period);
    for (let r = 0; r < s.repeat; r++) {
      const from = start + r * period;
      if (s.weekdays && isWeekend(from)) continue;
      for (let k = 0; k < s.count; k++) {
        const ev = expandDottedKeys(s.event) as Record<string, unknown>;
        ev['@timestamp'] = new Date(from + k * spacing).toISOString();
        out.push({ t: from + k * spacing, i: i++, e: ev });
      }
    }
  }
  out.sort((a, b) => a.t - b.t || a.i - b.i);
  return out.map(({ e }, n) => {
    const event = (e.event ?? {}) as Record<string, unknown>;
    return typeof event.id === 'string' ? e : { ...e, event: { ...event, id: `test-${n}` } };
  });
}
