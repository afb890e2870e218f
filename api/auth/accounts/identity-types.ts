import type { Request, Response } from 'express';
import type { Permission } from '../../authz/permissions';
import type { Principal } from '../../authz/principal';
import type { RouteDef } from '../../route';

/** FACTORS' service and event (api/auth/factors/factor.types.ts, helper-notes ISSUE3.md). */
export type { AuthEvent, FactorMethod, FactorService } from '../factors/factor.types';
import type { AuthEvent } from '../factors/factor.types';

export type OnAuthEvent = (e: AuthEvent) => void | Promise<void>;

/**
 * A route of this folder: api/route.ts's RouteDef with the issue 3 Principal and permissions, and `stepUp`.
 * The lead's route table takes these as they are once RouteDef switches to api/authz's Principal.
 */
export type AccountRouteDef = Omit<RouteDef, 'permission' | 'handler'> & {
  permission: Permission | 'public';
  stepUp?: boolean;
  handler: (req: Request, res: Response, principal: Principal | undefined) => Promise<void> | void;
};

export type { Principal };
