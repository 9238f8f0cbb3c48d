import type { Route } from '../../../api/serving/v1/types.js';
import { referencedNames } from './traffic.js';

type TargetKind = 'configuration' | 'revision';

const targetKey = (namespace: string, kind: TargetKind, name: string): string => `${namespace}/${kind}/${name}`;

/**
 * Which Routes name which Configurations and Revisions (in spec traffic, or still serving in status traffic),
 * kept one Route at a time from the Route informer's events. It answers "which Routes must look again when
 * this Revision changes" without scanning every Route of the namespace: at 1,000 Routes in a namespace, a
 * burst of Revision events made that scan the controller's largest cost. Knative's reconcilers keep a
 * tracker for the same reason.
 */
export class RouteReferences {
  private readonly routesByTarget = new Map<string, Set<string>>();
  private readonly targetsByRoute = new Map<string, string[]>();

  /** Records the Route's references as they are now (add or update). */
  set(route: Route): void {
    const namespace = route.metadata.namespace ?? '';
    const routeKey = `${namespace}/${route.metadata.name ?? ''}`;
    const refs = referencedNames(route);
    const targets = [
      ...[...refs.configurations].map((n) => targetKey(namespace, 'configuration', n)),
      ...[...refs.revisions].map((n) => targetKey(namespace, 'revision', n)),
    ];
    this.forget(routeKey);
    for (const t of targets) {
      let routes = this.routesByTarget.get(t);
      if (!routes) this.routesByTarget.set(t, (routes = new Set()));
      routes.add(routeKey);
    }
    this.targetsByRoute.set(routeKey, targets);
  }

  delete(route: Route): void {
    this.forget(`${route.metadata.namespace ?? ''}/${route.metadata.name ?? ''}`);
  }

  /** The keys (namespace/name) of the Routes that name this Configuration or Revision. */
  routes(namespace: string, kind: TargetKind, name: string): ReadonlySet<string> {
    return this.routesByTarget.get(targetKey(namespace, kind, name)) ?? EMPTY;
  }

  private forget(routeKey: string): void {
    for (const t of this.targetsByRoute.get(routeKey) ?? []) {
      const routes = this.routesByTarget.get(t);
      routes?.delete(routeKey);
      if (routes?.size === 0) this.routesByTarget.delete(t);
    }
    this.targetsByRoute.delete(routeKey);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
