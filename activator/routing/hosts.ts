// The host a request names (pure): its Host header without the port, lower-cased. Which Route serves a
// host is computed in api/serving/route-hosts.ts.

/** The host without port, lower-cased. Nothing is trimmed: the head parser has validated Host, so any other byte is part of a host no Route has. */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}
