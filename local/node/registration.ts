import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { PatchStrategy, setHeaderOptions, V1MicroTime, type CoordinationV1Api, type CoreV1Api, type V1Node, type V1NodeCondition, type V1NodeStatus } from '@kubernetes/client-node';
import type { Clock, Timer } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/kube/client.js';

export interface NodeFacts {
  name: string;
  ip: string;
  podCidr: string;
  kubeletPort: number;
  maxPods: number;
  kubeletVersion: string;
}

const machineId = (): string => {
  try {
    return readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return '';
  }
};

/** The Node object this agent registers (pure apart from reading the machine's size). */
export function desiredNode(f: NodeFacts): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: {
        'kubernetes.io/hostname': f.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'node.kubernetes.io/instance-type': 'kzero-process-node',
      },
    },
    spec: { podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
  };
}

/** What the node offers: the machine's cores and memory. */
export function nodeResources(maxPods: number): Record<string, string> {
  return { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: String(maxPods), 'ephemeral-storage': '100Gi' };
}

export function nodeStatus(f: NodeFacts, now: Date, previous?: V1NodeCondition[]): V1NodeStatus {
  const resources = nodeResources(f.maxPods);
  const cond = (type: string, status: string, reason: string, message: string): V1NodeCondition => {
    const prev = previous?.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kzero process node is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: f.ip }, { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: machineId(), systemUUID: machineId(), bootID: '',
      kernelVersion: release(), osImage: 'kzero process node', containerRuntimeVersion: 'kzero-process://0.1.0',
      kubeletVersion: f.kubeletVersion, kubeProxyVersion: f.kubeletVersion, operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Registers the Node, then keeps it alive: renews its Lease every 10 s (what the node lifecycle
 * controller watches) and refreshes its status, Ready included, every 30 s.
 */
export class NodeHeartbeat {
  private timers: Timer[] = [];
  private stopped = false;

  constructor(private readonly deps: { core: CoreV1Api; coordination: CoordinationV1Api; clock: Clock; log: Logger; facts: NodeFacts }) {}

  async register(): Promise<void> {
    const { core, facts } = this.deps;
    try {
      await core.createNode({ body: desiredNode(facts) });
      this.deps.log.info('node: registered', { node: facts.name });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    await this.updateStatus();
    await this.renewLease();
    this.every(10_000, () => this.renewLease());
    this.every(30_000, () => this.updateStatus());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const tick = (): void => {
      if (this.stopped) return;
      fn().catch((err: unknown) => this.deps.log.warn('node: heartbeat failed', { node: this.deps.facts.name, error: err }))
        .finally(() => this.timers.push(this.deps.clock.after(ms, tick)));
    };
    this.timers.push(this.deps.clock.after(ms, tick));
  }

  private async updateStatus(): Promise<void> {
    const { core, facts, clock } = this.deps;
    const current = await core.readNode({ name: facts.name });
    const status = nodeStatus(facts, new Date(Math.floor(clock.now() / 1000) * 1000), current.status?.conditions);
    await core.patchNodeStatus({ name: facts.name, body: { status } }, mergePatch);
  }

  private async renewLease(): Promise<void> {
    const { coordination, facts, clock } = this.deps;
    const name = facts.name;
    const namespace = 'kube-node-lease';
    const now = new V1MicroTime(clock.now());
    try {
      const lease = await coordination.readNamespacedLease({ name, namespace });
      lease.spec = { ...lease.spec, holderIdentity: name, leaseDurationSeconds: 40, renewTime: now };
      await coordination.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now } } });
    }
  }
}
