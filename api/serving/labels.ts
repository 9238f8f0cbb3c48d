// Label and annotation keys, in Knative's words (serving.knative.dev/*) and kzero's own (kzero.dev/*).

export const ServingLabels = Object.freeze({
  service: 'serving.knative.dev/service',
  serviceUID: 'serving.knative.dev/serviceUID',
  configuration: 'serving.knative.dev/configuration',
  configurationUID: 'serving.knative.dev/configurationUID',
  configurationGeneration: 'serving.knative.dev/configurationGeneration',
  revision: 'serving.knative.dev/revision',
  revisionUID: 'serving.knative.dev/revisionUID',
  route: 'serving.knative.dev/route',
  /** Revisions: whether a Route sends them traffic (active) or not (reserve). */
  routingState: 'serving.knative.dev/routingState',
  /** Knative's label for cluster-local Services and Routes. */
  visibility: 'networking.knative.dev/visibility',
});

export const ServingAnnotations = Object.freeze({
  creator: 'serving.knative.dev/creator',
  lastModifier: 'serving.knative.dev/lastModifier',
  /** Revisions: the Routes that reference them, comma separated. */
  routes: 'serving.knative.dev/routes',
  routingStateModified: 'serving.knative.dev/routingStateModified',
  /** Revisions: the time of the last pin (traffic), for garbage collection. */
  lastPinned: 'serving.knative.dev/lastPinned',
  progressDeadline: 'serving.knative.dev/progress-deadline',
});

export const KzeroLabels = Object.freeze({
  /** The shard that reconciles an object; children inherit it from their parent. */
  shard: 'kzero.dev/shard',
  /** Pods of a PodPool (warm or claimed), and the pods a pool-backed Revision's Deployment runs. */
  pool: 'kzero.dev/pool',
  /** Pool pods: `warm` (claimable; the pool Deployment's selector) or `claimed` (serving a Revision). */
  poolState: 'kzero.dev/pool-state',
});

export const PoolStates = Object.freeze({ warm: 'warm', claimed: 'claimed' });

export const KzeroAnnotations = Object.freeze({
  /** Revisions: the PodPool (same namespace) whose warm pods may serve the Revision. */
  pool: 'kzero.dev/pool',
  /** Revisions: the code package (tar.gz URL) the warm runtime loads. */
  code: 'kzero.dev/code',
  /** Revisions: the hex sha256 of the code package. */
  codeSha256: 'kzero.dev/code-sha256',
  /** Claimed pods: when the claim happened (RFC 3339 with milliseconds). */
  claimedAt: 'kzero.dev/claimed-at',
});

export const VISIBILITY_CLUSTER_LOCAL = 'cluster-local';
