import type { V1Deployment } from '@kubernetes/client-node';
import type { PodAutoscaler } from '../../../api/kzero/v1alpha1/types.js';
import type { Condition, Revision } from '../../../api/serving/v1/types.js';
import {
  EARLIER, child, cond, pod, revision, withAnnotations, withDeploymentDefaults, withLabels, withNamespace, withPAActive, withReadyReplicas,
  withRevisionUID, withRoutingState, withWaiting, withoutLabel, withoutOwner, type Opt,
} from '../../../testing/builders.js';
import { runRow, tableTest, type TableRow, type TableSubject } from '../../../testing/table.js';
import { makeDeployment, makePodAutoscaler } from './resources.js';
import { RevisionReconciler, type RevisionConfig } from './reconciler.js';

const INITIAL_SCALE_ANNOTATION = 'autoscaling.knative.dev/initial-scale';
const config: RevisionConfig = {
  progressDeadlineSeconds: 600,
  // As main.ts: the Revision's annotation, else config-autoscaler's initial-scale (2 here, to tell it from defaults).
  initialScale: (r) => Number(r.metadata.annotations?.[INITIAL_SCALE_ANNOTATION] ?? 2),
};

const subject: TableSubject<Revision> = {
  resource: (c) => c.revisions,
  reconciler: (c) => new RevisionReconciler({
    deployments: { lister: c.deployments.lister, client: c.deployments.asClient() },
    podAutoscalers: { lister: c.podAutoscalers.lister, client: c.podAutoscalers.asClient() },
    pods: c.pods.lister,
    events: c.events,
    config: () => config,
  }),
};

const rev = (...opts: Array<Opt<Revision>>): Revision => revision('foo-00001',
  withLabels({ 'serving.knative.dev/configuration': 'foo', 'serving.knative.dev/service': 'foo' }), ...opts);
const REV_UID = 'revision-foo-00001-uid';

/** The Deployment `r` wants with `replicas`, as the API server and the Deployment controller left it. */
const dep = (replicas: number, r: Revision = rev(), ...opts: Array<Opt<V1Deployment>>): V1Deployment =>
  child(makeDeployment(r, { replicas, progressDeadlineSeconds: 600 }), withDeploymentDefaults, ...opts);
const pa = (r: Revision = rev(), ...opts: Array<Opt<PodAutoscaler>>): PodAutoscaler => child(makePodAutoscaler(r), ...opts);
const staleImage: Opt<V1Deployment> = (d) => void (d.spec!.template.spec!.containers[0]!.image = 'busybox:old');

const info = { severity: 'Info' as const };
const readyConditions = (at?: string): Condition[] => [
  cond('Active', 'True', undefined, undefined, { ...info, ...(at ? { at } : {}) }),
  cond('ContainerHealthy', 'True', undefined, undefined, at ? { at } : {}),
  cond('Ready', 'True', undefined, undefined, at ? { at } : {}),
  cond('ResourcesAvailable', 'True', undefined, undefined, at ? { at } : {}),
];
const activating = [
  cond('Active', 'Unknown', 'Activating', 'The target is being scaled up.', info), cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown'),
];
const readyStatus: Opt<Revision> = (r) => void (r.status = { observedGeneration: 1, desiredReplicas: 3, actualReplicas: 3, conditions: readyConditions(EARLIER) });

