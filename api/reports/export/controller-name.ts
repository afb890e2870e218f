import { loadTenants, type Tenant } from '../../../core/tenants';
import type { ControllerDetails } from './export.types';

let tenants: Map<string, Tenant> | undefined;

function tenant(id: string): Tenant | undefined {
  try {
    tenants ??= loadTenants().byId;
  } catch {
    tenants = new Map();
  }
  return tenants.get(id);
}

/** The controller's display name from policies/tenants.yaml ('Rīgas valstspilsēta'), else its id. */
export function tenantName(id: string): string {
  return tenant(id)?.name ?? id;
}

/**
 * Default controller details for the answer letter when a case gives none: the municipality as a legal person
 * ('Rīgas valstspilsēta' → 'Rīgas valstspilsētas pašvaldība', 'Ādažu novads' → 'Ādažu novada pašvaldība'); a state
 * institution or the processor by its name. Contact details must come from the case or the caller.
 */
export function controllerDetails(tenantId: string): ControllerDetails {
  const t = tenant(tenantId);
  if (!t) return { name: tenantId };
  if (t.kind !== 'municipality') return { name: t.name };
  const name = t.name.replace(/ valstspilsēta$/, ' valstspilsētas').replace(/ novads$/, ' novada');
  return { name: name === t.name ? t.name : `${name} pašvaldība` };
}
