import type { Configuration, Revision, Service } from '../../api/serving/v1/types.js';

// Children's names, in one place (Knative's resources/names).

export const configurationName = (svc: Service): string => svc.metadata.name ?? '';
export const routeName = (svc: Service): string => svc.metadata.name ?? '';

/** `<config>-00001` from the Configuration's generation, or the BYO name from the template. */
export function revisionName(cfg: Configuration): string {
  const byo = cfg.spec.template.metadata?.name;
  if (byo) return byo;
  return `${cfg.metadata.name}-${String(cfg.metadata.generation ?? 1).padStart(5, '0')}`;
}

export const deploymentName = (rev: Revision): string => `${rev.metadata.name}-deployment`;
export const podAutoscalerName = (rev: Revision): string => rev.metadata.name ?? '';
