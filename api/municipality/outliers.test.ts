import { findOutliers, median, robustZ, type Counts, type OutlierSeries } from './outliers';

const c = (accesses: number, distinctPersons = Math.ceil(accesses / 2)): Counts => ({ accesses, distinctPersons });
const series = (key: string, current: Counts, history: number[], group = ''): OutlierSeries => ({ key, group, current, history: history.map((h) => c(h)) });

describe('robust statistics', () => {
  test('median of odd and even samples, and of nothing', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  test('robust z on log counts ignores one extreme history value', () => {
    // One month of 5 000 among ~100 does not move the median or the MAD much: 100 stays ordinary.
    expect(Math.abs(robustZ(100, [90, 100, 110, 95, 105, 5000], 0.25))).toBeLessThan(1);
    expect(robustZ(400, [90, 100, 110, 95, 105, 5000], 0.25)).toBeGreaterThan(3.5);
  });
});

describe('findOutliers', () => {
  test('flags a rise against the organisation\'s own 6-month median, with the ratio in both languages', () => {
    const f = findOutliers([series('riga', c(340, 30), [100, 90, 110, 95, 105, 100])]).get('riga')!;
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ test: 'history', metric: 'accesses', value: 340, baseline: 100, ratio: 3.4 });
    expect(f[0].text.en).toBe('3.4× its 6-month median (100)');
    expect(f[0].text.lv).toBe('3,4× pret savu 6 mēnešu mediānu (100)');
  });

  test('flags distinct persons on their own when accesses are steady', () => {
    const s: OutlierSeries = { key: 'vid', group: '', current: { accesses: 120, distinctPersons: 110 }, history: Array.from({ length: 6 }, () => ({ accesses: 115, distinctPersons: 20 })) };
    const f = findOutliers([s]).get('vid')!;
    expect(f.map((x) => [x.test, x.metric])).toEqual([['history', 'distinctPersons']]);
    expect(f[0].text.en).toBe('distinct persons 5.5× its 6-month median (20)');
  });

  test('an organisation that never accessed before is new, once the view has history', () => {
    const out = findOutliers([series('riga', c(100), [100, 100, 100, 100, 100, 100]), series('csdd', c(2), [0, 0, 0, 0, 0, 0])]);
    expect(out.get('csdd')).toEqual([
      expect.objectContaining({ test: 'new', text: { en: 'new: never accessed before (previous 6 months)', lv: 'jauns: iepriekšējo 6 mēnešu laikā nav piekļuvis' } }),
    ]);
    expect(out.has('riga')).toBe(false);
    // A fresh installation (no history anywhere) flags nobody as new.
    expect(findOutliers([series('csdd', c(2), [0, 0, 0, 0, 0, 0])]).size).toBe(0);
  });

  test('ordinary variation, falls and small counts are not outliers', () => {
    const out = findOutliers([
      series('a', c(150), [100, 90, 110, 95, 105, 100]), // 1.5×: within variation
      series('b', c(10), [100, 90, 110, 95, 105, 100]), // a fall
      series('c', c(8), [1, 1, 2, 1, 1, 1]), // 8× but under the minimum count
    ]);
    expect(out.size).toBe(0);
  });

  test('a steady history (MAD 0) does not flag a small wiggle, the floor keeps it robust', () => {
    expect(findOutliers([series('a', c(120), [100, 100, 100, 100, 100, 100])]).size).toBe(0);
    expect(findOutliers([series('a', c(260, 10), [100, 100, 100, 100, 100, 100])]).get('a')?.[0]).toMatchObject({ test: 'history', ratio: 2.6 });
  });

  test('peers: an organisation far above the others of its group in the same period', () => {
    const steady = [20, 20, 20, 20, 20, 20];
    const peers = ['p1', 'p2', 'p3', 'p4', 'p5'].map((k, i) => series(`${k}|SOPA`, c(20 + i, 10), steady, 'SOPA'));
    const big = series('riga|SOPA', c(400, 10), [300, 420, 380, 400, 390, 410], 'SOPA');
    const other = series('vid|NINO', c(20, 10), steady, 'NINO');
    const out = findOutliers([...peers, big, other]);
    expect(out.get('riga|SOPA')).toEqual([expect.objectContaining({ test: 'peers', metric: 'accesses', baseline: 22, ratio: 18.2 })]);
    expect(out.get('riga|SOPA')![0].text.en).toBe('18.2× the median of 5 peer organisations (22)');
    expect(out.get('riga|SOPA')![0].text.lv).toBe('18,2× pret 5 citu organizāciju mediānu (22)');
    // Fewer than 5 peers: no peer test.
    expect(findOutliers([...peers.slice(0, 3), big]).size).toBe(0);
    expect(out.has('vid|NINO')).toBe(false);
  });

  test('history windows other than months are named periods', () => {
    const f = findOutliers([series('riga', c(340, 30), [100, 90, 110, 95, 105, 100])], { en: 'periods', lv: 'periodu' }).get('riga')!;
    expect(f[0].text).toEqual({ en: '3.4× its 6-period median (100)', lv: '3,4× pret savu 6 periodu mediānu (100)' });
  });
});
