// Which Route a Host header names (pure). External hosts come from the Route's status (its URL and tag
// URLs); cluster-local hosts are `<name>.<ns>`, `<name>.<ns>.svc` and `<name>.<ns>.svc.cluster.local`
// (and the same with a `<tag>-` prefix on the name).

/** The host without port, lower-cased. */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** The cluster-local names of `<name>.<ns>`. */
export function clusterLocalHosts(name: string, namespace: string): string[] {
  return [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

export function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
