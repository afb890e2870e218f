/**
 * Outliers of the municipality view (issue 5): which organisations (and organisation × application) accessed a
 * municipality's residents' data unusually much in a period.
 *
 * ## Method
 * Counts of accesses are heavy-tailed (a neighbouring city reads thousands of records, a far-away novads a
 * handful), so every test works on `ln(1 + x)` and uses the median and the median absolute deviation (MAD), which
 * a few extreme values cannot drag along (Iglewicz & Hoaglin, "How to Detect and Handle Outliers", 1993):
 *
 *   robust z = (ln(1 + x) − median(ln(1 + h))) / max(1.4826 · MAD(ln(1 + h)), madFloor)
 *
 * 1.4826 · MAD estimates the standard deviation of normal data; `madFloor` (0.25 ≈ a factor of 1.28) keeps a
 * perfectly steady history (MAD 0) from flagging any wiggle. Three tests, each on accesses and on distinct persons:
 * - **new**: the organisation (or the organisation in this application) accessed the residents' data in the period
 *   but in none of the history windows, while the municipality's view does have history (a fresh installation
 *   flags nothing as new).
 * - **history**: against the same organisation's own previous windows (6 previous calendar months for a month,
 *   else 6 windows of the same length just before the period, zeros included): robust z ≥ `z` (3.5) and at least
 *   `minRatio` (2×) its median, and at least `minCount` (10) accesses or persons.
 * - **peers**: against the other organisations (of the same application, at organisation × application level) in
 *   the same period, when there are at least `minPeers` (5) of them: robust z ≥ `z`, ≥ `minRatio` × the peers'
 *   median, ≥ `minCount`.
 * Only rises are flagged: an organisation reading less than usual is not a privacy risk for the residents.
 * Each finding carries its reason in Latvian and English ("3.4× its 6-month median (12)").
 */

export interface OutlierOptions {
  z: number;
  minRatio: number;
  minCount: number;
  minPeers: number;
  madFloor: number;
}

export const OUTLIER_DEFAULTS: OutlierOptions = { z: 3.5, minRatio: 2, minCount: 10, minPeers: 5, madFloor: 0.25 };

export type Metric = 'accesses' | 'distinctPersons';
export interface Counts {
  accesses: number;
  distinctPersons: number;
}

/** One series to test: an organisation, or an organisation in one application. */
export interface OutlierSeries {
  key: string;
  /** Peers are the series of the same group (e.g. the same application); one group for organisations. */
  group: string;
  current: Counts;
  /** Counts of the history windows, oldest first (zeros for windows without any access). */
  history: Counts[];
}

export interface OutlierFinding {
  test: 'new' | 'history' | 'peers';
  metric: Metric;
  value: number;
  /** The median it is compared with (0 for `new`). */
  baseline: number;
  /** value / max(baseline, 1), rounded to 0.1. */
  ratio: number;
  /** Robust z-score, rounded to 0.1 (absent for `new`). */
  z?: number;
  /** The reason as shown to reviewers. */
  text: { en: string; lv: string };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Robust z-score of `x` against `sample`, on ln(1 + ·). */
export function robustZ(x: number, sample: number[], madFloor: number): number {
  const logs = sample.map((v) => Math.log1p(v));
  const m = median(logs);
  const mad = median(logs.map((v) => Math.abs(v - m)));
  return (Math.log1p(x) - m) / Math.max(1.4826 * mad, madFloor);
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const lvNumber = (x: number) => String(x).replace('.', ',');
const METRIC_TEXT: Record<Metric, { en: string; lv: string }> = {
  accesses: { en: '', lv: '' },
  distinctPersons: { en: 'distinct persons ', lv: 'personas: ' },
};

function reasonText(f: Omit<OutlierFinding, 'text'>, windows: number, windowWord: { en: string; lv: string }, peers: number) {
  const m = METRIC_TEXT[f.metric];
  if (f.test === 'new')
    return {
      en: `new: never accessed before (previous ${windows} ${windowWord.en})`,
      lv: `jauns: iepriekšējo ${windows} ${windowWord.lv} laikā nav piekļuvis`,
    };
  if (f.test === 'history')
    return {
      en: `${m.en}${f.ratio}× its ${windows}-${windowWord.en.replace(/s$/, '')} median (${f.baseline})`,
      lv: `${m.lv}${lvNumber(f.ratio)}× pret savu ${windows} ${windowWord.lv} mediānu (${lvNumber(f.baseline)})`,
    };
  return {
    en: `${m.en}${f.ratio}× the median of ${peers} peer organisations (${f.baseline})`,
    lv: `${m.lv}${lvNumber(f.ratio)}× pret ${peers} citu organizāciju mediānu (${lvNumber(f.baseline)})`,
  };
}

/**
 * Tests every series; returns the findings by series key (series without findings are absent).
 * `windowWord` names the history windows in the reason: months for calendar months, periods otherwise.
 * @example
 *   findOutliers([{ key: 'riga', group: '', current: { accesses: 340, distinctPersons: 90 }, history }], { en: 'months', lv: 'mēnešu' })
 */
export function findOutliers(
  series: OutlierSeries[],
  windowWord: { en: string; lv: string } = { en: 'months', lv: 'mēnešu' },
  opts: OutlierOptions = OUTLIER_DEFAULTS,
): Map<string, OutlierFinding[]> {
  const out = new Map<string, OutlierFinding[]>();
  const add = (key: string, f: Omit<OutlierFinding, 'text'>, windows: number, peers = 0) => {
    const list = out.get(key) ?? [];
    list.push({ ...f, text: reasonText(f, windows, windowWord, peers) });
    out.set(key, list);
  };
  const anyHistory = series.some((s) => s.history.some((h) => h.accesses > 0));
  const byGroup = new Map<string, OutlierSeries[]>();
  for (const s of series) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);

  for (const s of series) {
    if (s.current.accesses === 0) continue;
    const windows = s.history.length;
    const never = s.history.every((h) => h.accesses === 0);
    if (never && anyHistory && windows > 0) {
      add(s.key, { test: 'new', metric: 'accesses', value: s.current.accesses, baseline: 0, ratio: s.current.accesses }, windows);
      continue;
    }
    for (const metric of ['accesses', 'distinctPersons'] as const) {
      const x = s.current[metric];
      if (windows >= 3 && x >= opts.minCount) {
        const h = s.history.map((c) => c[metric]);
        const base = median(h);
        const z = robustZ(x, h, opts.madFloor);
        const ratio = x / Math.max(base, 1);
        if (z >= opts.z && ratio >= opts.minRatio)
          add(s.key, { test: 'history', metric, value: x, baseline: round1(base), ratio: round1(ratio), z: round1(z) }, windows);
      }
      const peers = (byGroup.get(s.group) ?? []).filter((p) => p !== s && p.current.accesses > 0);
      if (peers.length >= opts.minPeers && x >= opts.minCount) {
        const sample = [x, ...peers.map((p) => p.current[metric])];
        const base = median(peers.map((p) => p.current[metric]));
        const z = robustZ(x, sample, opts.madFloor);
        const ratio = x / Math.max(base, 1);
        if (z >= opts.z && ratio >= opts.minRatio)
          add(s.key, { test: 'peers', metric, value: x, baseline: round1(base), ratio: round1(ratio), z: round1(z) }, windows, peers.length);
      }
    }
  }
  return out;
}
