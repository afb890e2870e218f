import type { RouteDef } from '../route';

/** Express `:param` → OpenAPI `{param}`. */
export const openApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');

/**
 * The OpenAPI 3.1 description of the HTTP API, built from the route table itself (each route carries its
 * parameters and responses beside its handler), so the document cannot list a route that does not exist.
 */
export function buildOpenApi(routes: RouteDef[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.path)] ??= {});
    p[r.method] = {
      summary: r.summary,
      tags: r.tags,
      operationId: `${r.method}${openApiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      'x-permission': r.permission,
      ...(r.permission === 'public' ? { security: [] } : {}),
      ...(r.openapi?.parameters ? { parameters: r.openapi.parameters } : {}),
      ...(r.openapi?.requestBody ? { requestBody: r.openapi.requestBody } : {}),
      responses: r.openapi?.responses ?? { '200': { description: 'OK' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sargs API',
      version,
      description: 'Security and compliance operations for the Latvian Unified Municipal System (VPS). Errors are application/problem+json (RFC 9457).',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token: sargs_<id>_<secret>' },
        basic: { type: 'http', scheme: 'basic', description: 'Any user name, the API token as password (log shippers)' },
      },
    },
    security: [{ bearer: [] }, { basic: [] }],
    paths,
  };
}
