/**
 * Epoch milliseconds of ISO timestamps as a stream carries them, faster than Date.parse for the common case.
 *
 * Sargs writes `@timestamp` in the canonical form `YYYY-MM-DDTHH:MM:SS.mmmZ`, and the events of a stream come in
 * time order: the parser keeps the last second it saw and adds the milliseconds; anything else goes to Date.parse.
 * Each caller makes its own parser (its own remembered second), so the intake and the detection engine do not
 * evict each other's.
 *
 * @example const ms = createTimestampParser(); ms('2026-12-01T10:00:00.123Z') === Date.parse('2026-12-01T10:00:00.123Z')
 */
export function createTimestampParser(): (ts: string) => number {
  let lastSecondText = '';
  let lastSecondMs = NaN;
  return (ts) => {
    if (ts.length === 24 && ts.charCodeAt(23) === 90 /* Z */ && ts.charCodeAt(19) === 46 /* . */) {
      const d0 = ts.charCodeAt(20) - 48;
      const d1 = ts.charCodeAt(21) - 48;
      const d2 = ts.charCodeAt(22) - 48;
      if (d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) {
        const frac = d0 * 100 + d1 * 10 + d2;
        if (lastSecondText.length === 20 && ts.startsWith(lastSecondText)) return lastSecondMs + frac;
        const ms = Date.parse(ts);
        if (!Number.isNaN(ms)) {
          lastSecondText = ts.slice(0, 20);
          lastSecondMs = ms - frac;
        }
        return ms;
      }
    }
    return Date.parse(ts);
  };
}
