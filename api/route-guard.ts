import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../core/errors';
import type { Permission } from './auth/permissions';
import type { Principal } from './authz/principal';
import type { RouteDef } from './route';
import { requireCsrf } from './auth/sessions/session-authenticator';

export interface GuardDeps {
  /** Who is calling: a signed-in user (session, second factor passed) or a machine (API token); undefined if nobody. */
  authenticate(req: Request): Promise<Principal | undefined>;
  /** Where the principal holds a permission: '*' or the tenants (api/authz/authz.ts). */
  scope(principal: Principal, permission: Permission): Promise<string[] | '*'>;
  /** Step-up window: a user's second factor must be this fresh for a `stepUp` route. */
  stepUpMinutes: number;
  now?: () => number;
}

/**
 * The guard in front of every route (api/create-app.ts; route tests that serve a subset of routes use the same one):
 * 'public' passes; anything else needs a principal, the session's CSRF token for cookie-authenticated changes,
 * a user for 'self', a fresh second factor for `stepUp`, and the route's permission held in some tenant
 * (handlers then narrow to the tenants where it is held). Sets res.locals.principal.
 */
export function routeGuard(r: RouteDef, deps: GuardDeps) {
  const now = deps.now ?? Date.now;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (r.permission === 'public') return next();
      const principal = await deps.authenticate(req);
      if (!principal) throw new AppError(401, 'unauthorized', 'missing credentials: sign in, or send Authorization: Bearer <token>');
      // Cookie-authenticated changes need the session's CSRF token; Bearer requests carry no ambient credentials.
      requireCsrf(req, principal);
      if (r.permission === 'self' && principal.kind !== 'user') throw new AppError(403, 'forbidden', 'only a signed-in user has a session of their own');
      if (r.stepUp && principal.kind === 'user' && (principal.mfaAt ?? 0) < now() - deps.stepUpMinutes * 60_000)
        throw new AppError(401, 'step_up_required', `confirm with a second factor first (step-up within ${deps.stepUpMinutes} minutes)`);
      const scope = await deps.scope(principal, r.permission);
      if (scope !== '*' && scope.length === 0) throw new AppError(403, 'forbidden', `not permitted: ${r.permission}`);
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
