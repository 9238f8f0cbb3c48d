// PodPoolReconciler through the shared driver: token Secret, warm Deployment sized from demand, status from pods.
import type { V1Deployment, V1Pod, V1Secret } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PodPool, PodPoolStatus } from '../../../api/kzero/v1alpha1/types.js';
import type { Condition } from '../../../api/serving/v1/types.js';
import {
  T0, FakeCluster, child, cond, deployment, pod, podPool, withDeletionTimestamp, withDeploymentDefaults, withLabels, withNamespace, withOwner, withUID,
  type Opt,
} from '../../testing/index.js';
import { runRow, tableTest, type TableRow, type TableSubject } from '../../testing/table.js';
import { PoolDemand } from './demand.js';
import { PodPoolReconciler } from './reconciler.js';
import { makePoolDeployment, makePoolSecret } from './resources.js';

const KEY = 'default/node';
const POOL_UID = 'podpool-node-uid';
const token = (p: PodPool): string => `token-of-${p.metadata.uid}`;

let demand: PoolDemand;
const subject: TableSubject<PodPool> = {
  resource: (c) => c.podPools,
  reconciler: (c) => new PodPoolReconciler({
    deployments: { lister: c.deployments.lister, client: c.deployments.asClient() },
    secrets: c.secrets.asClient(),
    pods: c.pods.lister,
    demand,
    events: c.events,
    token,
  }),
};

