import { expect } from 'chai';
import type { V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import type { ContainerRuntime, ContainerState, PodRuntime, Terminated } from './state.js';
import { podPhase, podStatus } from './status.js';

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5); // whole second
const running = (startedAt = T0): ContainerState => ({ kind: 'running', startedAt });
const waiting = (reason: string, message?: string): ContainerState => ({ kind: 'waiting', reason, ...(message ? { message } : {}) });
const exited = (exitCode: number, extra: Partial<Terminated> = {}): Terminated => ({
  kind: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: T0, finishedAt: T0 + 5_000, ...extra,
});

function ctr(name: string, state: ContainerState, extra: Partial<ContainerRuntime> = {}): ContainerRuntime {
  const isRunning = state.kind === 'running';
  return { name, image: `img/${name}`, state, restartCount: 0, ready: isRunning, started: isRunning, ...extra };
}

function rt(containers: ContainerRuntime[], initContainers: ContainerRuntime[] = [], extra: Partial<PodRuntime> = {}): PodRuntime {
  return { podIp: '10.244.0.7', hostIp: '10.244.0.1', startTime: T0, initContainers, containers, ...extra };
}

describe('status', () => {
  describe('podPhase', () => {
    const cases: Array<{ name: string; policy: string; rt: PodRuntime; want: string }> = [
      { name: 'all running -> Running', policy: 'Always', rt: rt([ctr('a', running()), ctr('b', running())]), want: 'Running' },
      { name: 'one waiting ContainerCreating -> Pending', policy: 'Always', rt: rt([ctr('a', running()), ctr('b', waiting('ContainerCreating'))]), want: 'Pending' },
      { name: 'all waiting (image pull) -> Pending', policy: 'Always', rt: rt([ctr('a', waiting('ErrImagePull'))]), want: 'Pending' },
      { name: 'Never, all exit 0 -> Succeeded', policy: 'Never', rt: rt([ctr('a', exited(0)), ctr('b', exited(0))]), want: 'Succeeded' },
      { name: 'Never, one non-zero -> Failed', policy: 'Never', rt: rt([ctr('a', exited(0)), ctr('b', exited(2))]), want: 'Failed' },
      { name: 'Never, one still running -> Running', policy: 'Never', rt: rt([ctr('a', exited(1)), ctr('b', running())]), want: 'Running' },
      { name: 'OnFailure, all exit 0 -> Succeeded', policy: 'OnFailure', rt: rt([ctr('a', exited(0)), ctr('b', exited(0))]), want: 'Succeeded' },
      {
        name: 'OnFailure, one done and one restarting after a failure -> Running',
        policy: 'OnFailure',
        rt: rt([ctr('a', exited(0)), ctr('b', waiting('CrashLoopBackOff'), { lastTerminated: exited(1), restartCount: 1 })]),
        want: 'Running',
      },
      { name: 'Always, all terminated -> Running (restarting)', policy: 'Always', rt: rt([ctr('a', exited(0)), ctr('b', exited(1))]), want: 'Running' },
      {
        name: 'Always, waiting with lastTerminated (CrashLoopBackOff) counts as running',
        policy: 'Always',
        rt: rt([ctr('a', waiting('CrashLoopBackOff'), { lastTerminated: exited(1), restartCount: 3 })]),
        want: 'Running',
      },
      {
        name: 'restarting alongside a fresh waiting container -> Pending',
        policy: 'Always',
        rt: rt([ctr('a', waiting('CrashLoopBackOff'), { lastTerminated: exited(1) }), ctr('b', waiting('ContainerCreating'))]),
        want: 'Pending',
      },
      {
        name: 'init container still running -> Pending',
        policy: 'Always',
        rt: rt([ctr('a', waiting('PodInitializing'))], [ctr('init', running())]),
        want: 'Pending',
      },
      {
        name: 'second init container not started -> Pending even if main ones look running',
        policy: 'Always',
        rt: rt([ctr('a', running())], [ctr('i1', exited(0)), ctr('i2', waiting('PodInitializing'))]),
        want: 'Pending',
      },
      {
        name: 'init containers done -> main containers decide',
        policy: 'Always',
        rt: rt([ctr('a', running())], [ctr('i1', exited(0)), ctr('i2', exited(0))]),
        want: 'Running',
      },
      { name: 'init failed with Never -> Failed', policy: 'Never', rt: rt([ctr('a', waiting('PodInitializing'))], [ctr('init', exited(1))]), want: 'Failed' },
      { name: 'init failed with OnFailure -> Pending (retried)', policy: 'OnFailure', rt: rt([ctr('a', waiting('PodInitializing'))], [ctr('init', exited(1))]), want: 'Pending' },
      { name: 'init failed with Always -> Pending (retried)', policy: 'Always', rt: rt([ctr('a', waiting('PodInitializing'))], [ctr('init', exited(1))]), want: 'Pending' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(podPhase(c.policy, c.rt)).to.equal(c.want);
      });
    }
  });

  describe('podStatus', () => {
    const NOW = T0 + 60_789; // not a whole second
    const NOW_S = new Date(T0 + 60_000);
    const EARLIER = new Date(T0 - 3_600_000);
    const pod = (conditions?: V1PodCondition[], extra: Partial<V1Pod> = {}): V1Pod => ({
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      ...(conditions ? { status: { conditions } } : {}),
      ...extra,
    });
    const cond = (status: 'True' | 'False', lastTransitionTime: Date, type: string): V1PodCondition => ({ type, status, lastTransitionTime });

    it('all ready: every condition True, no reasons, transition time now rounded down to the second', () => {
      const got = podStatus(pod(), rt([ctr('a', running()), ctr('b', running())]), NOW);
      expect(got.phase).to.equal('Running');
      expect(got.conditions).to.deep.equal([
        { type: 'Initialized', status: 'True', lastTransitionTime: NOW_S },
        { type: 'Ready', status: 'True', lastTransitionTime: NOW_S },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: NOW_S },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: NOW_S },
      ]);
    });

    it('unready containers: Ready/ContainersReady False with reason and message listing them in order', () => {
      const got = podStatus(pod(), rt([ctr('a', waiting('ContainerCreating')), ctr('b', running(), { ready: false }), ctr('c', running())]), NOW);
      expect(got.conditions).to.deep.equal([
        { type: 'Initialized', status: 'True', lastTransitionTime: NOW_S },
        { type: 'Ready', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' },
        { type: 'ContainersReady', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: NOW_S },
      ]);
    });

    it('init containers pending: Initialized False with ContainersNotInitialized', () => {
      const got = podStatus(pod(), rt([ctr('a', waiting('PodInitializing'))], [ctr('i1', exited(0)), ctr('i2', running()), ctr('i3', waiting('PodInitializing'))]), NOW);
      expect(got.phase).to.equal('Pending');
      expect(got.conditions?.[0]).to.deep.equal({
        type: 'Initialized', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2 i3]',
      });
      expect(got.initContainerStatuses?.map((s) => s.name)).to.deep.equal(['i1', 'i2', 'i3']);
    });

    it('sandbox error: ContainersReady False with the sandbox error as message when all containers are ready', () => {
      const got = podStatus(pod(), rt([ctr('a', running())], [], { sandboxError: 'netns: boom' }), NOW);
      const byType = new Map(got.conditions?.map((c) => [c.type, c]));
      expect(byType.get('ContainersReady')).to.deep.equal({ type: 'ContainersReady', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotReady', message: 'netns: boom' });
      expect(byType.get('Ready')).to.deep.equal({ type: 'Ready', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotReady', message: 'netns: boom' });
    });

    it('Ready is False when containers are ready but the pod is not Running', () => {
      // containers ready but an unfinished init container keeps the pod Pending
      const got = podStatus(pod(), rt([ctr('a', running())], [ctr('i', running(), { ready: false })]), NOW);
      const byType = new Map(got.conditions?.map((c) => [c.type, c]));
      expect(got.phase).to.equal('Pending');
      expect(byType.get('ContainersReady')?.status).to.equal('True');
      expect(byType.get('Ready')).to.deep.equal({ type: 'Ready', status: 'False', lastTransitionTime: NOW_S, reason: 'ContainersNotReady' });
    });

    const transitions: Array<{ name: string; previous: V1PodCondition[] | undefined; ready: boolean; want: Record<string, Date> }> = [
      {
        name: 'no previous status: all now',
        previous: undefined, ready: true,
        want: { Initialized: NOW_S, Ready: NOW_S, ContainersReady: NOW_S, PodScheduled: NOW_S },
      },
      {
        name: 'unchanged conditions keep their time',
        previous: [cond('True', EARLIER, 'Initialized'), cond('True', EARLIER, 'Ready'), cond('True', EARLIER, 'ContainersReady'), cond('True', EARLIER, 'PodScheduled')],
        ready: true,
        want: { Initialized: EARLIER, Ready: EARLIER, ContainersReady: EARLIER, PodScheduled: EARLIER },
      },
      {
        name: 'changed conditions get now, the others keep theirs',
        previous: [cond('True', EARLIER, 'Initialized'), cond('True', EARLIER, 'Ready'), cond('True', EARLIER, 'ContainersReady'), cond('True', EARLIER, 'PodScheduled')],
        ready: false,
        want: { Initialized: EARLIER, Ready: NOW_S, ContainersReady: NOW_S, PodScheduled: EARLIER },
      },
      {
        name: 'False -> True is a transition too',
        previous: [cond('False', EARLIER, 'Ready'), cond('False', EARLIER, 'ContainersReady')],
        ready: true,
        want: { Initialized: NOW_S, Ready: NOW_S, ContainersReady: NOW_S, PodScheduled: NOW_S },
      },
      {
        name: 'a previous condition without a time gets now',
        previous: [{ type: 'PodScheduled', status: 'True' }],
        ready: true,
        want: { Initialized: NOW_S, Ready: NOW_S, ContainersReady: NOW_S, PodScheduled: NOW_S },
      },
      {
        name: 'a previous time given as a string (raw JSON) is kept as a Date',
        previous: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2023-05-06T07:08:09Z' as unknown as Date }],
        ready: true,
        want: { Initialized: NOW_S, Ready: NOW_S, ContainersReady: NOW_S, PodScheduled: new Date('2023-05-06T07:08:09Z') },
      },
    ];
    for (const c of transitions) {
      it(`lastTransitionTime: ${c.name}`, () => {
        const got = podStatus(pod(c.previous), rt([ctr('a', running(), { ready: c.ready })]), NOW);
        const times = Object.fromEntries((got.conditions ?? []).map((x) => [x.type, x.lastTransitionTime]));
        expect(times).to.deep.equal(c.want);
        for (const t of Object.values(times)) expect(t).to.be.instanceOf(Date);
      });
    }

    it('addresses, start time and QoS class', () => {
      const got = podStatus(pod(undefined, { status: { qosClass: 'Guaranteed' } }), rt([ctr('a', running())], [], { startTime: T0 + 1_500 }), NOW);
      expect(got.podIP).to.equal('10.244.0.7');
      expect(got.podIPs).to.deep.equal([{ ip: '10.244.0.7' }]);
      expect(got.hostIP).to.equal('10.244.0.1');
      expect(got.startTime).to.deep.equal(new Date(T0 + 1_000));
      expect(got.qosClass).to.equal('Guaranteed');
    });

    it('no pod IP yet: no podIP/podIPs, BestEffort by default, no initContainerStatuses', () => {
      const r = rt([ctr('a', waiting('ContainerCreating'))]);
      delete r.podIp;
      const got = podStatus(pod(), r, NOW);
      expect(got).to.not.have.property('podIP');
      expect(got).to.not.have.property('podIPs');
      expect(got).to.not.have.property('initContainerStatuses');
      expect(got.hostIP).to.equal('10.244.0.1');
      expect(got.qosClass).to.equal('BestEffort');
    });

    it('uses the pod restartPolicy for the phase (default Always)', () => {
      const r = rt([ctr('a', exited(1))]);
      expect(podStatus(pod(), r, NOW).phase).to.equal('Running');
      expect(podStatus(pod(undefined, { spec: { containers: [{ name: 'a' }], restartPolicy: 'Never' } }), r, NOW).phase).to.equal('Failed');
    });

    const statuses: Array<{ name: string; c: ContainerRuntime; want: V1ContainerStatus }> = [
      {
        name: 'fresh waiting container: empty imageID, no containerID, empty lastState',
        c: ctr('a', waiting('ContainerCreating')),
        want: { name: 'a', image: 'img/a', imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
      },
      {
        name: 'waiting with a message',
        c: ctr('a', waiting('ErrImagePull', 'not found')),
        want: { name: 'a', image: 'img/a', imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } }, lastState: {} },
      },
      {
        name: 'running: startedAt rounded down, containerID and imageID set',
        c: ctr('a', running(T0 + 999), { containerId: 'ns1/a/0', ready: true, started: true }),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: true, started: true, restartCount: 0,
          state: { running: { startedAt: new Date(T0) } }, lastState: {}, containerID: 'kzero://ns1/a/0',
        },
      },
      {
        name: 'running but not ready nor started (probes pending)',
        c: ctr('a', running(), { ready: false, started: false, containerId: 'x' }),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: false, started: false, restartCount: 0,
          state: { running: { startedAt: new Date(T0) } }, lastState: {}, containerID: 'kzero://x',
        },
      },
      {
        name: 'terminated with exit code, reason, message and signal',
        c: ctr('a', exited(137, { reason: 'Error', signal: 'SIGKILL', message: 'killed', finishedAt: T0 + 7_250 }), { containerId: 'n/a/0' }),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: false, started: false, restartCount: 0,
          state: { terminated: { exitCode: 137, reason: 'Error', startedAt: new Date(T0), finishedAt: new Date(T0 + 7_000), message: 'killed', signal: 9 } },
          lastState: {}, containerID: 'kzero://n/a/0',
        },
      },
      {
        name: 'terminated by SIGTERM maps to signal 15',
        c: ctr('a', exited(143, { signal: 'SIGTERM' })),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: false, started: false, restartCount: 0,
          state: { terminated: { exitCode: 143, reason: 'Error', startedAt: new Date(T0), finishedAt: new Date(T0 + 5_000), signal: 15 } },
          lastState: {},
        },
      },
      {
        name: 'terminated Completed without signal has no signal field',
        c: ctr('a', exited(0)),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: false, started: false, restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: new Date(T0), finishedAt: new Date(T0 + 5_000) } },
          lastState: {},
        },
      },
      {
        name: 'crash-looping: waiting state, lastState terminated, restartCount, imageID known',
        c: ctr('a', waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=a'), { lastTerminated: exited(1), restartCount: 2, containerId: 'n/a/1' }),
        want: {
          name: 'a', image: 'img/a', imageID: 'kzero-image://img/a', ready: false, started: false, restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=a' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(T0), finishedAt: new Date(T0 + 5_000) } },
          containerID: 'kzero://n/a/1',
        },
      },
    ];
    for (const c of statuses) {
      it(`containerStatuses: ${c.name}`, () => {
        const got = podStatus(pod(), rt([c.c]), NOW);
        expect(got.containerStatuses).to.deep.equal([c.want]);
      });
    }

    it('SIGINT maps to signal 2', () => {
      const got = podStatus(pod(), rt([ctr('a', exited(130, { signal: 'SIGINT' }))]), NOW);
      expect(got.containerStatuses?.[0]?.state?.terminated?.signal).to.equal(2);
    });

    // Every signal maps to its number, not only SIGKILL/SIGTERM.
    it('a container killed by SIGSEGV reports signal 11 (consistent with exit code 139)', () => {
      const got = podStatus(pod(), rt([ctr('a', exited(139, { signal: 'SIGSEGV' }))]), NOW);
      expect(got.containerStatuses?.[0]?.state?.terminated).to.include({ exitCode: 139, signal: 11 });
    });
  });
});