describe('revision/reconciler RevisionReconciler', () => {
  const stale = dep(5, rev(), staleImage, withReadyReplicas(5));
  const unlabelled = dep(3, rev(), withoutLabel('serving.knative.dev/service'), withReadyReplicas(3));
  const oldPA = pa(rev(), (p) => void (p.spec.containerConcurrency = 5));

  const rows: TableRow[] = [
    {
      name: 'new Revision: creates the Deployment with the initial scale from config, and the PodAutoscaler',
      objects: [rev()],
      key: 'default/foo-00001',
      wantCreates: [makeDeployment(rev(), { replicas: 2, progressDeadlineSeconds: 600 }), makePodAutoscaler(rev())],
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, desiredReplicas: 2, actualReplicas: 0, conditions: activating } }],
    },
    {
      name: 'initial scale from the Revision\'s annotation',
      objects: [rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '5' }))],
      key: 'default/foo-00001',
      wantCreates: [
        makeDeployment(rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '5' })), { replicas: 5, progressDeadlineSeconds: 600 }),
        makePodAutoscaler(rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '5' }))),
      ],
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, desiredReplicas: 5, actualReplicas: 0, conditions: activating } }],
    },
    {
      name: 'initial scale 0: created with 0 replicas, Ready at once, Active False',
      objects: [rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '0' }))],
      key: 'default/foo-00001',
      wantCreates: [
        makeDeployment(rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '0' })), { replicas: 0, progressDeadlineSeconds: 600 }),
        makePodAutoscaler(rev(withAnnotations({ [INITIAL_SCALE_ANNOTATION]: '0' }))),
      ],
      wantStatusUpdates: [{
        name: 'foo-00001',
        status: {
          observedGeneration: 1, desiredReplicas: 0, actualReplicas: 0,
          conditions: [cond('Active', 'False', 'NoTraffic', 'The target is not receiving traffic.', info), cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
        },
      }],
    },
    {
      name: 'existing Deployment equal to the desired one plus API defaults and another scale: no update',
      objects: [rev(), dep(3, rev(), withReadyReplicas(3)), pa()],
      key: 'default/foo-00001',
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, desiredReplicas: 3, actualReplicas: 3, conditions: readyConditions() } }],
    },
    {
      name: 'steady state: no API call',
      objects: [rev(readyStatus), dep(3, rev(), withReadyReplicas(3)), pa()],
      key: 'default/foo-00001',
    },
    {
      name: 'existing Deployment with a stale template: updated, its replicas (the autoscaler\'s) kept',
      objects: [rev(readyStatus), stale, pa()],
      key: 'default/foo-00001',
      wantUpdates: [{ ...stale, spec: makeDeployment(rev(), { replicas: 5, progressDeadlineSeconds: 600 }).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, desiredReplicas: 5, actualReplicas: 5, conditions: readyConditions(EARLIER) } }],
      wantEvents: ['Normal Updated Updated Deployment "foo-00001-deployment"'],
    },
    {
      name: 'a Deployment label went missing: put back',
      objects: [rev(readyStatus), unlabelled, pa()],
      key: 'default/foo-00001',
      wantUpdates: [{
        ...unlabelled,
        metadata: { ...unlabelled.metadata, labels: makeDeployment(rev(), { replicas: 3, progressDeadlineSeconds: 600 }).metadata?.labels },
        spec: makeDeployment(rev(), { replicas: 3, progressDeadlineSeconds: 600 }).spec,
      } as V1Deployment],
      wantEvents: ['Normal Updated Updated Deployment "foo-00001-deployment"'],
    },
    {
      name: 'PodAutoscaler spec drifted: updated',
      objects: [rev(readyStatus), dep(3, rev(), withReadyReplicas(3)), oldPA],
      key: 'default/foo-00001',
      wantUpdates: [{ ...oldPA, spec: makePodAutoscaler(rev()).spec } as PodAutoscaler],
      wantEvents: ['Normal Updated Updated PodAutoscaler "foo-00001"'],
    },
    {
      name: 'Active comes from the PodAutoscaler',
      objects: [rev(readyStatus), dep(3, rev(), withReadyReplicas(3)), pa(rev(), withPAActive('False', 'NoTraffic', 'idle'))],
      key: 'default/foo-00001',
      wantStatusUpdates: [{
        name: 'foo-00001',
        status: { observedGeneration: 1, desiredReplicas: 3, actualReplicas: 3, conditions: [cond('Active', 'False', 'NoTraffic', 'idle', info), ...readyConditions(EARLIER).slice(1)] },
      }],
    },
    {
      name: 'its pod cannot pull the image: ContainerHealthy False ContainerMissing; other revisions\' pods ignored',
      objects: [
        rev(), dep(1), pa(),
        pod('foo-00001-deployment-abc', withRevisionUID(REV_UID), withWaiting('ErrImagePull', 'manifest unknown')),
        pod('bar-00001-deployment-xyz', withRevisionUID('revision-bar-00001-uid'), withWaiting('CreateContainerConfigError', 'not ours')),
        pod('foo-00001-deployment-def', withNamespace('elsewhere'), withRevisionUID(REV_UID), withWaiting('CreateContainerConfigError', 'other namespace')),
      ],
      key: 'default/foo-00001',
      wantStatusUpdates: [{
        name: 'foo-00001',
        status: {
          observedGeneration: 1, desiredReplicas: 1, actualReplicas: 0,
          conditions: [
            cond('Active', 'Unknown', 'Activating', 'The target is being scaled up.', info),
            cond('ContainerHealthy', 'False', 'ContainerMissing', 'Unable to fetch image "busybox": manifest unknown'),
            cond('Ready', 'False', 'ContainerMissing', 'Unable to fetch image "busybox": manifest unknown'),
            cond('ResourcesAvailable', 'Unknown'),
          ],
        },
      }],
    },
    {
      name: 'a Deployment of that name not owned by the Revision: error, Warning event, retry',
      objects: [rev(), dep(1, rev(), withoutOwner)],
      key: 'default/foo-00001',
      wantCreates: [makePodAutoscaler(rev())],
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, conditions: [cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')] } }],
      wantEvents: ['Warning InternalError Deployment "foo-00001-deployment" exists and is not owned by Revision "foo-00001"'],
      wantRetry: true,
    },
    {
      name: 'AlreadyExists race on an up-to-date Deployment: read back, not updated',
      objects: [rev(readyStatus), dep(3, rev(), withReadyReplicas(3)), pa()],
      key: 'default/foo-00001',
      setup: (c) => c.deployments.hideFromLister('default', 'foo-00001-deployment'),
      wantCreates: [makeDeployment(rev(), { replicas: 2, progressDeadlineSeconds: 600 })],
      wantGets: ['deployments/foo-00001-deployment'],
    },
  ];
  tableTest(rows, subject);

  // The existing replicas survive an update after an AlreadyExists race.
  it('AlreadyExists race on a stale Deployment: the update keeps the existing replicas', async () => {
    await runRow({
      name: 'race',
      objects: [rev(readyStatus), stale, pa()],
      key: 'default/foo-00001',
      setup: (c) => c.deployments.hideFromLister('default', 'foo-00001-deployment'),
      wantCreates: [makeDeployment(rev(), { replicas: 2, progressDeadlineSeconds: 600 })],
      wantGets: ['deployments/foo-00001-deployment'],
      wantUpdates: [{ ...stale, spec: makeDeployment(rev(), { replicas: 5, progressDeadlineSeconds: 600 }).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'foo-00001', status: { observedGeneration: 1, desiredReplicas: 5, actualReplicas: 5, conditions: readyConditions(EARLIER) } }],
      wantEvents: ['Normal Updated Updated Deployment "foo-00001-deployment"'],
    }, subject);
  });

  // Routing labels and annotations stay off the Deployment: a routing change restarts no pod.
  it('a routing-state change updates the PodAutoscaler only, not the Deployment', async () => {
    const reserve = rev(readyStatus, withRoutingState('reserve'));
    const oldPA = pa(rev(withRoutingState('active')));
    await runRow({
      name: 'routing state',
      objects: [reserve, dep(3, rev(withRoutingState('active')), withReadyReplicas(3)), oldPA],
      key: 'default/foo-00001',
      wantUpdates: [{
        ...oldPA,
        metadata: { ...oldPA.metadata, labels: makePodAutoscaler(reserve).metadata.labels },
        spec: makePodAutoscaler(reserve).spec,
      } as PodAutoscaler],
      wantEvents: ['Normal Updated Updated PodAutoscaler "foo-00001"'],
    }, subject);
  });
});
