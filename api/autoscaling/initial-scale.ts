import { parseAutoscalingAnnotations } from './annotations.js';
import type { AutoscalerConfig } from './config-autoscaler.js';

/**
 * How many pods a Revision starts with, for the controller (its Deployment's first replicas) and the
 * autoscaler (its ScalingSpec) alike. Knative's rule (GetInitialScale, pkg/reconciler/autoscaling/kpa/kpa.go):
 * the initial-scale annotation, else config-autoscaler initial-scale; an annotation of 0 counts only with
 * allow-zero-initial-scale (the webhook rejects it otherwise, but the ConfigMap may change after admission),
 * and one that does not parse is ignored.
 *
 * kzero's addition: a pool-backed Revision (kzero.dev/pool, code, code-sha256) defaults to 0 whatever
 * allow-zero-initial-scale says, since its first pod is claimed warm on its first request. The e2e pool suite
 * relies on this: a pool-backed Service is Ready with no pod and its Deployment at 0 replicas until then.
 * Its own initial-scale annotation still applies, by Knative's rule.
 */
export function initialScale(
  config: Pick<AutoscalerConfig, 'initialScale' | 'allowZeroInitialScale'>,
  annotations: Readonly<Record<string, string>> | undefined,
  poolBacked: boolean,
): number {
  const n = parseAutoscalingAnnotations(annotations).values.initialScale;
  if (n !== undefined && (n > 0 || (n === 0 && config.allowZeroInitialScale))) return n;
  return poolBacked ? 0 : config.initialScale;
}
