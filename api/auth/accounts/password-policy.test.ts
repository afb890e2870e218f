import { loadAuthPolicy } from './auth-policy';
import { checkPassword } from './password-policy';

const policy = loadAuthPolicy().password;
const ctx = { username: 'janis.berzins', tenant: 'adazu-novads' };
const code = (pw: string) => checkPassword(pw, policy, ctx)?.code;

describe('checkPassword (NIST SP 800-63B §5.1.1.2)', () => {
  it('accepts a long phrase of unrelated words', () => {
    expect(code('zils kalns lido ar velosipēdu')).toBeUndefined();
    expect(code('Tr0mbone-Galaxy-Pickle')).toBeUndefined();
  });
  it('refuses short passwords, counting code points', () => {
    expect(checkPassword('abcdefghijk', policy, ctx)).toEqual({ code: 'password_too_short', message: 'password must have at least 12 characters (has 11)' });
    expect(code('🙂'.repeat(11) + 'a')).not.toBe('password_too_short');
  });
  it('refuses overly long passwords', () => expect(code('x1'.repeat(200))).toBe('password_too_long'));
  it('refuses common and breached passwords, also with digits and symbols around them', () => {
    expect(code('qwerty123456')).toBe('password_common');
    expect(code('1q2w3e4r5t6y')).toBe('password_common');
    expect(code('Password2024!')).toBe('password_common');
    expect(code('2024sunshine!!')).toBe('password_common');
  });
  it('refuses the username or the tenant inside the password', () => {
    expect(code('xx-Janis.Berzins-xx')).toBe('password_contains_username');
    expect(code('adazu-novads-2024-secret')).toBe('password_contains_tenant');
    expect(code('my adazu office key')).toBe('password_contains_tenant');
  });
  it('refuses repetitive passwords', () => expect(code('abababababababab')).toBe('password_repetitive'));
});
