/**
 * The in-memory form of the watch list that the `sargs.watchlist` pseudo-field reads (detection/sigma/field-path.ts):
 * person pseudonym → the lists holding it, an entry optionally limited to one user (a staff member's own family:
 * only that user opening them is of interest). A tenant's entry applies to its own events only (its alerts are its
 * own; another municipality's officers never learn whom it watches); an entry of tenant `*` (the SOC's
 * deployment-wide lists, rule tests) applies to every tenant's events.
 */
import type { WatchlistLookup } from './sigma/rule-types';

/** An entry as the engine needs it: a pseudonym, never a person code. */
export interface WatchedPerson {
  list: string;
  person: string;
  user?: string | null;
  /** The tenant that keeps the entry; `*` or absent: every tenant. */
  tenant?: string;
}

/**
 * Builds the lookup.
 * @example const lookup = watchlistLookup([{ list: 'vip', person: 'pk_…' }]); lookup('pk_…', 'jberzina', 'riga') // ['vip']
 */
export function watchlistLookup(entries: readonly WatchedPerson[]): WatchlistLookup | undefined {
  if (entries.length === 0) return undefined;
  const byPerson = new Map<string, Array<{ list: string; user?: string; tenant?: string }>>();
  for (const e of entries) {
    let l = byPerson.get(e.person);
    if (!l) byPerson.set(e.person, (l = []));
    l.push({ list: e.list, user: e.user ? e.user.toLowerCase() : undefined, tenant: e.tenant && e.tenant !== '*' ? e.tenant : undefined });
  }
  return (person, user, tenant) => {
    const l = byPerson.get(person);
    if (!l) return undefined;
    const u = user?.toLowerCase();
    const lists = l.filter((e) => (e.user === undefined || e.user === u) && (e.tenant === undefined || e.tenant === tenant)).map((e) => e.list);
    return lists.length ? [...new Set(lists)] : undefined;
  };
}
