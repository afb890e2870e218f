import { adfsAuditOf, vpsAppOfRelyingParty } from '../../collector/parsers/windows';
import type { EcsEvent } from '../../core/types';
import { vpsApplicationOf, type VpsApplication } from './vps-applications';

/** What a stored logon event says about a second factor. */
export interface LogonMfa {
  /** The VPS application signed in to, when the event names one. */
  application?: VpsApplication;
  /** user.name without a `DOMAIN\` prefix or `@upn` suffix, lower case (how vps_app_accounts are matched). */
  username?: string;
  /** true: MFA performed; false: password only; undefined: the event does not say. */
  mfa?: boolean;
  /** AD FS MfaMethod or vps.auth.mfa_method, as a policy method id when known (`Smart-ID` → `smart-id`). */
  method?: string;
}

/** `VPS\anna.k`, `anna.k@vps.lv`, `Anna.K` → `anna.k`. */
export function accountName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !name.trim()) return undefined;
  let n = name.trim();
  if (n.includes('\\')) n = n.slice(n.lastIndexOf('\\') + 1);
  if (n.includes('@')) n = n.slice(0, n.indexOf('@'));
  return n.toLowerCase() || undefined;
}

/** `Smart-ID` → `smart-id`, `eParaksts mobile` → `eparaksts-mobile`, `N/A` → undefined. */
export function methodId(m: unknown): string | undefined {
  if (typeof m !== 'string' || !m.trim() || /^n\/?a$/i.test(m.trim())) return undefined;
  return m.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/**
 * Reads MFA-or-not from a stored logon event.
 *
 * 1. `vps.auth.mfa` (boolean) and `vps.auth.mfa_method`, as collector/parsers/windows.ts sets them on AD FS 1200
 *    (token issued, `adfs-token-issued`) from the AuditBase `<MfaPerformed>` / `<MfaMethod>`; the application is
 *    service.name (the parser's `urn:vps:<app>` relying party), the account user.name.
 * 2. Otherwise, for a 1200 stored without vps.auth (ingested before the parser set it, or sent pre-normalised
 *    through the ecs parser with winlog kept): the same reading of the XML in winlog.event_data, by the parser's
 *    own adfsAuditOf, so both paths agree.
 * Windows 4624 logons at a domain controller carry no MFA information (LogonType and the authentication package
 * do not tell a second factor), so `mfa` stays undefined for them: they are never counted as password-only.
 */
export function logonMfaOf(e: EcsEvent): LogonMfa {
  const out: LogonMfa = { username: accountName(e.user?.name), application: vpsApplicationOf(e.service?.name) };
  const auth = (e.vps as { auth?: { mfa?: unknown; mfa_method?: unknown } } | undefined)?.auth;
  if (auth && typeof auth.mfa === 'boolean') {
    out.mfa = auth.mfa;
    out.method = methodId(auth.mfa_method);
    return out;
  }
  if (e.event?.code !== '1200' && e.event?.action !== 'adfs-token-issued') return out;
  const data = (e.winlog as { event_data?: unknown } | undefined)?.event_data;
  const audit = data && typeof data === 'object' && !Array.isArray(data) ? adfsAuditOf(data as Record<string, unknown>) : undefined;
  if (!audit) return out;
  out.mfa = audit.mfaPerformed;
  out.method = methodId(audit.mfaMethod);
  out.application ??= vpsApplicationOf(vpsAppOfRelyingParty(audit.relyingParty));
  out.username ??= accountName(audit.userId);
  return out;
}
