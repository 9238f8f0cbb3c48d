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
