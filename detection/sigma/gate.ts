/**
 * Rule gates: a necessary condition of a Sigma detection, derived from it at load time, that the engine checks
 * for many rules at once with one map lookup per event (detection/engine.ts).
 *
 * A gate says "this rule can match only when `field` equals one of `values`" (case-insensitively, as Sigma
 * compares strings; an array field passes when any element does). It is derived only from plain equality
 * conditions: no modifier, no wildcard, no null. The derivation follows the condition tree:
 * - a search map is the AND of its fields: each plain field is a requirement;
 * - a list of maps is an OR: a field required by every map, with the union of the values;
 * - `and` keeps the requirements of both sides, `or` those of both sides on the same field (values joined),
 *   `not` and keyword searches require nothing; `all of` is an `and`, `1 of` an `or` over the named searches.
 * So a gate never rejects an event the rule would match: it only spares the rule's matcher on events that cannot
 * match (a Windows logon never runs the VPS audit rules). `gate.test.ts` checks this over every rule's test events
 * and a demo day.
 */
import { parseCondition, patternMatcher, type ConditionNode } from './condition';
import { hasWildcard, literalOf, parseWildcards } from './wildcard';

/** field → the lowercased values it must equal (any of them). Each entry is required on its own. */
type Requirements = Map<string, Set<string>>;
type RequirementsView = ReadonlyMap<string, ReadonlySet<string>>;

/** The gate of one rule: the field and its lowercased values. */
export interface RuleGate {
  field: string;
  values: ReadonlySet<string>;
}

/** The text a field value is compared as (Sigma: 4624 matches "4624"; strings case-insensitively). */
export const gateKey = (v: unknown): string => (typeof v === 'string' ? v : String(v)).toLowerCase();

/** The requirements of one `field: value(s)` entry of a search map (none unless plain equality). */
function fieldRequirement(key: string, value: unknown): [string, Set<string>] | undefined {
  if (key.includes('|')) return undefined;
  // Pseudo-fields (sargs.*) are computed per event and cheap to test in the matcher; gates read stored fields.
  if (key.startsWith('sargs.')) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  const values = new Set<string>();
  for (const v of list) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    if (typeof v === 'string') {
      const parts = parseWildcards(v);
      if (hasWildcard(parts)) return undefined;
      values.add(literalOf(parts).toLowerCase());
    } else values.add(String(v).toLowerCase());
  }
  return [key, values];
}

function ofMap(map: Record<string, unknown>): Requirements {
  const out: Requirements = new Map();
  for (const [k, v] of Object.entries(map)) {
    const r = fieldRequirement(k, v);
    if (r) out.set(r[0], r[1]);
  }
  return out;
}

/** AND: every requirement of both (on a shared field either set is necessary; the smaller is kept, the first on a tie). */
function both(a: Requirements, b: Requirements): Requirements {
  const out: Requirements = new Map(a);
  for (const [f, vs] of b) {
    const mine = out.get(f);
    if (!mine || vs.size < mine.size) out.set(f, vs);
  }
  return out;
}

/** OR: only fields both sides require, with the values of either. */
function either(a: Requirements, b: Requirements): Requirements {
  const out: Requirements = new Map();
  for (const [f, vs] of a) {
    const other = b.get(f);
    if (other) out.set(f, new Set([...vs, ...other]));
  }
  return out;
}

function ofSearch(value: unknown): Requirements {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) return new Map();
    return value.map((m) => ofMap(m as Record<string, unknown>)).reduce(either);
  }
  if (value !== null && typeof value === 'object') return ofMap(value as Record<string, unknown>);
  return new Map(); // keywords
}

function ofNode(n: ConditionNode, searches: ReadonlyMap<string, Requirements>): Requirements {
  switch (n.t) {
    case 'id':
      return searches.get(n.name) ?? new Map();
    case 'of': {
      const ok = patternMatcher(n.pattern);
      const named = [...searches.entries()].filter(([name]) => ok(name)).map(([, r]) => r);
      if (named.length === 0) return new Map();
      return named.reduce(n.quantifier === 'all' ? both : either);
    }
    case 'not':
      return new Map();
    case 'and':
      return both(ofNode(n.a, searches), ofNode(n.b, searches));
    case 'or':
      return either(ofNode(n.a, searches), ofNode(n.b, searches));
  }
}

/**
 * Every plain-equality requirement of a detection section (field → values). Empty when none can be proven, or when
 * the section does not parse (the compiler reports that).
 */
export function detectionRequirements(detection: Record<string, unknown>): Requirements {
  const searches = new Map<string, Requirements>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    searches.set(name, ofSearch(value));
  }
  const cond = detection.condition;
  const conditions = Array.isArray(cond) ? cond : [cond];
  try {
    const reqs = conditions.map((c) => ofNode(parseCondition(String(c)), searches));
    return reqs.length ? reqs.reduce(either) : new Map();
  } catch {
    return new Map();
  }
}

/**
 * Picks one gate per rule from their requirements: the field that most rules require (so the engine reads few
 * fields per event), then the fewest values. Rules without a requirement get none and always run.
 */
export function chooseGates(requirements: ReadonlyArray<RequirementsView | undefined>): Array<RuleGate | undefined> {
  const popularity = new Map<string, number>();
  for (const r of requirements) if (r) for (const f of r.keys()) popularity.set(f, (popularity.get(f) ?? 0) + 1);
  return requirements.map((r) => {
    let best: RuleGate | undefined;
    if (r) for (const [field, values] of r) {
      if (
        !best ||
        popularity.get(field)! > popularity.get(best.field)! ||
        (popularity.get(field) === popularity.get(best.field) && values.size < best.values.size)
      ) {
        best = { field, values };
      }
    }
    return best;
  });
}
