import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodAutoscaler } from '../../../api/kzero/v1alpha1/types.js';
import { revisionConditions } from '../../../api/serving/v1/revision-lifecycle.js';
import type { Condition, Revision } from '../../../api/serving/v1/types.js';
import {
  EARLIER, NOW, cond, deployment, pod, podAutoscaler, revision, withCondition, withDeletionTimestamp, withLastTerminated, withPAActive, withPodImage,
  withProgressDeadlineExceeded, withReadyReplicas, withReplicas, withUnschedulable, withWaiting,
} from '../../../testing/builders.js';
import { revisionStatusFromChildren } from './status.js';

const info = { severity: 'Info' as const };
const ACTIVATING = cond('Active', 'Unknown', 'Activating', 'The target is being scaled up.', info);
const ACTIVE = cond('Active', 'True', undefined, undefined, info);
const NO_TRAFFIC = cond('Active', 'False', 'NoTraffic', 'The target is not receiving traffic.', info);

/** Conditions of a Revision that was Ready (all True at EARLIER). */
const wasReady = (r: Revision): void => {
  for (const t of ['ContainerHealthy', 'Ready', 'ResourcesAvailable']) withCondition(cond(t, 'True', undefined, undefined, { at: EARLIER }))(r);
};

/** Ready False because of `type`, with Ready taking its reason and message. */
const failed = (type: 'ContainerHealthy' | 'ResourcesAvailable', reason: string, message: string, active: Condition = ACTIVATING): Condition[] => [
  active,
  type === 'ContainerHealthy' ? cond('ContainerHealthy', 'False', reason, message) : cond('ContainerHealthy', 'Unknown'),
  cond('Ready', 'False', reason, message),
  type === 'ResourcesAvailable' ? cond('ResourcesAvailable', 'False', reason, message) : cond('ResourcesAvailable', 'Unknown'),
];

