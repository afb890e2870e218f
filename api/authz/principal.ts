/**
 * Who is calling, as established by authentication (issue 3 shared model, helper-notes ISSUE3.md). The
 * lead replaces the Principal of api/auth/permissions.ts with this one. Casbin subjects are `user:<id>` and
 * `token:<id>` (see subjectOf).
 */
export interface Principal {
  kind: 'user' | 'token';
  /** User id, or token id. */
  id: string;
  /** User name, or `token:<id>`: the actor written into the audit log. */
  name: string;
  /** Home tenant; '*' only for platform tokens and central collectors. */
  tenant: string;
  sessionId?: string;
  /** Epoch ms of the last second-factor check in this session (step-up). */
  mfaAt?: number;
  tokenKind?: 'platform-admin' | 'collector' | 'vps-application';
  source?: string | null;
}

/** The casbin subject of a principal: `user:<id>` or `token:<id>`. */
export function subjectOf(p: Pick<Principal, 'kind' | 'id'>): string {
  return `${p.kind}:${p.id}`;
}
