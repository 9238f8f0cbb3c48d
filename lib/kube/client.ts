import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigPath } from '../paths.js';

/**
 * The KubeConfig every component uses: `--kubeconfig`, else $KUBECONFIG, else the local cluster's
 * ($KZERO_HOME/kubeconfig), else in-cluster service account credentials.
 */
export function loadKubeConfig(explicit?: string): KubeConfig {
  const kc = new KubeConfig();
  const file = explicit ?? process.env.KUBECONFIG ?? kubeconfigPath();
  if (process.env.KUBERNETES_SERVICE_HOST && !explicit && !process.env.KUBECONFIG) {
    kc.loadFromCluster();
  } else {
    kc.loadFromFile(file);
  }
  return kc;
}

/** The HTTP status of a failed API call (client-node throws ApiException with `code`), or undefined. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    const statusCode = (err as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;

/**
 * A create refused because its namespace is being deleted (403 with the NamespaceTerminating cause): nothing
 * to retry, the namespace's objects are on their way out. Kubernetes' own controllers drop these quietly.
 */
export function isNamespaceTerminating(err: unknown): boolean {
  if (statusCodeOf(err) !== 403 || typeof err !== 'object' || err === null) return false;
  const causes = (err as { details?: { causes?: Array<{ reason?: string }> } }).details?.causes;
  return Array.isArray(causes) && causes.some((c) => c.reason === 'NamespaceTerminating');
}
