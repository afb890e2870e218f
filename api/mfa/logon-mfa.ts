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

/** The AD FS 2016+ AuditBase XML the parser keeps in one of winlog.event_data's strings. */
function adfsXml(e: EcsEvent): string | undefined {
  const data = (e.winlog as { event_data?: Record<string, unknown> } | undefined)?.event_data;
  if (!data || typeof data !== 'object') return undefined;
  for (const v of Object.values(data)) if (typeof v === 'string' && v.includes('<AuditBase')) return v;
  return undefined;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim();

/**
 * Reads MFA-or-not from a stored logon event.
 *
 * 1. `vps.auth.mfa` (boolean) and `vps.auth.mfa_method`, when a parser sets them (asked of the lead for
 *    collector/parsers/windows.ts: AD FS AuthNAuditComponent MfaPerformed / MfaMethod).
 * 2. Otherwise AD FS 1200 (token issued, `adfs-token-issued`): the AuditBase XML kept in winlog.event_data —
 *    `<MfaPerformed>true|false</MfaPerformed>`, `<MfaMethod>`, and the application from `<RelyingParty>urn:vps:<app>`.
 * Windows 4624 logons at a domain controller carry no MFA information (LogonType and the authentication package
 * do not tell a second factor), so `mfa` stays undefined for them: they are never counted as password-only.
 */
export function logonMfaOf(e: EcsEvent): LogonMfa {
  const out: LogonMfa = { username: accountName(e.user?.name), application: vpsApplicationOf(e.service?.name) };
  const auth = (e.vps as { auth?: { mfa?: unknown; mfa_method?: unknown } }).auth;
  if (auth && typeof auth.mfa === 'boolean') {
    out.mfa = auth.mfa;
    out.method = methodId(auth.mfa_method);
    return out;
  }
  const xml = e.event?.code === '1200' || e.event?.action === 'adfs-token-issued' ? adfsXml(e) : undefined;
  if (!xml) return out;
  const performed = tag(xml, 'MfaPerformed')?.toLowerCase();
  if (performed === 'true' || performed === 'false') out.mfa = performed === 'true';
  out.method = methodId(tag(xml, 'MfaMethod'));
  // Relying parties of VPS applications are named urn:vps:<app> (ADFS relying party trust identifiers).
  const rp = tag(xml, 'RelyingParty');
  if (!out.application && rp) out.application = vpsApplicationOf(/^urn:vps:([a-z0-9-]+)$/i.exec(rp)?.[1]);
  if (!out.username) out.username = accountName(tag(xml, 'UserId'));
  return out;
}
