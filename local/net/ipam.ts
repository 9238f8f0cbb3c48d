// Pod address allocation on the node's /16 (pure). Addresses are handed out round-robin from a cursor, so
// an address just freed is not reused at once while clients may still hold connections to it.

export interface Ipv4Range {
  /** First two octets, e.g. "10.244". */
  prefix: string;
}

export function rangeOf(cidr: string): Ipv4Range {
  const m = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/.exec(cidr);
  if (!m) throw new Error(`pod CIDR ${cidr}: only a /16 like 10.244.0.0/16 is supported`);
  return { prefix: `${m[1]}.${m[2]}` };
}

// Index 0 is the network, 1 the bridge (gateway), 65535 the broadcast address.
const FIRST = 2;
const LAST = 65534;

export function ipAt(range: Ipv4Range, index: number): string {
  return `${range.prefix}.${Math.floor(index / 256)}.${index % 256}`;
}

export function indexOf(range: Ipv4Range, ip: string): number | undefined {
  if (!ip.startsWith(range.prefix + '.')) return undefined;
  const [c, d] = ip.slice(range.prefix.length + 1).split('.').map(Number);
  if (c === undefined || d === undefined || Number.isNaN(c) || Number.isNaN(d)) return undefined;
  return c * 256 + d;
}

/** The next free address after `cursor` (an index), and the new cursor. Throws when the range is full. */
export function allocate(range: Ipv4Range, inUse: ReadonlySet<string>, cursor: number): { ip: string; cursor: number } {
  const size = LAST - FIRST + 1;
  if (cursor < FIRST || cursor > LAST) cursor = FIRST - 1; // outside the usable range: start from the top
  for (let step = 1; step <= size; step++) {
    const index = FIRST + ((cursor - FIRST + step + size) % size);
    const ip = ipAt(range, index);
    if (!inUse.has(ip)) return { ip, cursor: index };
  }
  throw new Error(`no free pod address left in ${range.prefix}.0.0/16`);
}
