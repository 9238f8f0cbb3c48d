import { ServingAnnotations, ServingLabels } from '../../../api/serving/labels.js';
import { SERVING_API_VERSION, type Configuration, type Revision } from '../../../api/serving/v1/types.js';
import { ownerRef, shardLabel } from '../meta.js';
import { revisionName } from '../names.js';
import { jsonCopy } from '../../../lib/json.js';

// A Configuration's desired Revision (pure), as Knative's configuration/resources MakeRevision.

export function makeRevision(cfg: Configuration): Revision {
  const template = cfg.spec.template;
  const labels: Record<string, string> = {
    ...(template.metadata?.labels ?? {}),
    ...shardLabel(cfg.metadata),
    [ServingLabels.configuration]: cfg.metadata.name ?? '',
    [ServingLabels.configurationGeneration]: String(cfg.metadata.generation ?? 1),
    [ServingLabels.configurationUID]: cfg.metadata.uid ?? '',
  };
  for (const key of [ServingLabels.service, ServingLabels.serviceUID]) {
    const v = cfg.metadata.labels?.[key];
    if (v !== undefined) labels[key] = v;
  }
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  // The Revision's creator is whoever last changed the Configuration's spec.
  const modifier = cfg.metadata.annotations?.[ServingAnnotations.lastModifier];
  if (modifier) annotations[ServingAnnotations.creator] = modifier;
  return {
    apiVersion: SERVING_API_VERSION,
    kind: 'Revision',
    metadata: {
      name: revisionName(cfg),
      namespace: cfg.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [ownerRef(SERVING_API_VERSION, 'Configuration', cfg.metadata)],
    },
    spec: jsonCopy(template.spec),
  };
}
