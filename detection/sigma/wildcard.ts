/**
 * Sigma string values (https://sigmahq.io/docs/basics/modifiers.html, "Wildcards"): `*` matches any run of
 * characters, `?` exactly one; `\*`, `\?` and `\\` are the literal characters; a backslash before anything else is
 * a literal backslash. Matching is case-insensitive unless the `cased` modifier is given.
 */

/** A parsed value: literal text pieces and wildcard tokens. */
export type WildcardPart = { lit: string } | '*' | '?';

/** Splits a Sigma value into literal pieces and wildcards. */
export function parseWildcards(value: string): WildcardPart[] {
  const parts: WildcardPart[] = [];
  let lit = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else lit += c;
    } else if (c === '*' || c === '?') {
      if (lit) parts.push({ lit });
      lit = '';
      parts.push(c);
    } else lit += c;
  }
  if (lit) parts.push({ lit });
  return parts;
}

/** True when the parsed value holds a wildcard. */
export function hasWildcard(parts: WildcardPart[]): boolean {
  return parts.some((p) => typeof p === 'string');
}

/** The literal text of a wildcard-free value. */
export function literalOf(parts: WildcardPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.lit)).join('');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Regular-expression source (unanchored) of a parsed value. */
export function wildcardSource(parts: WildcardPart[]): string {
  let src = '';
  for (const p of parts) src += p === '*' ? '.*' : p === '?' ? '.' : escapeRe(p.lit);
  return src;
}

/** Sigma `windash`: every `-` or `/` that starts an option may also be `/`, `-`, en dash, em dash or horizontal bar. */
export function windashVariants(value: string): string[] {
  const dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];
  const at: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if ((value[i] === '-' || value[i] === '/') && (i === 0 || /\s/.test(value[i - 1]!))) at.push(i);
  }
  let variants = [value];
  for (const pos of at.slice(0, 4)) {
    const next: string[] = [];
    for (const v of variants) for (const d of dashes) next.push(v.slice(0, pos) + d + v.slice(pos + 1));
    variants = next;
  }
  return variants;
}

/** Sigma `base64offset`: the three encodings of a value at each byte offset, trimmed to the stable part. */
export function base64OffsetVariants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const end = ends[(bytes.length + i) % 3]!;
    out.push(enc.slice(starts[i]!, end === 0 ? undefined : end));
  }
  return out;
}
