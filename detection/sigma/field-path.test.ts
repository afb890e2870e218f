import { compileFieldGetter, newContext } from './field-path';

/** The reference reading of a dotted field: every split of the name into nested and literal dotted keys. */
function reference(obj: unknown, segs: string[]): unknown {
  if (segs.length === 0) return obj;
  if (obj === null || typeof obj !== 'object') return undefined;
  if (Array.isArray(obj)) {
    for (const el of obj) {
      const r = reference(el, segs);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  for (let j = 1; j <= segs.length; j++) {
    const v = (obj as Record<string, unknown>)[segs.slice(0, j).join('.')];
    if (v !== undefined) {
      const r = reference(v, segs.slice(j));
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('compileFieldGetter', () => {
  it('reads the same value as the reference over 5,000 random nested, dotted and array-holding documents', () => {
    const r = rng(3);
    const keys = ['a', 'b', 'c', 'a.b', 'b.c', 'a.b.c'];
    const value = (depth: number): unknown => {
      const x = r();
      if (depth > 2 || x < 0.3) return x < 0.1 ? null : x < 0.2 ? 7 : `v${Math.floor(x * 100)}`;
      if (x < 0.4) return [value(depth + 1), value(depth + 1)];
      const o: Record<string, unknown> = {};
      for (const k of keys) if (r() < 0.4) o[k] = value(depth + 1);
      return o;
    };
    const fields = ['a.b', 'b.c', 'a.b.c', 'a', 'c.a'];
    const getters = fields.map((f) => [f, compileFieldGetter(f)] as const);
    const ctx = newContext();
    for (let i = 0; i < 5000; i++) {
      const doc = i % 50 === 0 ? [value(1), value(1)] : value(0);
      for (const [f, get] of getters) expect([f, doc, get(doc, ctx)]).toEqual([f, doc, reference(doc, f.split('.'))]);
    }
  });
});
