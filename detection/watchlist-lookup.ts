/**
 * The in-memory form of the watch list that the `sargs.watchlist` pseudo-field reads (detection/sigma/field-path.ts):
 * person pseudonym → the lists holding it, an entry optionally limited to one user (a staff member's own family:
 * only that user opening them is of interest).
 */
import type { WatchlistLookup } from './sigma/rule-types';

/** An entry as the engine needs it: a pseudonym, never a person code. */
export interface WatchedPerson {
  list: string;
  person: string;
  user?: string | null;
}

/**
 * Builds the lookup.
 * @example const lookup = watchlistLookup([{ list: 'vip', person: 'pk_…' }]); lookup('pk_…', 'jberzina') // ['vip']
 */
export function watchlistLookup(entries: readonly WatchedPerson[]): WatchlistLookup | undefined {
  if (entries.length === 0) return undefined;
  const byPerson = new Map<string, Array<{ list: string; user?: string }>>();
  for (const e of entries) {
    let l = byPerson.get(e.person);
    if (!l) byPerson.set(e.person, (l = []));
    l.push({ list: e.list, user: e.user ? e.user.toLowerCase() : undefined });
  }
  return (person, user) => {
    const l = byPerson.get(person);
    if (!l) return undefined;
    const u = user?.toLowerCase();
    const lists = l.filter((e) => e.user === undefined || e.user === u).map((e) => e.list);
    return lists.length ? [...new Set(lists)] : undefined;
  };
}
