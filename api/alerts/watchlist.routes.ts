import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { WatchlistEntry, WatchlistStore } from '../../core/stores/watchlist-store';
import type { AppContext } from '../app-context';
import type { Principal } from '../auth/permissions';
import { fromZod } from '../problem';
import { defineRoutes } from '../route';

type Ctx = Pick<AppContext, 'authz' | 'audit' | 'tenants' | 'pseudonymiser'>;

/** Most person codes in one request (a council, a department's staff): larger lists go in several requests. */
export const MAX_CODES_PER_REQUEST = 500;

const addBody = z
  .object({
    list: z.string().min(1).max(40),
    // Each code is checked by the pseudonymiser below, so that the field is named personCodes[i] with its reason.
    personCodes: z.array(z.string()).min(1, 'at least one person code').max(MAX_CODES_PER_REQUEST, `at most ${MAX_CODES_PER_REQUEST} person codes per request`),
    tenant: z.string().min(1).max(64).default('*'),
    user: z.string().trim().min(1).max(256).optional(),
    note: z.string().trim().max(1000).default(''),
  })
  .strict();
const idParam = z.string().min(1).max(128);

const inScope = (scope: string[] | '*', tenant: string) => scope === '*' || (tenant !== '*' && scope.includes(tenant));

/** The list the engine reloads from (detection/alerting.ts watchlistRefreshMs, default 30 s). */
const RELOAD = 'The detection engine re-reads the watch list every 30 seconds: a change takes effect within about 30 s.';

/**
 * The watch list of the `sargs.watchlist` detection pseudo-field (issue 4: "a watch-listed person's record opened")
 * over HTTP, beside `sargs rules watchlist` (cli/rules-watchlist.ts). Person codes are validated all first (one bad
 * code adds nothing) and pseudonymised with the deployment's key; only pseudonyms are stored, and no code is ever
 * answered, logged or audited (GDPR Art. 5(1)(c), Art. 32(1)(a)). Tenant officers manage their own tenants' entries;
 * a deployment-wide entry (`*`) needs alerts:triage in every tenant, as suppression rules do. Every change is audited.
 *
 * @example routes.push(...watchlistRoutes(ctx, { watchlist: createSqlWatchlistStore(sql) }))
 */
