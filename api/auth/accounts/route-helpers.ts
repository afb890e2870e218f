import type { Request } from 'express';
import type { z } from 'zod';
import { fromZod } from '../../problem';
import type { Origin } from './login.service';

/** Parses a JSON body with a zod schema; 400 naming the first bad field. */
export function bodyOf<T extends z.ZodTypeAny>(schema: T, req: Request): z.infer<T> {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) throw fromZod(r.error, 'body');
  return r.data;
}

/** The caller's address (the socket's: `trust proxy` is off) and user agent, for throttling and events. */
export function originOf(req: Request): Origin {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') ?? undefined };
}

/** OpenAPI: a required path parameter. */
export const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

/** OpenAPI: a JSON request body with the given properties. */
export function jsonBody(properties: Record<string, unknown>, required: string[] = []) {
  return { required: required.length > 0, content: { 'application/json': { schema: { type: 'object', required, properties } } } };
}
