import type { Request, Response } from 'express';
import type { Permission, Principal } from './auth/permissions';

/**
 * A route with its permission declared beside it (an unguarded route is visible at a glance, and
 * api/routes.test.ts fails on one without a permission or without its OpenAPI description).
 */
export interface RouteDef {
  method: 'get' | 'post' | 'delete' | 'head';
  /** Express path; OpenAPI path is derived (`:id` → `{id}`). */
  path: string;
  /**
   * `public` only for liveness, the API description, sign-in and enrolment by link; `self` for a signed-in
   * user's own session and factors.
   */
  permission: Permission | 'public';
  /** Sensitive: a user must have passed a second factor within the last N minutes (policies/auth.yaml). */
  stepUp?: boolean;
  /** Raw body (ingest routes) instead of JSON. */
  body?: 'json' | 'raw';
  summary: string;
  tags: string[];
  /** OpenAPI fragments: parameters, requestBody, responses. */
  openapi?: { parameters?: unknown[]; requestBody?: unknown; responses?: Record<string, unknown> };
  handler: (req: Request, res: Response, principal: Principal | undefined) => Promise<void> | void;
}

export const defineRoutes = (routes: RouteDef[]) => routes;
