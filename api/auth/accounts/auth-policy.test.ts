import { loadAuthPolicy, parseAuthPolicy } from './auth-policy';
import { delaySeconds } from './login-throttle';

describe('policies/auth.yaml', () => {
  it('loads with the documented defaults', () => {
    const p = loadAuthPolicy();
    expect(p.password.minLength).toBe(12);
    expect(p.enrolment.linkHours).toBe(72);
    expect(p.stepUpMinutes).toBe(10);
    expect(p.throttle.account).toMatchObject({ delayAfter: 3, lockAfter: 10, lockMinutes: 15 });
    expect(p.throttle.address.lockAfter).toBe(30);
  });
  it('applies overrides and validates them', () => {
    expect(loadAuthPolicy(undefined, { session: { idleMinutes: 0.5 } }).session).toMatchObject({ idleMinutes: 0.5, absoluteHours: 12 });
    expect(() => loadAuthPolicy(undefined, { password: { minLength: 6 } })).toThrow(/password\.minLength: minLength below 8/);
  });
  it('refuses unknown keys and bad values, naming the field', () => {
    const p = loadAuthPolicy();
    expect(() => parseAuthPolicy({ ...p, extra: 1 })).toThrow(/Unrecognized key/);
    expect(() => parseAuthPolicy({ ...p, throttle: { ...p.throttle, account: { ...p.throttle.account, lockAfter: 2 } } })).toThrow(/throttle\.account: lockAfter must be at least delayAfter/);
  });
});

describe('growing delays', () => {
  const rule = loadAuthPolicy().throttle.account;
  it('waits 2^(n-3) s after the 3rd failure, at most 15 min', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map((n) => delaySeconds(rule, n))).toEqual([0, 0, 0, 1, 2, 4, 8, 64]);
    expect(delaySeconds(rule, 40)).toBe(900);
  });
});
