/**
 * Compiles a Sigma rule's `detection` into one matcher `(event, ctx) => boolean` over nested ECS events.
 * Search identifiers (https://sigmahq.io/docs/basics/rules.html#detection): a map is the AND of its field
 * conditions, a list of maps is their OR, a list of plain values is a keyword search (case-insensitive, anywhere in
 * `message` or `event.original`). `condition` may be a string or a list of strings (OR).
 */
import { compileCondition } from './condition';
import { compileFieldCondition, RuleCompileError } from './compile-field';
import { compileFieldGetter } from './field-path';
import type { EventMatcher } from './rule-types';
import { parseWildcards, wildcardSource } from './wildcard';

export { RuleCompileError } from './compile-field';

const KEYWORD_FIELDS = ['message', 'event.original'].map(compileFieldGetter);

function compileMap(map: Record<string, unknown>, path: (string | number)[]): EventMatcher {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new RuleCompileError('empty search map', path);
  const parts = entries.map(([k, v]) => compileFieldCondition(k, v, [...path, k]));
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [EventMatcher, EventMatcher];
    return (e, c) => a(e, c) && b(e, c);
  }
  return (e, c) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(e, c)) return false;
    return true;
  };
}

function compileKeywords(words: unknown[]): EventMatcher {
  const re = new RegExp(words.map((w) => wildcardSource(parseWildcards(String(w)))).join('|'), 'is');
  return (e, c) => {
    for (const get of KEYWORD_FIELDS) {
      const v = get(e, c);
      if (typeof v === 'string' && re.test(v)) return true;
    }
    return false;
  };
}

function compileSearch(value: unknown, path: (string | number)[]): EventMatcher {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleCompileError('empty search list', path);
    if (value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      const maps = value.map((m, i) => compileMap(m as Record<string, unknown>, [...path, i]));
      if (maps.length === 1) return maps[0]!;
      return (e, c) => {
        for (let i = 0; i < maps.length; i++) if (maps[i]!(e, c)) return true;
        return false;
      };
    }
    if (value.every((v) => v === null || typeof v !== 'object')) return compileKeywords(value);
    throw new RuleCompileError('a search list must hold only maps or only keywords', path);
  }
  if (value !== null && typeof value === 'object') return compileMap(value as Record<string, unknown>, path);
  if (typeof value === 'string' || typeof value === 'number') return compileKeywords([value]);
  throw new RuleCompileError('a search identifier must be a map, a list of maps or a list of keywords', path);
}

/**
 * Compiles a detection section.
 * @throws RuleCompileError with the YAML path of the offending key (the loader turns it into `file:line`).
 * @example compileDetection({ sel: { 'event.action': 'export' }, condition: 'sel' })(event, ctx)
 */
export function compileDetection(detection: Record<string, unknown>, path: (string | number)[] = ['detection']): EventMatcher {
  const searches = new Map<string, EventMatcher>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    searches.set(name, compileSearch(value, [...path, name]));
  }
  const cond = detection.condition;
  const conditions = Array.isArray(cond) ? cond : [cond];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string' || c.trim() === '')) {
    throw new RuleCompileError('detection.condition must be a non-empty string or list of strings', [...path, 'condition']);
  }
  const compiled = conditions.map((c, i) => {
    try {
      return compileCondition(c as string, searches);
    } catch (err) {
      throw new RuleCompileError((err as Error).message, Array.isArray(cond) ? [...path, 'condition', i] : [...path, 'condition']);
    }
  });
  if (compiled.length === 1) return compiled[0]!;
  return (e, c) => {
    for (const m of compiled) if (m(e, c)) return true;
    return false;
  };
}
