import { SERVING_API_VERSION, type Configuration, type Route, type Service, type TrafficTarget } from '../../../api/serving/v1/types.js';
import { ServingLabels } from '../../../api/serving/labels.js';
import { inheritedAnnotations, ownerRef } from '../meta.js';
import { configurationName, routeName } from '../names.js';
import { jsonCopy } from '../../../lib/json.js';

// A Service's desired children (pure), as Knative's service/resources MakeConfiguration and MakeRoute.

function childLabels(svc: Service): Record<string, string> {
  return { ...(svc.metadata.labels ?? {}), [ServingLabels.service]: svc.metadata.name ?? '', [ServingLabels.serviceUID]: svc.metadata.uid ?? '' };
}

export function makeConfiguration(svc: Service): Configuration {
  return {
    apiVersion: SERVING_API_VERSION,
    kind: 'Configuration',
    metadata: {
      name: configurationName(svc),
      namespace: svc.metadata.namespace,
      labels: childLabels(svc),
      annotations: inheritedAnnotations(svc.metadata),
      ownerReferences: [ownerRef(SERVING_API_VERSION, 'Service', svc.metadata)],
    },
    spec: { template: jsonCopy(svc.spec.template) },
  };
}

/** Service traffic with the latest revision resolved to the Service's own Configuration. */
export function routeTraffic(svc: Service): TrafficTarget[] {
  const traffic = svc.spec.traffic?.length ? svc.spec.traffic : [{ latestRevision: true, percent: 100 }];
  return traffic.map((t) => {
    const out: TrafficTarget = { ...t };
    delete out.url;
    if (!t.revisionName) out.configurationName = configurationName(svc);
    return out;
  });
}

export function makeRoute(svc: Service): Route {
  return {
    apiVersion: SERVING_API_VERSION,
    kind: 'Route',
    metadata: {
      name: routeName(svc),
      namespace: svc.metadata.namespace,
      labels: childLabels(svc),
      annotations: inheritedAnnotations(svc.metadata),
      ownerReferences: [ownerRef(SERVING_API_VERSION, 'Service', svc.metadata)],
    },
    spec: { traffic: routeTraffic(svc) },
  };
}
