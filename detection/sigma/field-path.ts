/**
 * Field lookup for compiled Sigma matchers: ECS dotted names over nested objects, literal dotted keys or a mix of
 * both (`{ event: { action } }`, `{ 'event.action': … }`), and the Sargs pseudo-fields computed from @timestamp in
 * Europe/Riga. Keys are joined once at compile time, so a lookup allocates nothing.
 */
import { rigaHourAt } from '../../core/calendar/riga-time';
import { createTimestampParser } from '../../core/calendar/timestamp-ms';
import { isRigaWorkingDayAt } from '../../core/calendar/working-days';
import type { MatchContext } from './rule-types';

/** Reads one field of an event; arrays are returned as they are (the caller matches any element). */
export type FieldGetter = (event: unknown, ctx: MatchContext) => unknown;

/** Pseudo-field: hour of day in Europe/Riga (0–23) of @timestamp. */
export const RIGA_HOUR = 'sargs.riga.hour';
/** Pseudo-field: @timestamp falls on a Latvian working day (Mon–Fri less public holidays, DOMAIN.md). */
export const RIGA_WORKING_DAY = 'sargs.riga.working_day';

/**
 * Pseudo-field: the names of the watch lists holding the event's data subject (`vps.subject.person`) for the acting
 * user (`user.name`), from the deployment's watch list (core/stores/watchlist-store.ts); absent when on none.
 */
export const WATCHLIST = 'sargs.watchlist';

const timestampMs = createTimestampParser();

/** Prepares the shared context for a new event; Riga values are computed lazily on first use. */
export function resetContext(ctx: MatchContext, event: unknown): void {
  ctx.event = event;
  const ts = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['@timestamp'] : undefined;
  ctx.timeMs = typeof ts === 'string' ? timestampMs(ts) : typeof ts === 'number' ? ts : NaN;
  ctx.rigaHour = -1;
  ctx.rigaWorkingDay = -1;
}

/** A fresh context. */
export function newContext(): MatchContext {
  return { event: undefined, timeMs: NaN, rigaHour: -1, rigaWorkingDay: -1 };
}

function lookup(obj: unknown, joined: string[][], n: number, i: number): unknown {
  if (i === n) return obj;
  if (obj === null || typeof obj !== 'object') return undefined;
  if (Array.isArray(obj)) {
    for (const el of obj) {
      const r = lookup(el, joined, n, i);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  const o = obj as Record<string, unknown>;
  const keys = joined[i]!;
  for (let j = i + 1; j <= n; j++) {
    const v = o[keys[j]!];
    if (v !== undefined) {
      const r = lookup(v, joined, n, j);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Compiles a getter for an ECS dotted field name (or a Sargs pseudo-field). */
export function compileFieldGetter(field: string): FieldGetter {
  if (field === RIGA_HOUR) {
    return (_e, ctx) => {
      if (ctx.rigaHour < 0) {
        if (Number.isNaN(ctx.timeMs)) return undefined;
        ctx.rigaHour = rigaHourAt(ctx.timeMs);
      }
      return ctx.rigaHour;
    };
  }
  if (field === RIGA_WORKING_DAY) {
    return (_e, ctx) => {
      if (ctx.rigaWorkingDay < 0) {
        if (Number.isNaN(ctx.timeMs)) return undefined;
        ctx.rigaWorkingDay = isRigaWorkingDayAt(ctx.timeMs) ? 1 : 0;
      }
      return ctx.rigaWorkingDay === 1;
    };
  }
  if (field === WATCHLIST) {
    const person = compileFieldGetter('vps.subject.person');
    const user = compileFieldGetter('user.name');
    const tenant = compileFieldGetter('vps.tenant');
    return (e, ctx) => {
      if (!ctx.watchlist) return undefined;
      const p = person(e, ctx);
      if (typeof p !== 'string') return undefined;
      const u = user(e, ctx);
      const t = tenant(e, ctx);
      return ctx.watchlist(p, typeof u === 'string' ? u : undefined, typeof t === 'string' ? t : undefined);
    };
  }
  const segs = field.split('.');
  const n = segs.length;
  // joined[i][j] = segs[i..j) joined by '.', tried shortest first so nested documents take the fast path
  const joined: string[][] = segs.map((_, i) => {
    const row: string[] = [];
    for (let j = i + 1; j <= n; j++) row[j] = segs.slice(i, j).join('.');
    return row;
  });
  const slow = (e: unknown): unknown => lookup(e, joined, n, 0);
  if (n === 1) return (e) => (e === null || typeof e !== 'object' ? undefined : Array.isArray(e) ? slow(e) : (e as Record<string, unknown>)[field]);
  // fast paths for stored (nested, array-free) ECS documents: two or three plain property reads
  if (n === 2) {
    const [a, b] = segs as [string, string];
    const ab = `${a}.${b}`;
    return (e) => {
      if (e === null || typeof e !== 'object') return undefined;
      if (Array.isArray(e)) return slow(e);
      const o = (e as Record<string, unknown>)[a];
      if (o === undefined || o === null || typeof o !== 'object') return (e as Record<string, unknown>)[ab];
      if (Array.isArray(o)) return slow(e);
      // a nested miss leaves only the literal dotted key (what `lookup` would try next)
      const v = (o as Record<string, unknown>)[b];
      return v !== undefined ? v : (e as Record<string, unknown>)[ab];
    };
  }
  if (n === 3) {
    const [a, b, c] = segs as [string, string, string];
    return (e) => {
      const o = e !== null && typeof e === 'object' ? (e as Record<string, unknown>)[a] : undefined;
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
        const p = (o as Record<string, unknown>)[b];
        if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
          const v = (p as Record<string, unknown>)[c];
          if (v !== undefined) return v;
        }
      }
      return slow(e);
    };
  }
  return slow;
}

/** Expands dotted keys into nested objects (`{ 'a.b': 1 }` → `{ a: { b: 1 } }`), for test events. */
export function expandDottedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandDottedKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const v = expandDottedKeys(raw);
    const parts = key === '@timestamp' ? [key] : key.split('.');
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = node[p];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    const prev = node[last];
    if (prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v)) Object.assign(prev, v);
    else node[last] = v;
  }
  return out;
}
