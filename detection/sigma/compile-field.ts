/**
 * Compiles one Sigma field condition (`field|modifier|…: value or list`) into a matcher. Semantics follow the
 * Sigma specification (https://sigmahq.io/docs/basics/modifiers.html): a list is OR unless `all`; strings match
 * case-insensitively with wildcards unless `cased`; `re` is case-sensitive unless `re|i`; `null` matches a missing
 * or null field; an array field matches when any element does. Everything is prepared here, at load time.
 */
import { compileCidrs } from './cidr';
import { compileFieldGetter, type FieldGetter } from './field-path';
import type { EventMatcher } from './rule-types';
import { base64OffsetVariants, hasWildcard, literalOf, parseWildcards, wildcardSource, windashVariants } from './wildcard';

/** The modifiers this engine implements (Sigma spec plus `re` sub-modifiers). */
export const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte',
  'windash', 'base64', 'base64offset', 'cased', 'fieldref',
]);

/** A field condition that cannot be compiled; the loader reports it with the line of its key. */
export class RuleCompileError extends Error {
  constructor(message: string, readonly path: (string | number)[]) {
    super(message);
  }
}

type Scalar = string | number | boolean | null;
type ScalarTest = (v: unknown) => boolean;

const COMPARE = { lt: (a: number, b: number) => a < b, lte: (a: number, b: number) => a <= b, gt: (a: number, b: number) => a > b, gte: (a: number, b: number) => a >= b };

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** Runs `test` over a field value: arrays match when any element does; missing/null/empty give `onNull`. */
function overValue(raw: unknown, test: ScalarTest, onNull: boolean): boolean {
  if (raw === undefined || raw === null) return onNull;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return onNull;
    for (let i = 0; i < raw.length; i++) {
      const el = raw[i];
      if (el !== null && el !== undefined && test(el)) return true;
    }
    return false;
  }
  return test(raw);
}

/** String-like tests for a set of values (equality, contains, startswith, endswith, with wildcards). */
function stringTest(values: string[], mode: 'eq' | 'contains' | 'startswith' | 'endswith', cased: boolean): ScalarTest {
  const parsed = values.map(parseWildcards);
  if (mode === 'eq' && !parsed.some(hasWildcard)) {
    const set = new Set(parsed.map((p) => (cased ? literalOf(p) : literalOf(p).toLowerCase())));
    if (cased) return (v) => set.has(typeof v === 'string' ? v : String(v));
    return (v) => set.has(typeof v === 'string' ? v.toLowerCase() : String(v).toLowerCase());
  }
  const alts = parsed.map(wildcardSource).join('|');
  const src = `${mode === 'eq' || mode === 'startswith' ? '^' : ''}(?:${alts})${mode === 'eq' || mode === 'endswith' ? '$' : ''}`;
  const re = new RegExp(src, cased ? 's' : 'is');
  return (v) => re.test(typeof v === 'string' ? v : String(v));
}

/** Compiles the user regex of `re`, honouring a leading inline `(?i)`/`(?s)`/`(?m)` group as flags. */
function compileRegex(pattern: string, flags: string, path: (string | number)[]): RegExp {
  let p = pattern;
  const inline = /^\(\?([ims]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const f of inline[1]!) if (!flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(p, flags);
  } catch (err) {
    throw new RuleCompileError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, path);
  }
}

/**
 * Compiles `key: value` of a detection map (`key` = field plus modifiers).
 * @example compileFieldCondition('source.ip|cidr', ['10.0.0.0/8'], ['detection', 'sel', 'source.ip|cidr'])
 */
