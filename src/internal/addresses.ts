/*
 * IPv4 and IPv6 addresses and CIDR blocks: the one module that parses them, for constructs and
 * for Lambda handlers alike (no aws-cdk-lib imports, so handler bundles stay small).
 */

/** An address as a number, with its width in bits (32 or 128); undefined if malformed. */
export function parseAddress(ip: string): { value: bigint; width: number } | undefined {
  if (ip.includes(':')) {
    const [head, tail, extra] = ip.split('::');
    if (extra !== undefined) return undefined;
    const left = head ? head.split(':') : [];
    const right = tail === undefined ? [] : tail ? tail.split(':') : [];
    const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
    if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return { value: groups.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n), width: 128 };
  }
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return { value: parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n), width: 32 };
}

/** A CIDR block's base and prefix length; undefined if malformed. */
function parseCidr(cidr: string): { value: bigint; width: number; bits: number } | undefined {
  const [base, bitsText, extra] = cidr.split('/');
  if (extra !== undefined || bitsText === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const address = parseAddress(base);
  const bits = Number(bitsText);
  if (!address || bits > address.width) return undefined;
  return { ...address, bits };
}

/** True for an IPv4 or IPv6 CIDR block such as `10.0.0.0/16`. */
export function isCidr(value: string): boolean {
  return parseCidr(value) !== undefined;
}

/** True when the address lies in the CIDR block (of the same family). */
export function inCidr(ip: string, cidr: string): boolean {
  const a = parseAddress(ip);
  const b = parseCidr(cidr);
  if (!a || !b || a.width !== b.width) return false;
  const block = 2n ** BigInt(a.width - b.bits);
  return a.value / block === b.value / block;
}

/** [first, last] addresses of an IPv4 CIDR block as numbers; undefined if malformed or IPv6. */
export function cidrRange(cidr: string): [number, number] | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.width !== 32 || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) return undefined;
  const size = 2 ** (32 - parsed.bits);
  const first = Math.floor(Number(parsed.value) / size) * size;
  return [first, first + size - 1];
}

/** True when two IPv4 CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const ra = cidrRange(a);
  const rb = cidrRange(b);
  if (!ra || !rb) return false;
  return ra[0] <= rb[1] && rb[0] <= ra[1];
}

/** Orders addresses numerically (IPv4 before IPv6 of the same value, malformed ones as 0). */
export function compareAddresses(a: string, b: string): number {
  const x = parseAddress(a)?.value ?? 0n;
  const y = parseAddress(b)?.value ?? 0n;
  return x < y ? -1 : x > y ? 1 : a.localeCompare(b);
}
