import { CLUSTER_LOCAL_DOMAIN, domainFor, type DomainConfig } from './domain-config.js';
import { ServingLabels, VISIBILITY_CLUSTER_LOCAL } from './labels.js';

// A Route's host names, computed from its name, namespace, labels and config-domain, never read from its
// status (pure). The route reconciler publishes them (status.url, status.address.url, tag URLs) and the
// activator routes by them: both call routeHosts, so they cannot drift. Only the URL's host, when it is not
// a cluster-local name, is served to the internet; the cluster-local names answer only inside the cluster
// (the activator's cluster-local listener), as Knative's internal gateway does.
//
// Why a host belongs to one namespace only: every host is `<label>.<namespace>` followed by nothing,
// `.svc`, `.svc.cluster.local` or `.<domain>`, where `<label>` is `<name>` or `<tag>-<name>`. Both
// `<label>` and `<namespace>` are checked here to be single DNS labels (no dot), so the first two
// dot-separated labels of a host are always its label and its namespace. Two equal hosts therefore have
// the same namespace, whatever the domain: the domain only ever comes after them. The domain is the
// platform's (a key of config-domain, which parseDomainConfig requires to be a non-empty DNS name); a
// tenant's labels only choose among those keys or make the Route cluster-local, and no template is
// configurable. A name or tag that is not a DNS label (the webhook refuses them, but an object may predate
// it or have been written around it) gets no host at all rather than one that could reach past its
// namespace.

/** One DNS-1123 label: what a Route's name, a tag prefix plus name, and a namespace must each be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface RouteHosts {
  /** `<name>`, or `<tag>-<name>` for a tag: the first label of every host below. */
  label: string;
  /** The host kzero publishes in the URL: on the Route's domain, or cluster-local. */
  url: string;
  /** `<label>.<namespace>.svc.cluster.local`: the address inside the cluster. */
  clusterLocal: string;
  /** Every host the activator serves on its cluster-local listener: the URL's and the cluster-local names, without duplicates. */
  hosts: readonly string[];
  /** The hosts its public listener serves: the URL's, unless it is one of the cluster-local names. */
  publicHosts: readonly string[];
}

export interface RouteMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export function isClusterLocal(meta: RouteMeta): boolean {
  return meta.labels?.[ServingLabels.visibility] === VISIBILITY_CLUSTER_LOCAL;
}

/** `<name>` or `<tag>-<name>` (an empty tag is no tag). */
export const hostLabel = (name: string, tag?: string): string => (tag ? `${tag}-${name}` : name);

/** The hosts of a Route (or of one of its tags); undefined if its name, tag or namespace cannot make a host. */
export function routeHosts(meta: RouteMeta, config: DomainConfig, tag?: string): RouteHosts | undefined {
  const namespace = meta.namespace ?? '';
  const label = hostLabel(meta.name ?? '', tag);
  if (!DNS_LABEL.test(label) || !DNS_LABEL.test(namespace)) return undefined;
  const clusterLocal = `${label}.${namespace}.${CLUSTER_LOCAL_DOMAIN}`;
  const url = isClusterLocal(meta) ? clusterLocal : `${label}.${namespace}.${domainFor(config, meta.labels)}`;
  const local = [`${label}.${namespace}`, `${label}.${namespace}.svc`, clusterLocal];
  // A URL on the cluster-local domain (the label, or a config-domain of svc.cluster.local) is no public host.
  const publicHosts = local.includes(url) ? [] : [url];
  return { label, url, clusterLocal, hosts: [...new Set([url, ...local])], publicHosts };
}
