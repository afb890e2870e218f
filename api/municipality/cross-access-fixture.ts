/**
 * Test data of the municipality view (route and page tests): vps_audit lines of accesses to Jūrmala's residents.
 * Riga reads social assistance data 10 times a month March–August 2026 and 60 times in September (an outlier); the
 * State Revenue Service a steady 5 a month; the State Police first appears in September (new). Jūrmala's own
 * staff and Riga reading Riga's residents are not part of Jūrmala's view.
 */

/** A person code of the post-2017 format (no check digit), distinct per n. */
export const personCode = (n: number) => `32${String(1000 + (n % 9000)).padStart(4, '0')}-${String(10000 + n).padStart(5, '0')}`;

/** vps_audit lines: `count` accesses by `org` in `app` to residents of `subject` on day 15 of `month` (Riga). */
export function accesses(o: { org: string; subject: string; app: string; category: string; month: string; count: number; users?: number; from?: number }): string[] {
  return Array.from({ length: o.count }, (_, i) =>
    JSON.stringify({
      ts: `${o.month}-15T${String(8 + (i % 8)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00+03:00`,
      app: o.app,
      org: o.org,
      user: `${o.org}.user${i % (o.users ?? 3)}`,
      action: 'view',
      person: personCode((o.from ?? 0) + i),
      subject_org: o.subject,
      category: o.category,
      outcome: 'success',
      id: `${o.org}-${o.app}-${o.subject}-${o.month}-${i}`,
    }),
  );
}

export const HISTORY = ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08'];
export const CROSS_ACCESS_LINES = [
  // Riga reads Jūrmala residents' social assistance data: 10 a month, then 60 in September (an outlier).
  ...HISTORY.flatMap((month) => accesses({ org: 'riga', subject: 'jurmala', app: 'SOPA', category: 'social_assistance', month, count: 10 })),
  ...accesses({ org: 'riga', subject: 'jurmala', app: 'SOPA', category: 'social_assistance', month: '2026-09', count: 60, from: 100 }),
  // The State Revenue Service: a steady 5 a month.
  ...[...HISTORY, '2026-09'].flatMap((month) => accesses({ org: 'vid', subject: 'jurmala', app: 'NINO', category: 'tax', month, count: 5, users: 1, from: 500 })),
  // The State Police appears for the first time.
  ...accesses({ org: 'vp', subject: 'jurmala', app: 'ENZ', category: 'vehicle', month: '2026-09', count: 3, users: 1, from: 700 }),
  // Not part of Jūrmala's view: its own staff, and Riga reading Riga's residents.
  ...accesses({ org: 'jurmala', subject: 'jurmala', app: 'PERS', category: 'residence', month: '2026-09', count: 5 }),
  ...accesses({ org: 'riga', subject: 'riga', app: 'PERS', category: 'residence', month: '2026-09', count: 4 }),
];