export function compileFieldCondition(key: string, value: unknown, path: (string | number)[]): EventMatcher {
  const [field, ...mods] = key.split('|');
  if (!field) throw new RuleCompileError(`empty field name in ${JSON.stringify(key)}`, path);
  for (const m of mods) if (!KNOWN_MODIFIERS.has(m)) throw new RuleCompileError(`unknown modifier "${m}" in ${JSON.stringify(key)}`, path);
  const has = (m: string): boolean => mods.includes(m);
  const get: FieldGetter = compileFieldGetter(field);
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new RuleCompileError(`empty value list for ${JSON.stringify(key)}`, path);
  for (const v of list) {
    if (v !== null && typeof v === 'object') throw new RuleCompileError(`value of ${JSON.stringify(key)} must be a scalar or a list of scalars`, path);
  }
  const values = list as Scalar[];

  if (has('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new RuleCompileError(`${key}: exists takes true or false`, path);
    const want = values[0];
    return (e, ctx) => {
      const raw = get(e, ctx);
      const present = raw !== undefined && raw !== null && !(Array.isArray(raw) && raw.length === 0);
      return present === want;
    };
  }

  const cmp = (['lt', 'lte', 'gt', 'gte'] as const).find(has);
  if (cmp) {
    const nums = values.map(toNumber);
    if (nums.some(Number.isNaN)) throw new RuleCompileError(`${key}: ${cmp} takes numbers`, path);
    const op = COMPARE[cmp];
    const test: ScalarTest = (v) => {
      const n = toNumber(v);
      if (Number.isNaN(n)) return false;
      for (const b of nums) if (op(n, b)) return true;
      return false;
    };
    return (e, ctx) => overValue(get(e, ctx), test, false);
  }

  if (has('cidr')) {
    let set;
    try {
      set = compileCidrs(values.map(String));
    } catch (err) {
      throw new RuleCompileError(`${key}: ${(err as Error).message}`, path);
    }
    const test: ScalarTest = (v) => typeof v === 'string' && set.test(v);
    return (e, ctx) => overValue(get(e, ctx), test, false);
  }

  if (has('fieldref')) {
    const others = values.map((v) => compileFieldGetter(String(v)));
    return (e, ctx) => {
      const raw = get(e, ctx);
      if (raw === undefined || raw === null || typeof raw === 'object') return false;
      for (const o of others) {
        const other = o(e, ctx);
        if (other !== undefined && other !== null && String(other) === String(raw)) return true;
      }
      return false;
    };
  }

  const all = has('all');
  const buildTest = (vals: Scalar[]): { test: ScalarTest; onNull: boolean } => {
    const onNull = vals.some((v) => v === null);
    const nonNull = vals.filter((v): v is string | number | boolean => v !== null);
    if (nonNull.length === 0) return { test: () => false, onNull };
    if (has('re')) {
      const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
      const res = nonNull.map((p) => compileRegex(String(p), flags, path));
      return { test: (v) => { const s = typeof v === 'string' ? v : String(v); for (const r of res) if (r.test(s)) return true; return false; }, onNull };
    }
    const numbers = new Set(nonNull.filter((v): v is number => typeof v === 'number'));
    const bools = new Set(nonNull.filter((v): v is boolean => typeof v === 'boolean'));
    let strings = nonNull.map(String);
    if (has('windash')) strings = strings.flatMap(windashVariants);
    if (has('base64')) strings = strings.map((s) => Buffer.from(s, 'utf8').toString('base64'));
    if (has('base64offset')) strings = strings.flatMap(base64OffsetVariants);
    const mode = has('contains') || has('base64offset') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'eq';
    const strTest = stringTest(strings, mode, has('cased'));
    const plain = mode === 'eq';
    return {
      onNull,
      test: (v) => {
        // numbers compare numerically, booleans as booleans (Sigma: 4624 matches "4624" and 4624)
        if (plain && typeof v === 'number' && numbers.has(v)) return true;
        if (plain && typeof v === 'boolean') return bools.has(v) || strTest(v);
        return strTest(v);
      },
    };
  };

  if (all && values.length > 1) {
    const tests = values.map((v) => buildTest([v]));
    return (e, ctx) => {
      const raw = get(e, ctx);
      for (const t of tests) if (!overValue(raw, t.test, t.onNull)) return false;
      return true;
    };
  }
  const { test, onNull } = buildTest(values);
  return (e, ctx) => overValue(get(e, ctx), test, onNull);
}
