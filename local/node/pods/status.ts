import { constants } from 'node:os';
import type { V1ContainerState, V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import type { ContainerRuntime, ContainerState, PodRuntime } from './state.js';

// PodStatus from what the node agent knows (pure). Condition transition times are kept from the previous
// status when a condition does not change, as the kubelet does.

const iso = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

function containerState(s: ContainerState): V1ContainerState {
  switch (s.kind) {
    case 'waiting':
      return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case 'running':
      return { running: { startedAt: iso(s.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: s.exitCode,
          reason: s.reason,
          startedAt: iso(s.startedAt),
          finishedAt: iso(s.finishedAt),
          ...(s.message ? { message: s.message } : {}),
          ...(s.signal ? { signal: signalNumber(s.signal) } : {}),
        },
      };
  }
}

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}

function containerStatus(c: ContainerRuntime): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: c.state.kind === 'waiting' && c.restartCount === 0 ? '' : `kzero-image://${c.image}`,
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: containerState(c.state),
    lastState: c.lastTerminated ? containerState(c.lastTerminated) : {},
    ...(c.containerId ? { containerID: `kzero://${c.containerId}` } : {}),
  };
}

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The pod phase from its containers and restartPolicy, with the kubelet's rules. */
export function podPhase(restartPolicy: string, rt: PodRuntime): Phase {
  const init = rt.initContainers;
  if (init.some((c) => c.state.kind === 'terminated' && c.state.exitCode !== 0) && restartPolicy === 'Never') return 'Failed';
  if (!init.every((c) => c.state.kind === 'terminated' && c.state.exitCode === 0)) return 'Pending';
  const cs = rt.containers;
  const waiting = cs.filter((c) => c.state.kind === 'waiting');
  const running = cs.filter((c) => c.state.kind === 'running');
  const terminated = cs.filter((c) => c.state.kind === 'terminated');
  const failed = terminated.filter((c) => c.state.kind === 'terminated' && c.state.exitCode !== 0);
  // A container waiting after having run before (restarting, back-off) counts as running.
  const restarting = waiting.filter((c) => c.lastTerminated !== undefined);
  if (waiting.length > restarting.length) return 'Pending';
  if (running.length > 0 || restarting.length > 0) return 'Running';
  if (terminated.length === cs.length) {
    if (restartPolicy === 'Always') return 'Running';
    return failed.length > 0 ? 'Failed' : 'Succeeded';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, previous: V1PodCondition[] | undefined, now: number, reason?: string, message?: string): V1PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const since = prev && prev.status === status && prev.lastTransitionTime ? new Date(prev.lastTransitionTime) : iso(now);
  return {
    type,
    status,
    lastTransitionTime: since,
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  };
}

export function podStatus(pod: V1Pod, rt: PodRuntime, now: number): V1PodStatus {
  const prev = pod.status?.conditions;
  const phase = podPhase(pod.spec?.restartPolicy ?? 'Always', rt);
  const initDone = rt.initContainers.every((c) => c.state.kind === 'terminated' && c.state.exitCode === 0);
  const notReady = rt.containers.filter((c) => !c.ready).map((c) => c.name);
  const containersReady = notReady.length === 0 && !rt.sandboxError;
  const notReadyMsg = notReady.length ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
  const pendingInit = rt.initContainers.filter((c) => !(c.state.kind === 'terminated' && c.state.exitCode === 0)).map((c) => c.name);
  // A pod that has run to completion is not ready because it is done, not because something is wrong.
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const notReadyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const conditions: V1PodCondition[] = [
    condition('Initialized', initDone, prev, now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`),
    condition('Ready', containersReady && phase === 'Running', prev, now, notReadyReason, completed ? undefined : notReadyMsg ?? rt.sandboxError),
    condition('ContainersReady', containersReady, prev, now, notReadyReason, completed ? undefined : notReadyMsg ?? rt.sandboxError),
    condition('PodScheduled', true, prev, now),
  ];
  return {
    phase,
    conditions,
    hostIP: rt.hostIp,
    ...(rt.podIp ? { podIP: rt.podIp, podIPs: [{ ip: rt.podIp }] } : {}),
    startTime: iso(rt.startTime),
    qosClass: pod.status?.qosClass ?? 'BestEffort',
    ...(rt.initContainers.length ? { initContainerStatuses: rt.initContainers.map(containerStatus) } : {}),
    containerStatuses: rt.containers.map(containerStatus),
  };
}