describe('revision/status revisionStatusFromChildren', () => {
  const scaling = deployment('foo-00001-deployment', withReplicas(1), withReadyReplicas(0));

  const cases: Array<{
    name: string; rev?: Revision; dep: V1Deployment; pa?: PodAutoscaler; pods?: V1Pod[];
    want: Condition[]; replicas?: [desired: number, actual: number];
  }> = [
    {
      name: 'ready replicas: Ready True, Active True',
      dep: deployment('d', withReplicas(2), withReadyReplicas(2)),
      want: [ACTIVE, cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
      replicas: [2, 2],
    },
    {
      name: 'some replicas ready is enough',
      dep: deployment('d', withReplicas(3), withReadyReplicas(1)),
      want: [ACTIVE, cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
      replicas: [3, 1],
    },
    {
      name: 'scaled to zero: stays Ready (transition times kept), Active False NoTraffic',
      rev: revision('foo-00001', wasReady),
      dep: deployment('d', withReplicas(0)),
      want: [
        NO_TRAFFIC,
        cond('ContainerHealthy', 'True', undefined, undefined, { at: EARLIER }),
        cond('Ready', 'True', undefined, undefined, { at: EARLIER }),
        cond('ResourcesAvailable', 'True', undefined, undefined, { at: EARLIER }),
      ],
      replicas: [0, 0],
    },
    {
      name: 'initial scale 0 on a new Revision: Ready True with nothing running',
      dep: deployment('d', withReplicas(0)),
      want: [NO_TRAFFIC, cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
      replicas: [0, 0],
    },
    {
      name: 'scaled to zero after a crash: ContainerHealthy stays False',
      rev: revision('foo-00001', withCondition(cond('ContainerHealthy', 'False', 'ExitCode1', 'Container failed with: boom', { at: EARLIER }))),
      dep: deployment('d', withReplicas(0)),
      want: [
        NO_TRAFFIC,
        cond('ContainerHealthy', 'False', 'ExitCode1', 'Container failed with: boom', { at: EARLIER }),
        cond('Ready', 'False', 'ExitCode1', 'Container failed with: boom'),
        cond('ResourcesAvailable', 'True'),
      ],
      replicas: [0, 0],
    },
    {
      name: 'scaling up, no pods yet: conditions stay Unknown, Active Unknown Activating',
      dep: scaling,
      want: [ACTIVATING, cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')],
      replicas: [1, 0],
    },
    {
      name: 'ErrImagePull: ContainerMissing with the image (from the pod spec) in the message',
      dep: scaling,
      pods: [pod('p1', withPodImage('gcr.io/x/app:nope'), withWaiting('ErrImagePull', 'rpc error: code = NotFound desc = manifest unknown'))],
      want: failed('ContainerHealthy', 'ContainerMissing', 'Unable to fetch image "gcr.io/x/app:nope": rpc error: code = NotFound desc = manifest unknown'),
    },
    {
      name: 'ImagePullBackOff without a message: the reason is the message',
      dep: scaling,
      pods: [pod('p1', withPodImage('app:v2'), withWaiting('ImagePullBackOff'))],
      want: failed('ContainerHealthy', 'ContainerMissing', 'Unable to fetch image "app:v2": ImagePullBackOff'),
    },
    {
      name: 'InvalidImageName is a missing container too',
      dep: scaling,
      pods: [pod('p1', withPodImage('UPPER'), withWaiting('InvalidImageName', 'bad name'))],
      want: failed('ContainerHealthy', 'ContainerMissing', 'Unable to fetch image "UPPER": bad name'),
    },
    {
      name: 'CrashLoopBackOff with lastState exit 3: ExitCode3 with the termination message',
      dep: scaling,
      pods: [pod('p1', withWaiting('CrashLoopBackOff', 'back-off 10s'), withLastTerminated(3, 'config file missing'))],
      want: failed('ContainerHealthy', 'ExitCode3', 'Container failed with: config file missing'),
    },
    {
      name: 'crash without a termination message: the terminated reason',
      dep: scaling,
      pods: [pod('p1', withWaiting('CrashLoopBackOff'), withLastTerminated(137, undefined, 'OOMKilled'))],
      want: failed('ContainerHealthy', 'ExitCode137', 'Container failed with: OOMKilled'),
    },
    {
      name: 'CrashLoopBackOff after exit 0: ExitCode0, "container exited with no error"',
      dep: scaling,
      pods: [pod('p1', withWaiting('CrashLoopBackOff'), withLastTerminated(0, undefined, 'Completed'))],
      want: failed('ContainerHealthy', 'ExitCode0', 'Container failed with: container exited with no error'),
    },
    {
      name: 'a restart after exit 0 that is running again is not a failure',
      dep: scaling,
      pods: [pod('p1', withLastTerminated(0, undefined, 'Completed'))],
      want: [ACTIVATING, cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')],
    },
    {
      name: 'CreateContainerConfigError: ResourcesAvailable False',
      dep: scaling,
      pods: [pod('p1', withWaiting('CreateContainerConfigError', 'secret "db" not found'))],
      want: failed('ResourcesAvailable', 'CreateContainerConfigError', 'secret "db" not found'),
    },
    {
      name: 'unschedulable pod: ResourcesAvailable False Unschedulable',
      dep: scaling,
      pods: [pod('p1', withUnschedulable('0/3 nodes are available: 3 Insufficient cpu.'))],
      want: failed('ResourcesAvailable', 'Unschedulable', '0/3 nodes are available: 3 Insufficient cpu.'),
    },
    {
      name: 'the first failing pod wins',
      dep: scaling,
      pods: [pod('p1'), pod('p2', withWaiting('CreateContainerConfigError', 'cm missing')), pod('p3', withWaiting('ErrImagePull', 'x'))],
      want: failed('ResourcesAvailable', 'CreateContainerConfigError', 'cm missing'),
    },
    {
      name: 'a terminating pod is ignored',
      dep: scaling,
      pods: [pod('p1', withDeletionTimestamp(), withWaiting('ErrImagePull', 'x'))],
      want: [ACTIVATING, cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')],
    },
    {
      name: 'ProgressDeadlineExceeded: ResourcesAvailable False',
      dep: deployment('d', withReplicas(1), withReadyReplicas(0), withProgressDeadlineExceeded),
      want: failed('ResourcesAvailable', 'ProgressDeadlineExceeded', 'Initial scale was never achieved'),
    },
    {
      name: 'Active from the PodAutoscaler when it has the condition: False',
      dep: deployment('d', withReplicas(1), withReadyReplicas(1)),
      pa: podAutoscaler('foo-00001', withPAActive('False', 'NoTraffic', 'The target is not receiving traffic.')),
      want: [cond('Active', 'False', 'NoTraffic', 'The target is not receiving traffic.', info), cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
    },
    {
      name: 'Active from the PodAutoscaler: True even before the Deployment reports ready replicas',
      dep: scaling,
      pa: podAutoscaler('foo-00001', withPAActive('True')),
      want: [ACTIVE, cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')],
    },
    {
      name: 'Active from the PodAutoscaler: Unknown with its reason',
      dep: scaling,
      pa: podAutoscaler('foo-00001', withPAActive('Unknown', 'Queued', 'Requests are waiting.')),
      want: [cond('Active', 'Unknown', 'Queued', 'Requests are waiting.', info), cond('ContainerHealthy', 'Unknown'), cond('Ready', 'Unknown'), cond('ResourcesAvailable', 'Unknown')],
    },
    {
      name: 'Active False from the PodAutoscaler without a reason: NoTraffic',
      dep: deployment('d', withReplicas(0)),
      pa: podAutoscaler('foo-00001', withPAActive('False')),
      want: [cond('Active', 'False', 'NoTraffic', undefined, info), cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
    },
    {
      name: 'a PodAutoscaler without the condition: Active from replicas',
      dep: deployment('d', withReplicas(1), withReadyReplicas(1)),
      pa: podAutoscaler('foo-00001'),
      want: [ACTIVE, cond('ContainerHealthy', 'True'), cond('Ready', 'True'), cond('ResourcesAvailable', 'True')],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const rev = c.rev ?? revision('foo-00001');
      const mgr = revisionConditions(rev, NOW).initialize();
      revisionStatusFromChildren(rev, mgr, c.dep, c.pa, c.pods ?? []);
      expect(rev.status?.conditions).to.deep.equal(c.want);
      if (c.replicas) expect([rev.status?.desiredReplicas, rev.status?.actualReplicas]).to.deep.equal(c.replicas);
    });
  }
});
