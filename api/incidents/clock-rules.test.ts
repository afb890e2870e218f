import { rigaLocalToUtc } from '../../core/calendar/riga-time';
import { addRigaMonth, deriveClocks, rigaText, viewClock, type SendingOfNotice } from './clock-rules';
import type { Incident } from './incident.types';

const opts = { processorTenant: 'zzdats', processorToControllerHours: 24 };
const STEPS = [{ name: '50%', at: 0.5 }, { name: '75%', at: 0.75 }, { name: '90%', at: 0.9 }, { name: 'overdue', at: 1 }];
const riga = (y: number, m: number, d: number, h: number, min = 0) => rigaLocalToUtc({ year: y, month: m, day: d }, h * 60 + min).toISOString();

const incident = (over: Partial<Incident> = {}): Pick<Incident, 'awareAt' | 'significant' | 'personalDataBreach' | 'ownerTenant' | 'affected'> => ({
  awareAt: riga(2026, 10, 24, 10),
  significant: true,
  personalDataBreach: false,
  ownerTenant: 'zzdats',
  affected: [],
  ...over,
});

let n = 0;
const sending = (kind: SendingOfNotice['kind'], at: string, over: Partial<SendingOfNotice> = {}): SendingOfNotice => ({
  id: `s${++n}`, noticeId: 'n', incidentId: 'i', method: 'other', sentBy: 'soc', sentAt: at, recipients: ['x'], channel: 'cert-portal',
  contentHash: 'h', reference: null, deliveryId: null, state: 'recorded', deliveredAt: null, lastError: null, kind, audience: null, ...over,
});
const byKey = (cs: ReturnType<typeof deriveClocks>) => Object.fromEntries(cs.map((c) => [c.key, c]));

