/**
 * Who calls and what they may do: the Principal (api/authz/principal.ts) and the permission strings routes
 * declare (api/authz/permissions.ts). Roles and their permissions are data (policies/roles.yaml) enforced with
 * casbin through api/authz/authz.ts.
 */
export type { Principal } from '../authz/principal';
export type { Permission } from '../authz/permissions';
