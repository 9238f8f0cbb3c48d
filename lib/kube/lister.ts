/**
 * Reading an informer's cache by name (lib/kube/informer.ts implements it): what reconcilers and the
 * autoscaler's scaler read instead of asking the API server. The object may be stale; writes go to the API.
 */
export interface Lister<T> {
  get(name: string, namespace?: string): T | undefined;
}
