import type { Configuration, Route, Service } from '../../../api/serving/v1/types.js';
import { markConfigurationNotOwned, markRouteNotOwned, serviceConditions } from '../../../api/serving/v1/service-lifecycle.js';
import type { ResourceClient } from '../../../lib/kube/rest.js';
import type { KindReconciler } from '../../runtime/driver.js';
import type { Lister } from '../../../lib/kube/lister.js';
import type { EventRecorder } from '../../runtime/events.js';
import { ensureChild } from '../children.js';
import { makeConfiguration, makeRoute } from './resources.js';
import { serviceStatusFromChildren } from './status.js';

export interface ServiceReconcilerDeps {
  configurations: { lister: Lister<Configuration>; client: ResourceClient<Configuration> };
  routes: { lister: Lister<Route>; client: ResourceClient<Route> };
  events: EventRecorder;
}

/** Service -> Configuration + Route, and the Service's status from theirs (Knative's service reconciler). */
export class ServiceReconciler implements KindReconciler<Service> {
  readonly kind = 'Service';

  constructor(private readonly deps: ServiceReconcilerDeps) {}

  async reconcile(svc: Service, now: Date): Promise<void> {
    const c = serviceConditions(svc, now.toISOString()).initialize();
    svc.status!.observedGeneration = svc.metadata.generation;

    const cfg = await ensureChild({ owner: svc, desired: makeConfiguration(svc), ...this.deps.configurations, events: this.deps.events });
    if (cfg.kind === 'notOwned') markConfigurationNotOwned(c, cfg.name);
    const route = await ensureChild({ owner: svc, desired: makeRoute(svc), ...this.deps.routes, events: this.deps.events });
    if (route.kind === 'notOwned') markRouteNotOwned(c, route.name);
    serviceStatusFromChildren(svc, c, cfg.kind === 'ok' ? cfg.obj : undefined, route.kind === 'ok' ? route.obj : undefined);
  }
}
