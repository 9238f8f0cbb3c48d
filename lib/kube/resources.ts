import type { ResourceType } from './rest.js';

// The resource types kzero's components read and write.

const t = (group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType => Object.freeze({ group, version, plural, kind, namespaced });

export const Resources = Object.freeze({
  service: t('serving.knative.dev', 'v1', 'services', 'Service'),
  configuration: t('serving.knative.dev', 'v1', 'configurations', 'Configuration'),
  revision: t('serving.knative.dev', 'v1', 'revisions', 'Revision'),
  route: t('serving.knative.dev', 'v1', 'routes', 'Route'),
  podAutoscaler: t('kzero.dev', 'v1alpha1', 'podautoscalers', 'PodAutoscaler'),
  podPool: t('kzero.dev', 'v1alpha1', 'podpools', 'PodPool'),
  secret: t('', 'v1', 'secrets', 'Secret'),
  deployment: t('apps', 'v1', 'deployments', 'Deployment'),
  pod: t('', 'v1', 'pods', 'Pod'),
  configMap: t('', 'v1', 'configmaps', 'ConfigMap'),
  namespace: t('', 'v1', 'namespaces', 'Namespace', false),
  event: t('', 'v1', 'events', 'Event'),
  endpoints: t('', 'v1', 'endpoints', 'Endpoints'),
});