const pool = (...opts: Array<Opt<PodPool>>): PodPool => podPool('node', ...opts);
/** The warm Deployment at `replicas`, as the API server and the Deployment controller left it. */
const dep = (replicas: number, p: PodPool = pool()): V1Deployment => child(makePoolDeployment(p, replicas), withDeploymentDefaults);
/** The token Secret as the controller made it (the API server turns stringData into data). */
const secret = (p: PodPool = pool(), tok = token(p)): V1Secret => {
  const s = child(makePoolSecret(p, tok));
  delete s.stringData;
  s.data = { token: Buffer.from(tok).toString('base64') };
  return s;
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
      name: 'new pool: creates the token Secret and the Deployment at minReady; Filling',
      objects: [pool()],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantCreates: [makePoolSecret(pool(), `token-of-${POOL_UID}`), makePoolDeployment(pool(), 1)],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(0, 1), readyReplicas: 0, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Created Created Deployment "node-podpool"'],
      check: (c) => expect(c.clock.pendingDelays(), 'no requeue without demand').to.deep.equal([]),
    },
    {
      name: 'new pool with minReady 3: the Deployment starts at 3',
      objects: [pool((p) => void (p.spec.minReady = 3))],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantCreates: [makePoolSecret(pool(), `token-of-${POOL_UID}`), makePoolDeployment(pool((p) => void (p.spec.minReady = 3)), 3)],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(0, 3), readyReplicas: 0, targetSize: 3, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      wantEvents: ['Normal Created Created Deployment "node-podpool"'],
    },
    {
      name: 'steady state: readyReplicas counts only Ready warm pods of this pool that are not terminating; WarmPodsReady',
      objects: [
        pool(), secret(), dep(1),
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
      wantGets: ['secrets/node-podpool-token'],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 2, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
    },
    {
      name: 'a Secret left by an earlier pool of the same name (other owner, other token) is taken over',
      objects: [pool(), secret(pool(withUID('old-uid'))), dep(1), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantUpdates: [{ ...secret(pool(withUID('old-uid'))), data: undefined, stringData: { token: `token-of-${POOL_UID}` }, metadata: { ...secret().metadata } } as V1Secret],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
      check: (c) => expect(c.secrets.peek('default', 'node-podpool-token')?.metadata?.ownerReferences?.map((r) => r.uid)).to.deep.equal([POOL_UID]),
    },
    {
      name: 'a Secret of this pool with a stale token is rewritten',
      objects: [pool(), secret(pool(), 'stale'), dep(1), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantUpdates: [{ ...secret(pool(), 'stale'), data: undefined, stringData: { token: `token-of-${POOL_UID}` } } as V1Secret],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 1, claimedLastMinute: 0, missedLastMinute: 0 }) }],
    },
    {
      name: 'a burst of claims and misses resizes the Deployment; status counts both; Filling until the new pods are Ready',
      objects: [pool(), secret(), dep(1), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      // 10 claims and 1 miss in the last second: the 6 s short window sees 11/6 per s -> ceil(11/6 * 3 * 1.5) = 9
      setup: () => (record('claim', 10), record('miss', 1)),
      wantGets: ['secrets/node-podpool-token'],
      wantUpdates: [{ ...dep(1), spec: makePoolDeployment(pool(), 9).spec } as V1Deployment],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: warm, readyReplicas: 1, targetSize: 9, claimedLastMinute: 10, missedLastMinute: 1 }) }],
      wantEvents: ['Normal Updated Updated Deployment "node-podpool"'],
      check: (c) => {
        expect(c.deployments.peek('default', 'node-podpool')?.spec?.replicas).to.equal(9);
        expect(c.clock.pendingDelays(), 'requeued while demand is in the window').to.deep.equal([5000]);
      },
    },
    {
      name: 'WarmPodsReady needs min(minReady, target) Ready warm pods, not the whole target',
      objects: [pool((p) => void (p.spec.minReady = 2)), secret(), dep(2, pool((p) => void (p.spec.minReady = 2))), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantStatusUpdates: [{ name: 'node', status: status({ conditions: filling(1, 2), readyReplicas: 1, targetSize: 2, claimedLastMinute: 0, missedLastMinute: 0 }) }],
    },
    {
      name: 'demand older than the window is not counted: back to minReady, no requeue',
      objects: [pool(), secret(), dep(5), pod('w1', inPool('node', 'warm'), ready)],
      key: KEY,
      setup: () => record('claim', 10, 60_000),
      wantGets: ['secrets/node-podpool-token'],
      wantUpdates: [{ ...dep(5), spec: makePoolDeployment(pool(), 1).spec } as V1Deployment],
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
      objects: [pool(), secret(), deployment('node-podpool', withOwner(podPool('someone-else')))],
      key: KEY,
      wantGets: ['secrets/node-podpool-token'],
      wantEvents: ['Warning NotOwned Deployment "node-podpool" exists and is not owned by PodPool "node"'],
      wantStatusUpdates: [{ name: 'node', status: { observedGeneration: 1, conditions: [cond('Ready', 'Unknown'), cond('WarmPodsReady', 'Unknown')] } }],
    },
  ];
  tableTest(rows, subject);

  describe('the Secret is checked once per pool UID', () => {
    it('a second reconcile reads no Secret; a recreated pool (new UID) gets its own token', async () => {
      const c = new FakeCluster();
      c.seed(pool(), dep(1));
      const reconciler = subject.reconciler(c);
      const ctl = c.controller(c.podPools, reconciler);
      await ctl.process(KEY);
      await ctl.process(KEY);
      expect(c.log.filter((a) => a.resource === 'secrets').map((a) => [a.verb, a.name])).to.deep.equal([['get', 'node-podpool-token'], ['create', 'node-podpool-token']]);
      // The pool is deleted and made again under the same name: the old Secret (its GC is pending) is taken over.
      c.seed(pool(withUID('podpool-node-uid-2')));
      await ctl.process(KEY);
      const writes = c.secrets.writes().map((a) => [a.verb, a.obj?.stringData, a.obj?.metadata?.ownerReferences?.[0]?.uid]);
      expect(writes).to.deep.equal([
        ['create', { token: `token-of-${POOL_UID}` }, POOL_UID],
        ['update', { token: 'token-of-podpool-node-uid-2' }, 'podpool-node-uid-2'],
      ]);
    });

    it('a failed Secret read is retried on the next reconcile', async () => {
      const row = await runRow({
        name: 'secret read fails',
        objects: [pool()],
        key: KEY,
        setup: (c) => c.secrets.failOn('get', new Error('etcd is down')),
        wantGets: ['secrets/node-podpool-token'],
        wantStatusUpdates: [{ name: 'node', status: { observedGeneration: 1, conditions: [cond('Ready', 'Unknown'), cond('WarmPodsReady', 'Unknown')] } }],
        wantEvents: ['Warning InternalError etcd is down'],
        wantRetry: true,
      }, subject);
      expect(row.secrets.all()).to.deep.equal([]);
    });
  });
});