export function watchlistRoutes(ctx: Ctx, deps: { watchlist: WatchlistStore }) {
  const { watchlist } = deps;
  const scopeOf = (p: Principal) => ctx.authz.scope(p, 'alerts:triage');
  /** A value that holds a person code (a code typed into the wrong field) must not be stored or echoed. */
  const holdsCode = (s: string) => ctx.pseudonymiser.scrubText(s) !== s;

  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/watchlist',
      permission: 'alerts:triage',
      summary: 'List watch-list entries in the caller\'s tenants (pseudonyms only)',
      tags: ['alerts'],
      openapi: {
        responses: {
          '200': {
            description:
              '{ entries, tenants }: entries kept by the caller\'s tenants, oldest first, each { id, list, person (pseudonym pk_…, never a code), user?, tenant, note, createdBy, createdAt }; tenants: those the caller may add entries for (\'*\' first when every tenant is in scope). ' +
              RELOAD,
          },
        },
      },
      async handler(_req, res, principal) {
        const scope = await scopeOf(principal!);
        const tenants = scope === '*' ? ['*', ...[...ctx.tenants].sort()] : [...scope].sort();
        res.setHeader('Cache-Control', 'no-store');
        res.json({ entries: await watchlist.list(scope), tenants });
      },
    },
    {
      method: 'post',
      path: '/api/v1/watchlist',
      permission: 'alerts:triage',
      summary: 'Add persons to a watch list by person code (stored as pseudonyms only)',
      tags: ['alerts'],
      openapi: {
        requestBody: {
          required: true,
          description: `Person codes are validated all first: one invalid code adds nothing. ${RELOAD}`,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['list', 'personCodes'],
                additionalProperties: false,
                properties: {
                  list: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'List name: vip, staff, family, protected …' },
                  personCodes: {
                    type: 'array',
                    minItems: 1,
                    maxItems: MAX_CODES_PER_REQUEST,
                    items: { type: 'string', description: 'DDMMYY-CNNNN or 32NNNN-NNNNN (hyphen optional)' },
                    description: 'Person codes; pseudonymised with the deployment key, never stored, answered or logged',
                  },
                  tenant: { type: 'string', default: '*', description: "Tenant keeping the entries, or '*' for deployment-wide ones (needs every tenant in scope)" },
                  user: { type: 'string', description: 'Only this user opening the records is of interest (a staff member\'s own family)' },
                  note: { type: 'string', maxLength: 1000, description: 'Why the persons are watched; person codes in it are replaced by pseudonyms' },
                },
              },
            },
          },
        },
        responses: {
          '201': { description: `{ added, alreadyListed, entries }: entries are the ones created (pseudonyms only). ${RELOAD}` },
          '400': { description: 'An invalid person code (field personCodes[i] and the reason, never the code; nothing added), unknown tenant, bad list name' },
          '403': { description: 'tenant_out_of_scope: the tenant (or \'*\') is not in the caller\'s alerts:triage scope' },
        },
      },
      async handler(req, res, principal) {
        const r = addBody.safeParse(req.body ?? {});
        if (!r.success) throw fromZod(r.error, 'body');
        const b = r.data;
        // The tenant is not echoed: a person code typed into the wrong field must not come back in the answer.
        if (b.tenant !== '*' && !ctx.tenants.has(b.tenant)) throw new AppError(400, 'invalid_body', 'tenant: unknown tenant (see policies/tenants.yaml)', { field: 'tenant' });
        if (!inScope(await scopeOf(principal!), b.tenant))
          throw new AppError(403, 'tenant_out_of_scope', b.tenant === '*' ? 'tenant: a watch list for every tenant needs alerts:triage in every tenant' : 'tenant: not permitted to keep a watch list for this tenant', { field: 'tenant' });
        if (holdsCode(b.list)) throw new AppError(400, 'invalid_body', 'list: a list name, not a person code', { field: 'list' });
        if (b.user !== undefined && holdsCode(b.user)) throw new AppError(400, 'invalid_body', 'user: a user name, not a person code', { field: 'user' });

        // Every code is checked before any is added: a typo adds nothing (as the CLI does).
        const pseudonyms: string[] = [];
        const issues: Array<{ field: string; reason: string }> = [];
        b.personCodes.forEach((code, i) => {
          try {
            pseudonyms.push(ctx.pseudonymiser.person(code));
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            issues.push({ field: `personCodes[${i}]`, reason: err.message }); // the reason, never the code
          }
        });
        if (issues.length) {
          const first = issues[0]!;
          const more = issues.length > 1 ? ` (${issues.length} invalid codes in all)` : '';
          throw new AppError(400, 'invalid_person_code', `${first.field}: ${first.reason}${more}; nothing added`, { field: first.field, issues });
        }

        const note = ctx.pseudonymiser.scrubText(b.note);
        const created: WatchlistEntry[] = [];
        let alreadyListed = 0;
        // The same code twice in one request is one entry.
        for (const person of new Set(pseudonyms)) {
          const { entry, created: isNew } = await watchlist.add({ list: b.list, person, tenant: b.tenant, user: b.user, note, createdBy: principal!.name });
          if (!isNew) {
            alreadyListed++;
            continue;
          }
          created.push(entry);
          await ctx.audit.record(principal!.name, 'watchlist.added', `watchlist:${entry.id}`, { list: entry.list, tenant: entry.tenant, user: entry.user ?? null });
        }
        res.status(201).json({ added: created.length, alreadyListed, entries: created });
      },
    },
    {
      method: 'delete',
      path: '/api/v1/watchlist/:id',
      permission: 'alerts:triage',
      summary: 'Remove a watch-list entry',
      tags: ['alerts'],
      openapi: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: `Removed. ${RELOAD}` }, '404': { description: 'No such entry in the caller\'s tenants' } },
      },
      async handler(req, res, principal) {
        const p = idParam.safeParse(req.params.id);
        if (!p.success) throw new AppError(400, 'invalid_path', 'id: not a watch-list entry id', { field: 'id' });
        const removed = await watchlist.remove(p.data, await scopeOf(principal!));
        if (!removed) throw new AppError(404, 'not_found', 'watch-list entry not found', { field: 'id' });
        await ctx.audit.record(principal!.name, 'watchlist.removed', `watchlist:${removed.id}`, { list: removed.list, tenant: removed.tenant, user: removed.user ?? null });
        res.status(204).end();
      },
    },
  ]);
}
