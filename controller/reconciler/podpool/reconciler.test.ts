// PodPoolReconciler through the shared driver: warm Deployment sized from demand, status from pods. It makes
// no Secret and reads none (the table fails on any API call not listed).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodPool, PodPoolStatus } from '../../../api/kzero/v1alpha1/types.js';
import type { Condition } from '../../../api/serving/v1/types.js';
import {
  T0, child, cond, deployment, pod, podPool, withDeletionTimestamp, withDeploymentDefaults, withLabels, withNamespace, withOwner,
  type Opt,
} from '../../../testing/index.js';
import { tableTest, type TableRow, type TableSubject } from '../../../testing/table.js';
import { PoolDemand } from './demand.js';
import { PodPoolReconciler } from './reconciler.js';
import { makePoolDeployment } from './resources.js';

const KEY = 'default/node';
const KEYS = 'MCowBQYDK2VwAyEAnew';

let demand: PoolDemand;
const subject: TableSubject<PodPool> = {
  resource: (c) => c.podPools,
  reconciler: (c) => new PodPoolReconciler({
    deployments: { lister: c.deployments.lister, client: c.deployments.asClient() },
    pods: c.pods.lister,
    demand,
    events: c.events,
    publicKeys: KEYS,
  }),
};

const pool = (...opts: Array<Opt<PodPool>>): PodPool => podPool('node', ...opts);
/** The warm Deployment at `replicas`, as the API server and the Deployment controller left it. */
const dep = (replicas: number, p: PodPool = pool(), keys = KEYS): V1Deployment => child(makePoolDeployment(p, replicas, keys), withDeploymentDefaults);
/** A warm Deployment as the controller made it before pool keys: its runtime read a token from a Secret. */
const tokenDep = (replicas: number): V1Deployment => {
  const d = dep(replicas);
  const c = d.spec!.template.spec!.containers[0]!;
  c.env = [...c.env!.filter((e) => !e.name.startsWith('KZERO_POD_') && !e.name.startsWith('KZERO_POOL_')), { name: 'KZERO_SPECIALIZE_TOKEN', valueFrom: { secretKeyRef: { name: 'node-podpool-token', key: 'token' } } }];
  return d;
};

const ready: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'True' }]);
const notReady: Opt<V1Pod> = (p) => void ((p.status ??= {}).conditions = [{ type: 'Ready', status: 'False' }]);
const inPool = (name: string, state: 'warm' | 'claimed'): Opt<V1Pod> => withLabels({ 'kzero.dev/pool': name, 'kzero.dev/pool-state': state });

const filling = (ready: number, target: number): Condition[] => [
  cond('Ready', 'Unknown', 'Filling', `${ready} of ${target} warm pods Ready`),
  cond('WarmPodsReady', 'Unknown', 'Filling', `${ready} of ${target} warm pods Ready`),
];
const warm: Condition[] = [cond('Ready', 'True'), cond('WarmPodsReady', 'True')];
const status = (s: PodPoolStatus): PodPoolStatus => ({ observedGeneration: 1, ...s });

/** `n` demand events of `kind` for the pool, 100 ms apart, the newest at `ago` ms before now. */
const record = (kind: 'claim' | 'miss', n: number, ago = 0, prefix = kind): void => {
  for (let i = 0; i < n; i++) demand.record(KEY, `${prefix}-${i}`, kind, T0 - ago - i * 100);
};

