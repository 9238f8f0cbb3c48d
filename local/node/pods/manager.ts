import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { isNotFound } from '../../../lib/kube/client.js';
import { allocate, indexOf, rangeOf } from '../../net/ipam.js';
import { createPodNetwork, deleteNetns, deletePodNetwork, listKzeroNetns } from '../../net/netns.js';
import type { BackoffPolicy } from './backoff.js';
import type { LaunchSpec } from './container.js';
import { netnsSandbox, type Sandbox } from './sandbox.js';
import { StatusWriter } from './status-writer.js';
import { podPhase } from './status.js';
import { PodWorker } from './worker.js';

export interface PodManagerDeps {
  core: CoreV1Api;
  clock: Clock;
  log: Logger;
  backoff: BackoffPolicy;
  nodeName: string;
  bridge: string;
  gateway: string;
  podCidr: string;
  podLogDir: string;
  stateDir: string;
  prepare(pod: V1Pod, container: V1Container, sandbox: Sandbox): Promise<LaunchSpec>;
}

const keyOf = (pod: V1Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/**
 * The pods bound to this node: one PodWorker each, started on add, terminated on deletion, and the API
 * object finally deleted once its processes and network namespace are gone (the kubelet's last step).
 */
export class PodManager {
  private readonly workers = new Map<string, PodWorker>();
  private readonly deleting = new Set<string>();
  private readonly ips = new Set<string>();
  private cursor = 1;
  private readonly range;
  readonly status: StatusWriter;

  constructor(private readonly deps: PodManagerDeps) {
    this.range = rangeOf(deps.podCidr);
    this.status = new StatusWriter(deps);
  }

  /** Removes namespaces left by an earlier run: their processes are orphans; the pods are started afresh. */
  async cleanLeftovers(): Promise<void> {
    for (const ns of await listKzeroNetns()) {
      this.deps.log.info('node: removing leftover pod network namespace', { netns: ns });
      await deleteNetns(ns);
    }
  }

  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.workers.values()) {
      if (w.pod.metadata?.namespace === namespace && w.pod.metadata?.name === name) return w;
    }
    return undefined;
  }

  logDir(pod: V1Pod): string {
    return join(this.deps.podLogDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);
  }

  /** Add, update and resync events: level-triggered, so calling it twice with the same pod is harmless. */
  upsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || pod.spec?.nodeName !== this.deps.nodeName) return;
    const worker = this.workers.get(uid);
    if (worker) {
      worker.pod = pod;
      if (pod.metadata?.deletionTimestamp) void this.finalize(worker);
      return;
    }
    if (pod.metadata?.deletionTimestamp) {
      // Never ran here (or ran before this agent restarted): nothing to stop, just release the object.
      void this.releaseObject(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const w = new PodWorker(pod, {
      clock: this.deps.clock,
      log: this.deps.log.with({ pod: keyOf(pod) }),
      backoff: this.deps.backoff,
      hostIp: this.deps.gateway,
      createSandbox: (p) => this.createSandbox(p),
      destroySandbox: (p, sandbox) => this.destroySandbox(p, sandbox),
      prepare: this.deps.prepare,
      logDir: (p) => this.logDir(p),
      workDir: (p) => join(this.deps.stateDir, 'pods', p.metadata?.uid ?? 'unknown'),
      onChange: (changed) => this.changed(changed),
    });
    this.workers.set(uid, w);
    this.deps.log.info('pod: starting', { pod: keyOf(pod) });
    void w.start();
  }

  /** The object is gone from the API (force-deleted): stop at once, nothing left to release. */
  remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    const worker = uid ? this.workers.get(uid) : undefined;
    if (!worker || !uid) return;
    this.workers.delete(uid);
    this.status.forget(uid);
    void worker.terminate(0).then(() => rm(this.logDir(worker.pod), { recursive: true, force: true }));
  }

  private changed(worker: PodWorker): void {
    this.status.mark(worker);
    // A pod whose containers are all done for good (restartPolicy Never/OnFailure) frees its sandbox.
    const phase = podPhase(worker.pod.spec?.restartPolicy ?? 'Always', worker.runtime);
    if ((phase === 'Succeeded' || phase === 'Failed') && !worker.pod.metadata?.deletionTimestamp) void worker.terminate(0);
  }

  private async finalize(worker: PodWorker): Promise<void> {
    const uid = worker.pod.metadata?.uid ?? '';
    if (this.deleting.has(uid)) return;
    this.deleting.add(uid);
    const pod = worker.pod;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.deps.log.info('pod: stopping', { pod: keyOf(pod), graceSeconds: grace });
    try {
      await worker.terminate(grace * 1000);
      await this.status.flush(worker);
      await this.releaseObject(worker.pod);
    } finally {
      this.workers.delete(uid);
      this.deleting.delete(uid);
      this.status.forget(uid);
      await rm(this.logDir(pod), { recursive: true, force: true });
    }
  }

  private async releaseObject(pod: V1Pod): Promise<void> {
    const { name, namespace, uid } = pod.metadata ?? {};
    if (!name || !namespace) return;
    try {
      await this.deps.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
      this.deps.log.info('pod: deleted', { pod: `${namespace}/${name}` });
    } catch (err) {
      if (!isNotFound(err)) this.deps.log.warn('pod: final delete failed', { pod: `${namespace}/${name}`, error: err });
    }
  }

  private async createSandbox(pod: V1Pod): Promise<Sandbox> {
    const uid = pod.metadata?.uid ?? '';
    // Keep the address from an earlier run of this pod when it is free: clients may still have it.
    const previous = pod.status?.podIP;
    let ip: string;
    if (previous && indexOf(this.range, previous) !== undefined && !this.ips.has(previous)) {
      ip = previous;
    } else {
      const next = allocate(this.range, this.ips, this.cursor);
      ip = next.ip;
      this.cursor = next.cursor;
    }
    this.ips.add(ip);
    try {
      const net = await createPodNetwork(uid, ip, this.deps.bridge, this.deps.gateway);
      return netnsSandbox(net.netns, net.ip);
    } catch (err) {
      this.ips.delete(ip);
      throw err;
    }
  }

  private async destroySandbox(pod: V1Pod, sandbox: Sandbox | undefined): Promise<void> {
    await deletePodNetwork(pod.metadata?.uid ?? '');
    if (sandbox) this.ips.delete(sandbox.podIp);
  }
}
