import { AppError } from '../../core/errors';
import { checkPersonCode, maskPersonCode, parsePeriodEnd, rigaMidnight } from './person-access';
import { chooseController, mayRead } from './report-authz';

const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code, field: err.details.field, message: err.message };
    throw err;
  }
  throw new Error('no error');
};

describe('period ends', () => {
  test('a date is 00:00 in Riga, on both sides of both DST changes', () => {
    expect(rigaMidnight(2026, 3, 29).toISOString()).toBe('2026-03-28T22:00:00.000Z'); // EET, the night clocks go forward
    expect(rigaMidnight(2026, 3, 30).toISOString()).toBe('2026-03-29T21:00:00.000Z'); // EEST
    expect(rigaMidnight(2026, 10, 25).toISOString()).toBe('2026-10-24T21:00:00.000Z'); // EEST, the night clocks go back
    expect(rigaMidnight(2026, 10, 26).toISOString()).toBe('2026-10-25T22:00:00.000Z'); // EET
    expect(rigaMidnight(2024, 2, 29).toISOString()).toBe('2024-02-28T22:00:00.000Z'); // leap day
    expect(parsePeriodEnd('2026-01-01', 'from').toISOString()).toBe('2025-12-31T22:00:00.000Z');
  });

  test('ISO times are taken as they are; anything else is refused naming the field', () => {
    expect(parsePeriodEnd('2026-11-30T08:00:00Z', 'to').toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(parsePeriodEnd('2026-11-30T10:00:00+02:00', 'to').toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(problem(() => parsePeriodEnd('2026-02-30', 'to'))).toMatchObject({ status: 400, field: 'to', message: 'to: not a calendar date' });
    expect(problem(() => parsePeriodEnd('2025-02-29', 'from'))).toMatchObject({ field: 'from' });
    expect(problem(() => parsePeriodEnd('30.11.2026', 'from'))).toMatchObject({ field: 'from' });
    expect(problem(() => parsePeriodEnd('2026-11-30T08:00:00', 'from'))).toMatchObject({ field: 'from' }); // no offset
    expect(problem(() => parsePeriodEnd(undefined, 'to'))).toMatchObject({ field: 'to' });
  });
});

describe('person codes', () => {
  test('both formats are accepted and masked after the first six digits', () => {
    expect(maskPersonCode(checkPersonCode('161175-19997').normalised)).toBe('161175-*****');
    expect(maskPersonCode(checkPersonCode(' 16117519997 ').normalised)).toBe('161175-*****');
    expect(maskPersonCode(checkPersonCode('320000-00017').normalised)).toBe('320000-*****');
  });

  test('a wrong check digit, date or format is refused with the reason, as field person, without the code', () => {
    for (const [code, reason] of [
      ['161175-19998', 'check digit'],
      ['300275-19997', 'date: day'],
      ['161375-19997', 'date: month'],
      ['1611751999', 'format'],
      ['16117A-19997', 'format'],
    ]) {
      const p = problem(() => checkPersonCode(code));
      expect(p).toMatchObject({ status: 400, code: 'invalid_person_code', field: 'person' });
      expect(p.message).toContain(reason);
      expect(p.message).not.toContain(code);
    }
  });
});

describe('controllers of a report', () => {
  const tenants = new Set(['riga', 'jelgava', 'vid', 'zzdats']);

  test('a DPO of one municipality gets that one; of several must name it; ZZ Dats gets every one', () => {
    expect(chooseController(['riga'], undefined, tenants)).toBe('riga');
    expect(problem(() => chooseController(['jelgava', 'riga'], undefined, tenants))).toMatchObject({ status: 400, field: 'controller' });
    expect(chooseController(['jelgava', 'riga'], 'jelgava', tenants)).toBe('jelgava');
    expect(chooseController('*', undefined, tenants)).toBe('*');
    expect(chooseController('*', 'jelgava', tenants)).toBe('jelgava');
  });

  test("another municipality's view is refused, an unknown one is a bad request", () => {
    expect(problem(() => chooseController(['riga'], 'jelgava', tenants))).toMatchObject({ status: 403, code: 'controller_out_of_scope', field: 'controller' });
    expect(problem(() => chooseController(['riga'], '*', tenants))).toMatchObject({ status: 403 });
    expect(problem(() => chooseController('*', 'atlantis', tenants))).toMatchObject({ status: 400, field: 'controller' });
  });

  test('a stored report is read by DPOs of its controller and by ZZ Dats only', () => {
    expect(mayRead(['riga'], 'riga')).toBe(true);
    expect(mayRead(['riga'], 'jelgava')).toBe(false);
    expect(mayRead(['riga'], '*')).toBe(false);
    expect(mayRead('*', '*')).toBe(true);
    expect(mayRead('*', 'jelgava')).toBe(true);
  });
});