describe('podpool/reconciler PodPoolReconciler', () => {
  beforeEach(() => {
    demand = new PoolDemand(() => 60_000);
  });

  const rows: TableRow[] = [
    {
      name: 'new pool: creates the Deployment at minReady (and no Secret); Filling',
      objects: [pool()],
      key: KEY,
      wantCreates: [makePoolDeployment(pool(), 1, KEYS)],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(0, 1), readyReplicas: 0, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Created Created Deployment "node-podpool"'],
      check: (c) => expect(c.clock.pendingDelays(), 'no requeue without demand').to.deep.equal([]),
    },
    {
      name: 'new pool with minReady 3: the Deployment starts at 3',
      objects: [pool((p) => void (p.spec.minReady = 3))],
      key: KEY,
      wantCreates: [makePoolDeployment(pool((p) => void (p.spec.minReady = 3)), 3, KEYS)],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(0, 3), readyReplicas: 0, targetSize: 3, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Created Created Deployment "node-podpool"'],
    },
    {
      name: 'steady state: readyReplicas counts only Ready warm pods of this pool that are not terminating; WarmPodsReady',
      objects: [
        pool(), dep(1),
        pod('w1', inPool('node', 'warm'), ready),
        pod('w2', inPool('node', 'warm'), ready),
        pod('w3-not-ready', inPool('node', 'warm'), notReady),
        pod('w4-no-conditions', inPool('node', 'warm')),
        pod('w5-terminating', inPool('node', 'warm'), ready, withDeletionTimestamp()),
        pod('c1-claimed', inPool('node', 'claimed'), ready),
        pod('o1-other-pool', inPool('python', 'warm'), ready),
        pod('o2-other-namespace', withNamespace('team'), inPool('node', 'warm'), ready),
        pod('o3-no-pool', ready),
      ],
      key: KEY,
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 2, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
    },
    {
      name: 'a Deployment from before pool keys (token from a Secret) is rewritten to the public keys: its pods roll',
      objects: [pool(), tokenDep(1), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantUpdates: [{ ...tokenDep(1), spec: makePoolDeployment(pool(), 1, KEYS).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Updated Updated Deployment "node-podpool"'],
    },
    {
      name: 'rotation: a Deployment with other public keys gets the configured ones',
      objects: [pool(), dep(1, pool(), 'MCowBQYDK2VwAyEAold'), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantUpdates: [{ ...dep(1, pool(), 'MCowBQYDK2VwAyEAold'), spec: makePoolDeployment(pool(), 1, KEYS).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Updated Updated Deployment "node-podpool"'],
    },
    {
      name: 'a burst of claims and misses resizes the Deployment; status counts both; Filling until the new pods are Ready',
      objects: [pool(), dep(1), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      // 10 claims and 1 miss in the last second: the 6 s short window sees 11/6 per s -> ceil(11/6 * 3 * 1.5) = 9
      setup: () => (record('claim', 10), record('miss', 1)),
      wantUpdates: [{ ...dep(1), spec: makePoolDeployment(pool(), 9, KEYS).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 9, claimedLastMinute: 10, missedLastMinute: 1 }) }],
      wantEvents: ['Normal Updated Updated Deployment "node-podpool"'],
      check: (c) => {
        expect(c.deployments.peek('default', 'node-podpool')?.spec?.replicas).to.equal(9);
        expect(c.clock.pendingDelays(), 'requeued while demand is in the window').to.deep.equal([5000]);
      },
    },
    {
      name: 'WarmPodsReady needs min(minReady, target) Ready warm pods, not the whole target',
      objects: [pool((p) => void (p.spec.minReady = 2)), dep(2, pool((p) => void (p.spec.minReady = 2))), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(1, 2), readyReplicas: 1, targetSize: 2, claimedLastMinute: 0, missedLastMinute: 0 }) }],
    },
    {
      name: 'demand older than the window is not counted: back to minReady, no requeue',
      objects: [pool(), dep(5), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      setup: () => record('claim', 10, 60_000),
      wantUpdates: [{ ...dep(5), spec: makePoolDeployment(pool(), 1, KEYS).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Updated Updated Deployment "node-podpool"'],
      check: (c) => expect(c.clock.pendingDelays()).to.deep.equal([]),
    },
    {
      name: 'invalid spec: PermanentError, WarmPodsReady False InvalidSpec; nothing created, no retry',
      objects: [pool((p) => void (p.spec.minReady = -1))],
      key: KEY,
      wantStatusUpdates: [{
        name: 'node',
        status: status({ conditions: [cond('Ready', 'False', 'InvalidSpec', 'spec.minReady: must be an integer >= 0, got -1'), cond('WarmPodsReady', 'False', 'InvalidSpec', 'spec.minReady: must be an integer >= 0, got -1')] }),
      }],
      wantEvents: ['Warning InvalidSpec PodPool "node": spec.minReady: must be an integer >= 0, got -1'],
      check: (c) => expect(c.clock.pendingDelays()).to.deep.equal([]),
    },
    {
      name: 'a Deployment of the same name not owned by the pool: PermanentError NotOwned',
      objects: [pool(), deployment('node-podpool', withOwner(podPool('someone-else')))],
      key: KEY,
      wantEvents: ['Warning NotOwned Deployment "node-podpool" exists and is not owned by PodPool "node"'],
      wantStatusUpdates: [{ name: 'node', status: { observedGeneration: 1, conditions: [cond('Ready', 'Unknown'), cond('WarmPodsReady', 'Unknown')] } }],
    },
  ];
  tableTest(rows, subject);
});
