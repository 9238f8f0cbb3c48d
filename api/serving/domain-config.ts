import { parse } from 'yaml';

// config-domain, Knative's format: each key is a domain; its value is empty (the default domain) or
// `selector:` with labels a Route must carry to get that domain. Pure.

export interface DomainRule {
  domain: string;
  selector: Record<string, string>;
}

export interface DomainConfig {
  rules: readonly DomainRule[];
}

/** Knative's fallback when no domain is configured: cluster-local names only. */
export const CLUSTER_LOCAL_DOMAIN = 'svc.cluster.local';

const LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
/** A DNS-1123 subdomain: what comes after `<route>.<namespace>.` in a host (route-hosts.ts). */
const DOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

export function parseDomainConfig(data: Record<string, string> | undefined): DomainConfig {
  const rules: DomainRule[] = [];
  for (const [domain, value] of Object.entries(data ?? {})) {
    if (domain.startsWith('_')) continue; // _example
    if (domain.length > 253 || !DOMAIN.test(domain)) throw new Error(`config-domain: ${JSON.stringify(domain)} is not a valid domain`);
    const selector: Record<string, string> = {};
    if (value.trim()) {
      const parsed = parse(value) as { selector?: Record<string, unknown> } | null;
      for (const [k, v] of Object.entries(parsed?.selector ?? {})) selector[k] = String(v);
      if (!parsed?.selector) throw new Error(`config-domain: value of ${domain} must be empty or "selector: {labels}"`);
    }
    rules.push({ domain, selector });
  }
  // Most specific selector first, as Knative does; the empty selector is the default.
  rules.sort((a, b) => Object.keys(b.selector).length - Object.keys(a.selector).length || a.domain.localeCompare(b.domain));
  return Object.freeze({ rules: Object.freeze(rules) });
}

export function domainFor(config: DomainConfig, labels: Record<string, string> | undefined): string {
  for (const rule of config.rules) {
    if (Object.entries(rule.selector).every(([k, v]) => labels?.[k] === v)) return rule.domain;
  }
  return CLUSTER_LOCAL_DOMAIN;
}
