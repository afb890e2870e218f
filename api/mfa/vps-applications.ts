/**
 * The VPS applications (service.name in events) of shared/DOMAIN.md. MFA policy rules, account imports and the
 * coverage report accept only these names.
 */
export const VPS_APPLICATIONS = [
  'NINO', 'NEKIP', 'SOPA', 'DZIMTS', 'PERS', 'JUPIS', 'GVEDIS', 'ALGAS', 'KADRI', 'BUDZIS', 'NOMA', 'LIETVARIS',
  'BARIS', 'ENZ', 'BRIDZIS', 'APUS', 'AMIS', 'VISVARIS',
] as const;

export type VpsApplication = (typeof VPS_APPLICATIONS)[number];

const known: ReadonlySet<string> = new Set(VPS_APPLICATIONS);

/** Type guard: is `s` one of the VPS application names (exact, upper case)? */
export function isVpsApplication(s: unknown): s is VpsApplication {
  return typeof s === 'string' && known.has(s);
}

/** `nino`, ` Nino ` → `NINO` when that is a VPS application, else undefined. */
export function vpsApplicationOf(s: unknown): VpsApplication | undefined {
  if (typeof s !== 'string') return undefined;
  const up = s.trim().toUpperCase();
  return known.has(up) ? (up as VpsApplication) : undefined;
}
