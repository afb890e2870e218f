import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../../core/errors';
import type { TokenStore } from '../tokens/token.store';
import type { Principal } from './permissions';

/**
 * Finds the API token in a request: `Authorization: Bearer <token>`, `ApiKey <token>` or `ApiKey
 * base64(id:token)` (Elastic-style shippers), or HTTP Basic with the token as password (rsyslog, Fluent Bit).
 */
export function tokenFromRequest(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const [scheme, value = ''] = h.split(/\s+/, 2);
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return value;
    case 'apikey': {
      if (value.startsWith('sargs_')) return value;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : decoded;
    }
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      return decoded.slice(decoded.indexOf(':') + 1);
    }
    default:
      return undefined;
  }
}

/**
 * Verifies tokens with a short cache (10 s) so that the ingest hot path does not query the database per request.
 * A revocation therefore takes effect within 10 seconds.
 */
export function createTokenAuthenticator(tokens: TokenStore, ttlMs = 10_000) {
  const cache = new Map<string, { at: number; principal: Principal | { error: string } }>();
  return async (req: Request): Promise<Principal | undefined> => {
    const token = tokenFromRequest(req);
    if (!token) return undefined;
    const key = createHash('sha256').update(token).digest('base64');
    const hit = cache.get(key);
    let principal = hit && Date.now() - hit.at < ttlMs ? hit.principal : undefined;
    if (!principal) {
      const r = await tokens.verify(token);
      principal = r.ok
        ? { kind: 'token', id: r.info.id, name: `token:${r.info.id}`, tenant: r.info.tenant, tokenKind: r.info.kind, source: r.info.source }
        : { error: r.reason };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { at: Date.now(), principal });
      if (r.ok) void tokens.touch(r.info.id).catch(() => undefined);
    }
    if ('error' in principal) throw new AppError(401, 'unauthorized', `invalid credentials: ${principal.error}`);
    return principal;
  };
}
