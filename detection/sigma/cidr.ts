/**
 * Sigma `cidr` modifier: does an address fall in an IPv4 (RFC 4632) or IPv6 (RFC 4291 §2.2, 2.3) prefix.
 * Addresses are parsed into a reused scratch buffer, so a test allocates nothing.
 */

const scratch = new Uint16Array(8);

/** Parses dotted-quad IPv4 into an unsigned 32-bit number, or -1. */
export function parseIpv4(s: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + octet;
}

/** Parses IPv6 (with `::` and an embedded IPv4 tail) into `out` (8 words); false when not an address. */
export function parseIpv6(s: string, out: Uint16Array = scratch): boolean {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const words: number[] = [];
  const push = (part: string, allowV4: boolean): boolean => {
    if (part === '') return true;
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 < 0) return false;
        words.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
        words.push(parseInt(g, 16));
      }
    }
    return true;
  };
  if (!push(head, dbl < 0)) return false;
  const headLen = words.length;
  if (!push(tail, true)) return false;
  const missing = 8 - words.length;
  if (dbl < 0 ? missing !== 0 : missing < 1) return false;
  for (let i = 0, w = 0; i < 8; i++) {
    if (dbl >= 0 && i >= headLen && i < headLen + missing) out[i] = 0;
    else out[i] = words[w++]!;
  }
  return true;
}

/** A compiled set of prefixes: `test(address)` is true when the address lies in one of them. */
export interface CidrSet {
  test(address: string): boolean;
}

/** Compiles CIDR strings; throws RangeError naming a bad one. */
export function compileCidrs(cidrs: string[]): CidrSet {
  const v4: { net: number; mask: number }[] = [];
  const v6: { words: Uint16Array; bits: number }[] = [];
  for (const c of cidrs) {
    const [addr, bitsText] = c.split('/');
    const isV6 = addr!.includes(':');
    const bits = bitsText === undefined ? (isV6 ? 128 : 32) : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > (isV6 ? 128 : 32)) throw new RangeError(`bad CIDR prefix length in ${c}`);
    if (isV6) {
      const words = new Uint16Array(8);
      if (!parseIpv6(addr!, words)) throw new RangeError(`bad IPv6 network in ${c}`);
      v6.push({ words, bits });
    } else {
      const a = parseIpv4(addr!);
      if (a < 0) throw new RangeError(`bad IPv4 network in ${c}`);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      v4.push({ net: (a & mask) >>> 0, mask });
    }
  }
  return {
    test(address: string): boolean {
      if (address.includes(':')) {
        if (v6.length === 0 || !parseIpv6(address, scratch)) return false;
        for (const p of v6) if (inPrefix6(scratch, p.words, p.bits)) return true;
        return false;
      }
      if (v4.length === 0) return false;
      const a = parseIpv4(address);
      if (a < 0) return false;
      for (const p of v4) if (((a & p.mask) >>> 0) === p.net) return true;
      return false;
    },
  };
}

function inPrefix6(a: Uint16Array, net: Uint16Array, bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}
