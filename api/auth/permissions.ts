import type { TokenKind } from '../tokens/token.store';

/**
 * Permissions that routes declare. Issue 3 moves the role model to casbin (policies/); until then a token's
 * kind decides what it may do.
 */
export type Permission =
  | 'events:ingest'
  | 'events:read'
  | 'deadletter:read'
  | 'tokens:manage'
  | 'metrics:read'
  | 'system:read';

const byKind: Record<TokenKind, ReadonlySet<Permission>> = {
  'platform-admin': new Set<Permission>(['events:ingest', 'events:read', 'deadletter:read', 'tokens:manage', 'metrics:read', 'system:read']),
  collector: new Set<Permission>(['events:ingest']),
};

export function kindAllows(kind: TokenKind, p: Permission): boolean {
  return byKind[kind]?.has(p) ?? false;
}

/** Who is calling, as established by api/auth/authenticate.ts. */
export interface Principal {
  tokenId: string;
  kind: TokenKind;
  /** A tenant id, or * for all. */
  tenant: string;
  source: string | null;
}

/** The tenants a principal may read: never taken from request input alone (DEVELOPERS.md, RBAC). */
export function readScope(p: Principal): string[] | '*' {
  return p.tenant === '*' ? '*' : [p.tenant];
}
