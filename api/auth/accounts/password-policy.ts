import { dictionary } from '@zxcvbn-ts/language-common';
import type { AuthPolicy } from './auth-policy';

/** Why a password was refused: a stable code for the UI and tests, and a sentence for people. */
export interface PasswordRefusal {
  code: 'password_too_short' | 'password_too_long' | 'password_common' | 'password_contains_username' | 'password_contains_tenant' | 'password_repetitive';
  message: string;
}

let common: ReadonlySet<string> | undefined;

/** The common/breached password list shipped by @zxcvbn-ts/language-common (49k entries, lower case). */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/** The word a password is built around: lower case, without leading/trailing digits and symbols (`Password2024!`). */
function core(pw: string): string {
  return pw.toLowerCase().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
}

/**
 * Checks a new password against policies/auth.yaml (NIST SP 800-63B §5.1.1.2: length, no composition rules,
 * refuse values from breach corpuses, dictionary words and context-specific words such as the username).
 * Returns the first refusal, or undefined when the password is acceptable.
 */
export function checkPassword(password: string, policy: AuthPolicy['password'], context: { username: string; tenant: string }): PasswordRefusal | undefined {
  const length = [...password.normalize('NFKC')].length; // code points: an emoji counts once (SP 800-63B)
  if (length < policy.minLength) return { code: 'password_too_short', message: `password must have at least ${policy.minLength} characters (has ${length})` };
  if (length > policy.maxLength) return { code: 'password_too_long', message: `password must have at most ${policy.maxLength} characters` };
  const lower = password.toLowerCase();
  if (policy.refuseUserContext) {
    const username = context.username.toLowerCase();
    if (username.length >= 3 && lower.includes(username)) return { code: 'password_contains_username', message: 'password must not contain the username' };
    const tenant = context.tenant.toLowerCase();
    const tenantWord = tenant.replace(/-novads$/, '');
    if (tenant.length >= 3 && (lower.includes(tenant) || (tenantWord.length >= 4 && lower.includes(tenantWord))))
      return { code: 'password_contains_tenant', message: 'password must not contain the organisation (tenant) name' };
  }
  if (new Set(lower).size < 5) return { code: 'password_repetitive', message: 'password repeats too few different characters (at least 5 different ones are needed)' };
  if (policy.refuseCommon) {
    const list = commonPasswords();
    const word = core(password);
    if (list.has(lower) || (word.length >= 4 && list.has(word)))
      return { code: 'password_common', message: 'password is in a list of common or breached passwords; choose a longer phrase of unrelated words' };
  }
  return undefined;
}
