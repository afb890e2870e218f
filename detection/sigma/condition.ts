/**
 * The Sigma condition grammar (https://sigmahq.io/docs/basics/conditions.html): search identifiers combined with
 * `and`, `or`, `not` and parentheses (precedence not > and > or), `1 of <pattern>`, `all of <pattern>`, and `them`
 * (every identifier not starting with `_`). Patterns use `*` wildcards. The deprecated aggregation pipe (`| count()`)
 * is refused: thresholds are correlation rules.
 */
import type { EventMatcher } from './rule-types';

/** A parsed condition. */
export type ConditionNode =
  | { t: 'id'; name: string }
  | { t: 'of'; quantifier: 'one' | 'all'; pattern: string }
  | { t: 'not'; x: ConditionNode }
  | { t: 'and' | 'or'; a: ConditionNode; b: ConditionNode };

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*?.\-]+|\S)/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < src.length && (m = TOKEN.exec(src))) {
    if (m[1] === undefined) break;
    out.push(m[1]);
  }
  return out;
}

/** Parses a condition into a tree; throws Error with a reason on bad syntax. */
export function parseCondition(src: string): ConditionNode {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const lower = (): string | undefined => toks[i]?.toLowerCase();
  const expr = (): ConditionNode => {
    let a = term();
    while (lower() === 'or') {
      i++;
      a = { t: 'or', a, b: term() };
    }
    return a;
  };
  const term = (): ConditionNode => {
    let a = factor();
    while (lower() === 'and') {
      i++;
      a = { t: 'and', a, b: factor() };
    }
    return a;
  };
  const factor = (): ConditionNode => {
    const tok = peek();
    if (tok === undefined) throw new Error('condition ends unexpectedly');
    const l = tok.toLowerCase();
    if (l === 'not') {
      i++;
      return { t: 'not', x: factor() };
    }
    if (tok === '(') {
      i++;
      const x = expr();
      if (peek() !== ')') throw new Error('missing ")" in condition');
      i++;
      return x;
    }
    if (tok === '|') throw new Error('aggregation expressions ("| count() …") are not supported: write a correlation rule');
    if ((l === '1' || l === 'all' || l === 'any') && toks[i + 1]?.toLowerCase() === 'of') {
      const pattern = toks[i + 2];
      if (!pattern || !/^[A-Za-z0-9_*?.\-]+$/.test(pattern)) throw new Error(`"${tok} of" needs an identifier pattern or "them"`);
      i += 3;
      return { t: 'of', quantifier: l === 'all' ? 'all' : 'one', pattern };
    }
    if (['and', 'or', 'of', ')'].includes(l) || !/^[A-Za-z0-9_.\-]+$/.test(tok)) throw new Error(`unexpected "${tok}" in condition`);
    i++;
    return { t: 'id', name: tok };
  };
  const tree = expr();
  if (toks[i] === '|') throw new Error('aggregation expressions ("| count() …") are not supported: write a correlation rule');
  if (i < toks.length) throw new Error(`unexpected "${toks[i]}" in condition`);
  return tree;
}

/** Which search identifiers a `1 of` / `all of` pattern names. */
export function patternMatcher(pattern: string): (name: string) => boolean {
  if (pattern === 'them') return (n) => !n.startsWith('_');
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (n) => re.test(n);
}

/**
 * Compiles a condition over compiled search identifiers.
 * @throws Error naming the problem (unknown identifier, pattern matching nothing, syntax).
 */
export function compileCondition(src: string, searches: ReadonlyMap<string, EventMatcher>): EventMatcher {
  const build = (n: ConditionNode): EventMatcher => {
    switch (n.t) {
      case 'id': {
        const m = searches.get(n.name);
        if (!m) throw new Error(`condition names unknown search identifier "${n.name}"`);
        return m;
      }
      case 'of': {
        const ok = patternMatcher(n.pattern);
        const ms = [...searches.entries()].filter(([name]) => ok(name)).map(([, m]) => m);
        if (ms.length === 0) throw new Error(`"${n.pattern}" in condition matches no search identifier`);
        if (ms.length === 1) return ms[0]!;
        return n.quantifier === 'all'
          ? (e, c) => { for (const m of ms) if (!m(e, c)) return false; return true; }
          : (e, c) => { for (const m of ms) if (m(e, c)) return true; return false; };
      }
      case 'not': {
        const x = build(n.x);
        return (e, c) => !x(e, c);
      }
      case 'and': {
        const a = build(n.a);
        const b = build(n.b);
        return (e, c) => a(e, c) && b(e, c);
      }
      case 'or': {
        const a = build(n.a);
        const b = build(n.b);
        return (e, c) => a(e, c) || b(e, c);
      }
    }
  };
  return build(parseCondition(src));
}
