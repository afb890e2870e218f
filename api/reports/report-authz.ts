/**
 * Who may produce and read person access reports (issue 5: "Producing a report needs the DPO role for the person's
 * municipality (or ZZ Dats DPO) and a fresh step-up"; "A DPO of municipality A cannot produce a report that shows
 * B's internal accesses beyond what A may see").
 *
 * - Only a signed-in user (the route declares stepUp, so the second factor is fresh) who holds the `dpo` role where
 *   the role grants `reports:person-access` (policies/roles.yaml). Tokens and other roles, platform administrators
 *   included, are refused: reading a person's access history is the DPO's task (GDPR Art. 38-39), not the
 *   administrator's.
 * - A dpo of municipality A produces A's view (controller A): A's log, A's users, and accesses to A's residents by
 *   anyone (other municipalities, state institutions, ZZ Dats). B's internal accesses stay B's
 *   (core/stores/person-accesses.ts applies the rule in both stores).
 * - A dpo in the processor tenant `zzdats` (ZZ Dats DPO) sees every access (controller '*'), or any one controller's
 *   view when asked for it.
 * - A stored report is readable by the DPOs who could have produced it: controller within their controllers.
 */
import { AppError } from '../../core/errors';
import type { Authz } from '../authz/authz';
import { type Principal, subjectOf } from '../authz/principal';

/** The tenant whose dpo sees every controller's accesses. */
export const PROCESSOR_TENANT = 'zzdats';

/** The controllers a principal produces reports for: '*' (ZZ Dats DPO) or the tenants where it is dpo. */
export async function reportControllers(authz: Pick<Authz, 'rolesOf' | 'scope'>, p: Principal): Promise<'*' | string[]> {
  if (p.kind !== 'user') {
    throw new AppError(403, 'dpo_required', 'a person access report is produced by a signed-in data protection officer with a fresh second factor, not by an API token');
  }
  const scope = await authz.scope(p, 'reports:person-access');
  const dpoIn = (await authz.rolesOf(subjectOf(p))).filter((r) => r.role === 'dpo').map((r) => r.tenant);
  const held = dpoIn.filter((t) => scope === '*' || scope.includes(t));
  if (held.includes('*') || held.includes(PROCESSOR_TENANT)) return '*';
  if (held.length === 0) throw new AppError(403, 'dpo_required', 'a person access report needs the dpo role of a municipality or of ZZ Dats');
  return [...new Set(held)].sort();
}

/**
 * The controller of a new report: the one asked for (field `controller`), which must be among the principal's,
 * or the only one the principal has; '*' by default for the ZZ Dats DPO.
 */
export function chooseController(controllers: '*' | string[], requested: string | undefined, tenants: ReadonlySet<string>): string {
  if (requested !== undefined) {
    if (requested !== '*' && !tenants.has(requested)) throw new AppError(400, 'invalid_body', `controller: unknown tenant ${JSON.stringify(requested)}`, { field: 'controller' });
    if (controllers === '*' || controllers.includes(requested)) return requested;
    throw new AppError(403, 'controller_out_of_scope', `controller: not a dpo of ${requested}`, { field: 'controller' });
  }
  if (controllers === '*') return '*';
  if (controllers.length === 1) return controllers[0];
  throw new AppError(400, 'invalid_body', `controller: required, one of ${controllers.join(', ')} (you are dpo of several)`, { field: 'controller' });
}

/** May these controllers read a stored report of `controller`? */
export const mayRead = (controllers: '*' | string[], controller: string): boolean =>
  controllers === '*' || (controller !== '*' && controllers.includes(controller));