describe('incident clocks', () => {
  test('72 h across the October DST change: aware 24.10.2026 10:00 Riga (EEST) is due 27.10.2026 09:00 Riga (EET)', () => {
    const c = byKey(deriveClocks(incident(), [], opts));
    expect(c['nis2-early-warning'].dueAt).toBe('2026-10-25T07:00:00.000Z');
    expect(rigaText(c['nis2-early-warning'].dueAt!)).toBe('25.10.2026 09:00');
    expect(c['nis2-notification'].dueAt).toBe('2026-10-27T07:00:00.000Z');
    expect(rigaText(c['nis2-notification'].dueAt!)).toBe('27.10.2026 09:00');
    // 72 elapsed hours, not 3 wall-clock days
    expect(Date.parse(c['nis2-notification'].dueAt!) - Date.parse(c['nis2-notification'].startsAt!)).toBe(72 * 3_600_000);
    expect(c['nis2-final'].startsAt).toBeNull();
  });

  test('24 h and 72 h across the March DST change: aware 28.03.2026 10:00 Riga (EET) is due 29.03 11:00 and 31.03 11:00 (EEST)', () => {
    const c = byKey(deriveClocks(incident({ awareAt: riga(2026, 3, 28, 10) }), [], opts));
    expect(c['nis2-early-warning'].dueAt).toBe('2026-03-29T08:00:00.000Z');
    expect(rigaText(c['nis2-early-warning'].dueAt!)).toBe('29.03.2026 11:00');
    expect(rigaText(c['nis2-notification'].dueAt!)).toBe('31.03.2026 11:00');
  });

  test('the final report is due one calendar month after the notification was sent, in Riga time, clamped to the month end', () => {
    const notified = riga(2026, 10, 26, 16, 30);
    const c = byKey(deriveClocks(incident(), [sending('nis2-notification', notified)], opts));
    expect(c['nis2-early-warning'].stoppedAt).toBe(notified); // the notification carries the early warning's content
    expect(c['nis2-notification'].stoppedAt).toBe(notified);
    expect(c['nis2-final'].startsAt).toBe(notified);
    // 26.10 16:30 EET(+2 after the change) -> 26.11 16:30 EET: same wall clock
    expect(rigaText(c['nis2-final'].dueAt!)).toBe('26.11.2026 16:30');
    expect(rigaText(addRigaMonth(new Date(riga(2027, 1, 31, 12))).toISOString())).toBe('28.02.2027 12:00');
    // across March: 15.03 12:00 EET -> 15.04 12:00 EEST (one hour less elapsed)
    expect(rigaText(addRigaMonth(new Date(riga(2026, 3, 15, 12))).toISOString())).toBe('15.04.2026 12:00');
  });

  test('a clock stops only on a recorded sending: an outbox sending still pending does not stop it', () => {
    const pending = sending('nis2-early-warning', riga(2026, 10, 24, 12), { method: 'outbox', state: 'pending' });
    expect(byKey(deriveClocks(incident(), [pending], opts))['nis2-early-warning'].stoppedAt).toBeNull();
    const delivered = { ...pending, state: 'delivered' as const, deliveredAt: riga(2026, 10, 24, 12, 5) };
    expect(byKey(deriveClocks(incident(), [delivered], opts))['nis2-early-warning'].stoppedAt).toBe(riga(2026, 10, 24, 12, 5));
    const dead = { ...pending, state: 'dead' as const };
    expect(byKey(deriveClocks(incident(), [dead], opts))['nis2-early-warning'].stoppedAt).toBeNull();
  });

  test('an incident classified significant later gets NIS2 clocks counted from "became aware", not from the classification', () => {
    const aware = riga(2026, 11, 2, 8);
    expect(deriveClocks(incident({ awareAt: aware, significant: false }), [], opts)).toEqual([]);
    // classified two days later: the early warning is already overdue
    const later = Date.parse(riga(2026, 11, 4, 8));
    const c = byKey(deriveClocks(incident({ awareAt: aware, significant: true }), [], opts));
    expect(c['nis2-early-warning'].startsAt).toBe(aware);
    expect(viewClock(c['nis2-early-warning'], later, STEPS)).toMatchObject({ state: 'overdue', step: 'overdue' });
    expect(viewClock(c['nis2-notification'], later, STEPS)).toMatchObject({ state: 'running', step: '50%' });
  });

  test('correcting "became aware at" moves every clock that starts from it', () => {
    const a = byKey(deriveClocks(incident({ awareAt: riga(2026, 11, 2, 8) }), [], opts));
    const b = byKey(deriveClocks(incident({ awareAt: riga(2026, 11, 1, 20) }), [], opts));
    expect(Date.parse(a['nis2-notification'].dueAt!) - Date.parse(b['nis2-notification'].dueAt!)).toBe(12 * 3_600_000);
  });

  test('fan-out: each affected municipality gets the processor target and, from the notice to it, its own 72 h to DVI', () => {
    const inc = incident({
      significant: false,
      personalDataBreach: true,
      awareAt: riga(2026, 11, 30, 9),
      affected: [
        { tenant: 'riga', applications: ['SOPA'], dataCategories: ['social_assistance'], personsAffected: 120 },
        { tenant: 'jelgava', applications: ['PERS'], dataCategories: ['residence'], personsAffected: 40 },
        { tenant: 'zzdats', applications: [], dataCategories: [], personsAffected: 0 },
      ],
    });
    const toRiga = sending('gdpr-processor-to-controller', riga(2026, 11, 30, 15), { audience: 'riga' });
    const c = byKey(deriveClocks(inc, [toRiga], opts));
    expect(Object.keys(c).sort()).toEqual(['gdpr-dvi:jelgava', 'gdpr-dvi:riga', 'gdpr-processor:jelgava', 'gdpr-processor:riga']);
    expect(rigaText(c['gdpr-processor:riga'].dueAt!)).toBe('01.12.2026 09:00');
    expect(c['gdpr-processor:riga'].stoppedAt).toBe(toRiga.sentAt);
    expect(c['gdpr-processor:jelgava'].stoppedAt).toBeNull();
    expect(c['gdpr-dvi:riga']).toMatchObject({ tenant: 'riga', startsAt: toRiga.sentAt });
    expect(rigaText(c['gdpr-dvi:riga'].dueAt!)).toBe('03.12.2026 15:00');
    expect(c['gdpr-dvi:jelgava'].startsAt).toBeNull(); // jelgava has not been told yet
    const dvi = sending('gdpr-controller-to-dvi', riga(2026, 12, 1, 10), { audience: 'riga' });
    expect(byKey(deriveClocks(inc, [toRiga, dvi], opts))['gdpr-dvi:riga'].stoppedAt).toBe(dvi.sentAt);
  });

  test("a municipality's own breach runs its own 72 h from becoming aware", () => {
    const c = deriveClocks(incident({ ownerTenant: 'riga', significant: false, personalDataBreach: true }), [], opts);
    expect(c.map((x) => [x.key, x.tenant])).toEqual([['gdpr-dvi:riga', 'riga']]);
  });

  test('view: time left, share used, step reached; met and late', () => {
    const c = byKey(deriveClocks(incident(), [], opts))['nis2-early-warning'];
    const start = Date.parse(c.startsAt!);
    expect(viewClock(c, start + 11 * 3_600_000, STEPS)).toMatchObject({ state: 'running', step: null, msLeft: 13 * 3_600_000, dueRiga: '25.10.2026 09:00' });
    expect(viewClock(c, start + 19 * 3_600_000, STEPS).step).toBe('75%');
    expect(viewClock(c, start + 22 * 3_600_000, STEPS).step).toBe('90%');
    expect(viewClock({ ...c, stoppedAt: new Date(start + 3_600_000).toISOString() }, start + 30 * 3_600_000, STEPS).state).toBe('met');
    expect(viewClock({ ...c, stoppedAt: new Date(start + 25 * 3_600_000).toISOString() }, start + 30 * 3_600_000, STEPS).state).toBe('late');
    expect(viewClock({ ...c, active: false }, start, STEPS).state).toBe('inactive');
  });
});
